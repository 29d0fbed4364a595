"""Partition pruning for Athena: a predicate on a table's partition columns that keeps only the window.

Recognised layouts (anything else is read whole, filtered by the record times,
and the report says so):

* ``year`` / ``month`` [/ ``day``]: the Hive-compatible S3 prefixes of flow-log
  delivery and the legacy CUR's Athena table (whose months are not zero-padded:
  both spellings are listed);
* ``billing_period`` (``YYYY-MM``): CUR 2.0 / Data Exports tables.

String partitions get string literals; integer partitions get numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from analyzer.inputs.sql import ident, literal

INTEGER_TYPES = frozenset({"int", "integer", "bigint", "smallint", "tinyint"})


def _value(value: int, width: int, column_type: str, *, both: bool = False) -> list[str]:
    if column_type.lower() in INTEGER_TYPES:
        return [str(value)]
    padded = f"{value:0{width}d}"
    spellings = dict.fromkeys([padded, str(value)] if both else [padded])
    return [literal(v) for v in spellings]


def _days(start: datetime, end: datetime) -> list[date]:
    """Every UTC day the half-open window [start, end) touches."""
    last = (end - timedelta(microseconds=1)).date()
    day, out = start.date(), []
    while day <= last:
        out.append(day)
        day += timedelta(days=1)
    return out


def _months(start: datetime, end: datetime) -> dict[tuple[int, int], list[int]]:
    months: dict[tuple[int, int], list[int]] = {}
    for day in _days(start, end):
        months.setdefault((day.year, day.month), []).append(day.day)
    return months


def _in(column: str, values: list[str]) -> str:
    return f"{ident(column)} = {values[0]}" if len(values) == 1 else f"{ident(column)} IN ({', '.join(values)})"


def window_predicate(partitions: Mapping[str, str], start: datetime, end: datetime) -> str | None:
    """The pruning predicate for the window over ``partitions`` (name -> type), or None when no layout fits."""
    keys = {k.lower(): (k, t) for k, t in partitions.items()}
    months = _months(start, end)
    if "billing_period" in keys:
        name, _ = keys["billing_period"]
        return _in(name, [literal(f"{y:04d}-{m:02d}") for y, m in months])
    if "year" not in keys or "month" not in keys:
        return None
    (year, year_type), (month, month_type) = keys["year"], keys["month"]
    day = keys.get("day")
    parts = []
    for (y, m), days in months.items():
        conds = [_in(year, _value(y, 4, year_type)), _in(month, _value(m, 2, month_type, both=day is None))]
        if day is not None:
            lo, hi = _value(days[0], 2, day[1])[0], _value(days[-1], 2, day[1])[0]
            conds.append(f"{ident(day[0])} BETWEEN {lo} AND {hi}")
        parts.append("(" + " AND ".join(conds) + ")")
    return "(" + " OR ".join(parts) + ")"
