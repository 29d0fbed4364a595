"""``--flow-logs PATH``: VPC Flow Logs on disk -> bytes per source ENI per NAT gateway, with DuckDB.

Shapes read, mixed freely across the paths given:

* text, as S3 delivers it: a header line naming the fields (the default v2
  format or any custom format up to v5, any order), space-separated, gzip or plain;
* Parquet (the S3 delivery's ``parquet`` option), single files or Hive-partitioned folders.

Every file's fields are checked first (a missing ``pkt-srcaddr`` is one line,
exit 2), then one aggregation (``flow_sql``) streams over all files at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from analyzer.collect.metrics import window as metric_window
from analyzer.errors import InputError
from analyzer.inputs.engine import connect, fetch
from analyzer.inputs.files import by_suffix, find_files, first_line
from analyzer.inputs.flow_attribution import FlowLogRead, attribute, nat_interfaces
from analyzer.inputs.flow_sql import REQUIRED, aggregate_sql, missing_field_message
from analyzer.inputs.sql import file_list, first_missing, ident, literal
from analyzer.models import Snapshot

OPTION = "--flow-logs"
SUFFIXES = (".log", ".log.gz", ".txt", ".txt.gz", ".gz", ".parquet")
VIEW = "flow_logs"
NUMERIC = ("bytes", "start")


def _header_fields(path: Path) -> tuple[str, ...]:
    line = first_line(path, OPTION)
    fields = tuple(line.split())
    if not fields or fields[0][:1].isdigit():
        raise InputError(f"{OPTION} {path}: no header line (the first line names the fields, as S3 delivery "
                         "writes it: 'version account-id interface-id ...')")
    return tuple(f.replace("-", "_") for f in fields)


def _check(fields: Sequence[str], where: str) -> None:
    missing = first_missing(fields, REQUIRED)
    if missing:
        raise InputError(missing_field_message(where, missing))


def _projection(numeric_cast: bool) -> str:
    cols = []
    for name in REQUIRED:
        col = ident(name)
        cols.append(f"TRY_CAST({col} AS BIGINT) AS {col}" if numeric_cast and name in NUMERIC else col)
    return ", ".join(cols)


def _text_sources(files: list[Path]) -> list[str]:
    """One read_csv per distinct header: the files of one custom format share their column list."""
    groups: dict[tuple[str, ...], list[Path]] = defaultdict(list)
    for path in files:
        fields = _header_fields(path)
        _check(fields, f"{OPTION} {path}")
        groups[fields].append(path)
    selects = []
    for fields, paths in groups.items():
        # '-' is the format's "no value" (NODATA / SKIPDATA records): NULL, never a parse error.
        types = {f: "BIGINT" if f in NUMERIC else "VARCHAR" for f in fields}
        columns = "{" + ", ".join(f"{literal(f)}: {literal(t)}" for f, t in types.items()) + "}"
        selects.append(
            f"SELECT {_projection(False)} FROM read_csv({file_list(paths)}, delim = ' ', header = true, "
            f"auto_detect = false, quote = '', escape = '', nullstr = '-', columns = {columns})"
        )
    return selects


def _parquet_sources(con: Any, files: list[Path]) -> list[str]:
    if not files:
        return []
    listed = file_list(files)
    schema = fetch(con, f"SELECT file_name, list(name) FROM parquet_schema({listed}) GROUP BY file_name",
                   "flow-log Parquet files")
    for file_name, names in schema:
        _check(names, f"{OPTION} {file_name}")
    return [f"SELECT {_projection(True)} FROM read_parquet({listed}, union_by_name = true, "
            "hive_partitioning = false)"]


def local_sql(snapshot: Snapshot, paths: Sequence[Path], con: Any) -> tuple[str, str, tuple[datetime, datetime]]:
    """(view SQL over the files, the aggregation over the view, the window); checks every file's fields."""
    files = find_files(paths, SUFFIXES, "flow-log", OPTION)
    parquet, text = by_suffix(files, ".parquet")
    selects = _text_sources(text) + _parquet_sources(con, parquet)
    view = f"CREATE TEMP VIEW {VIEW} AS\n" + "\nUNION ALL\n".join(selects)
    start, end = metric_window(snapshot.collected_at, snapshot.window_days)
    query = aggregate_sql(VIEW, sorted(nat_interfaces(snapshot)), int(start.timestamp()), int(end.timestamp()))
    return view, query, (start, end)


def read_flow_logs(snapshot: Snapshot, paths: Sequence[Path]) -> FlowLogRead:
    """Attribute the NAT gateways' flow-log bytes in the files under ``paths`` to the snapshot's ENIs."""
    con = connect()
    try:
        view, query, window = local_sql(snapshot, paths, con)
        fetch(con, view, "flow logs")
        rows = fetch(con, query, "flow logs")
    finally:
        con.close()
    source = ", ".join(str(p) for p in paths)
    return attribute(rows, snapshot, source=source, engine="duckdb", query=query, window=window)
