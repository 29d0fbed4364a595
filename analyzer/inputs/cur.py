"""``--cur PATH``: a Cost and Usage Report on disk -> the NAT gateway lines, aggregated with DuckDB.

Reads CUR 2.0 / Data Exports Parquet or CSV (``.csv`` / ``.csv.gz``), and the
legacy CUR's CSV with its ``lineItem/UsageType`` column names (renamed to the
CUR 2.0 spelling) or its Parquet. Every file's columns are checked first; then
one aggregation (``cur_sql``) streams over all files at once.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analyzer.collect.metrics import window as metric_window
from analyzer.errors import InputError
from analyzer.inputs.cur_rows import billed_lines
from analyzer.inputs.cur_sql import REQUIRED, aggregate_sql, snake
from analyzer.inputs.engine import connect, fetch
from analyzer.inputs.files import by_suffix, find_files, first_line
from analyzer.inputs.sql import file_list, first_missing, ident
from analyzer.models import BillingData, Snapshot

OPTION = "--cur"
SUFFIXES = (".parquet", ".csv", ".csv.gz")
VIEW = "cur"
TIMESTAMPS = frozenset({"line_item_usage_start_date", "line_item_usage_end_date", "bill_billing_period_start_date",
                        "bill_billing_period_end_date"})


def _columns(names: Sequence[str], where: str) -> dict[str, str]:
    """Our (CUR 2.0) name -> the file's own name, for the columns the aggregation reads."""
    mapping = {snake(n): n for n in names}
    missing = first_missing(mapping, REQUIRED)
    if missing:
        raise InputError(f"{where}: no {missing} column (legacy CUR: lineItem/...); the CUR needs resource ids "
                         "(Data Exports and legacy CUR: 'Include resource IDs')")
    return mapping


def _projection(mapping: dict[str, str]) -> str:
    cols = []
    for name in REQUIRED:
        kind = "TIMESTAMP" if name in TIMESTAMPS else "VARCHAR"
        cols.append(f"CAST({ident(mapping[name])} AS {kind}) AS {ident(name)}")
    return ", ".join(cols)


def _csv_sources(files: list[Path]) -> list[str]:
    groups: dict[tuple[str, ...], list[Path]] = defaultdict(list)
    for path in files:
        header = tuple(next(csv.reader([first_line(path, OPTION)]), []))
        _columns(header, f"{OPTION} {path}")
        groups[header].append(path)
    return [
        f"SELECT {_projection(_columns(header, OPTION))} FROM read_csv({file_list(paths)}, header = true, "
        "all_varchar = true, delim = ',', quote = '\"', escape = '\"')"
        for header, paths in groups.items()
    ]


def _parquet_sources(con: Any, files: list[Path]) -> list[str]:
    if not files:
        return []
    listed = file_list(files)
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for file_name, names in fetch(con, f"SELECT file_name, list(name) FROM parquet_schema({listed}) "
                                       "GROUP BY file_name", "CUR Parquet files"):
        _columns(names, f"{OPTION} {file_name}")
        groups[tuple(sorted(names))].append(file_name)
    return [f"SELECT {_projection(_columns(names, OPTION))} FROM read_parquet({file_list(paths)})"
            for names, paths in groups.items()]


def local_sql(snapshot: Snapshot, paths: Sequence[Path], con: Any) -> tuple[str, str]:
    files = find_files(paths, SUFFIXES, "CUR", OPTION)
    parquet, text = by_suffix(files, ".parquet")
    selects = _csv_sources(text) + _parquet_sources(con, parquet)
    view = f"CREATE TEMP VIEW {VIEW} AS\n" + "\nUNION ALL\n".join(selects)
    start, end = metric_window(snapshot.collected_at, snapshot.window_days)
    return view, aggregate_sql(VIEW, start, end)


def read_cur(snapshot: Snapshot, paths: Sequence[Path]) -> BillingData:
    """The NAT gateway lines of the billing periods that overlap the snapshot's metric window."""
    con = connect()
    try:
        view, query = local_sql(snapshot, paths, con)
        fetch(con, view, "CUR")
        rows = fetch(con, query, "CUR")
    finally:
        con.close()
    return billing_data(rows, ", ".join(str(p) for p in paths), "duckdb", query)


def billing_data(rows: list[Any], source: str, engine: str, query: str) -> BillingData:
    lines = billed_lines(rows)
    if not lines:
        raise InputError(f"{source}: no NAT gateway line items (NatGateway-Hours / -Bytes) in a billing period "
                         "that overlaps the snapshot's metric window")
    return BillingData(source=source, engine=engine, query=query, lines=lines)
