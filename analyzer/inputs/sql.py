"""SQL text helpers shared by the DuckDB and Athena (Trino) paths: quoting, table names, time literals.

Both dialects quote strings with '' and identifiers with "", and agree on
``TIMESTAMP 'YYYY-MM-DD HH:MM:SS'`` literals. Every value that reaches SQL
text (ENI ids from a snapshot, table names from the command line) goes
through these, never through string formatting alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from analyzer.errors import InputError

TABLE_NAME = re.compile(r"^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$")


def literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def literal_list(values: Iterable[str]) -> str:
    """``('a', 'b')``; an empty list becomes ``(NULL)`` so ``x IN (NULL)`` is valid and matches nothing."""
    items = [literal(v) for v in values]
    return "(" + (", ".join(items) or "NULL") + ")"


def file_list(paths: Iterable[object]) -> str:
    """A DuckDB list of file names: ``['a.log.gz', 'b.log.gz']``."""
    return "[" + ", ".join(literal(str(p)) for p in paths) + "]"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def parse_table(name: str, option: str) -> tuple[str, str]:
    """``DATABASE.TABLE`` from an option value, or a one-line error naming the option."""
    match = TABLE_NAME.match(name or "")
    if not match:
        raise InputError(f"{option} {name!r} is not DATABASE.TABLE (letters, digits, _ and - only)")
    return match.group(1), match.group(2)


def table_ref(database: str, table: str) -> str:
    return f"{ident(database)}.{ident(table)}"


def timestamp(at: datetime) -> str:
    at = at.astimezone(UTC) if at.tzinfo else at
    return f"TIMESTAMP '{at:%Y-%m-%d %H:%M:%S}'"


def first_missing(columns: Iterable[str], required: Iterable[str]) -> str | None:
    """The first required column not in ``columns`` (the pkt-* ones first: the usual gap in flow logs)."""
    have = set(columns)
    return next((n for n in sorted(required, key=lambda n: not n.startswith("pkt_")) if n not in have), None)
