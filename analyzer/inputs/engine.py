"""The embedded engine: one DuckDB connection per read, with its errors as one-line input errors."""

from __future__ import annotations

from typing import Any

from analyzer.errors import InputError

# Settings for a streaming aggregation on a shared 2-core machine: no insertion order to keep,
# a memory cap so a big read spills (it never does for these few-group aggregations), and no
# progress bar: DuckDB would draw it on stdout, which may be a data format.
SETTINGS = {"preserve_insertion_order": "false", "memory_limit": "'1GB'", "enable_progress_bar": "false"}


def connect() -> Any:
    import duckdb  # imported here: only the flow-log and CUR inputs need it

    con = duckdb.connect(":memory:")
    for name, value in SETTINGS.items():
        con.execute(f"SET {name} = {value}")
    return con


def fetch(con: Any, sql: str, what: str) -> list[tuple[Any, ...]]:
    """All rows of ``sql``; a DuckDB error (an unreadable file, a bad value) becomes one InputError line."""
    import duckdb

    try:
        return con.execute(sql).fetchall()
    except duckdb.Error as exc:
        lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()] or [type(exc).__name__]
        where = next((ln.removeprefix("file = ") for ln in lines if ln.startswith("file = ")), None)
        raise InputError(f"cannot read the {what}{f' ({where})' if where else ''}: {lines[0]}") from None
