"""``--flow-logs-athena`` / ``--cur-athena``: the shared SQL, pruned by the window, run in Athena.

The aggregation text is the one DuckDB runs locally (``flow_sql`` / ``cur_sql``)
over ``"database"."table"``, plus a predicate on the table's partition keys
(``partitions``) so Athena reads only the window's partitions. The aggregated
rows go through the same pure code as local rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.collect.athena import AthenaTable, TableShape, run_query, table_shape
from analyzer.collect.context import UnitContext
from analyzer.collect.metrics import window as metric_window
from analyzer.errors import InputError
from analyzer.inputs import cur_sql, flow_sql
from analyzer.inputs.cur import billing_data
from analyzer.inputs.flow_attribution import FlowLogRead, attribute, nat_interfaces
from analyzer.inputs.partitions import window_predicate
from analyzer.inputs.sql import first_missing, table_ref
from analyzer.models import BillingData, Snapshot


@dataclass(frozen=True)
class AthenaQuery:
    sql: str
    pruned: bool  # False: the table has no partition layout we know; Athena reads it whole


def _check(shape: TableShape, target: AthenaTable, required: tuple[str, ...], flow: bool) -> None:
    missing = first_missing(shape.columns, required)
    if missing:
        where = f"{target.option} {target.name}"
        raise InputError(flow_sql.missing_field_message(where, missing) if flow
                         else f"{where}: the table has no {missing} column")


def flow_query(snapshot: Snapshot, target: AthenaTable, shape: TableShape) -> AthenaQuery:
    _check(shape, target, flow_sql.REQUIRED, flow=True)
    start, end = metric_window(snapshot.collected_at, snapshot.window_days)
    prune = window_predicate(shape.partitions, start, end)
    sql = flow_sql.aggregate_sql(table_ref(target.database, target.table), sorted(nat_interfaces(snapshot)),
                                 int(start.timestamp()), int(end.timestamp()), prune)
    return AthenaQuery(sql=sql, pruned=prune is not None)


def cur_query(snapshot: Snapshot, target: AthenaTable, shape: TableShape) -> AthenaQuery:
    _check(shape, target, cur_sql.REQUIRED, flow=False)
    start, end = metric_window(snapshot.collected_at, snapshot.window_days)
    prune = window_predicate(shape.partitions, start, end)
    sql = cur_sql.aggregate_sql(table_ref(target.database, target.table), start, end, prune)
    return AthenaQuery(sql=sql, pruned=prune is not None)


def athena_flow_logs(ctx: UnitContext, snapshot: Snapshot, target: AthenaTable) -> FlowLogRead | None:
    """None when Athena could not answer (recorded in ``ctx.errors``)."""
    shape = table_shape(ctx, target)
    if shape is None:
        return None
    query = flow_query(snapshot, target, shape)
    rows = run_query(ctx, query.sql, target)
    if rows is None:
        return None
    window = metric_window(snapshot.collected_at, snapshot.window_days)
    source = f"athena:{target.name}" + ("" if query.pruned else " (no recognised partitions: read whole)")
    return attribute(rows, snapshot, source=source, engine="athena", query=query.sql, window=window)


def athena_cur(ctx: UnitContext, snapshot: Snapshot, target: AthenaTable) -> BillingData | None:
    shape = table_shape(ctx, target)
    if shape is None:
        return None
    query = cur_query(snapshot, target, shape)
    rows = run_query(ctx, query.sql, target)
    if rows is None:
        return None
    source = f"athena:{target.name}" + ("" if query.pruned else " (no recognised partitions: read whole)")
    return billing_data(rows, source, "athena", query.sql)
