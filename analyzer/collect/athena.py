"""Athena at org scale: run one aggregation over an existing table, read only the aggregated rows back.

``--flow-logs-athena`` and ``--cur-athena`` use this. The SQL text comes from
``analyzer.inputs`` (the same text DuckDB runs on local files); this module
only talks to AWS, with ``collect/context.py``'s conventions: a failed call
becomes a coverage error (the report says the input is missing, exit 3) and
the caller gets ``None``, never an empty result taken for "no traffic".

* Table metadata: ``glue:GetTable`` (Athena's ``AwsDataCatalog`` is the Glue
  Data Catalog): the columns to check and the partition keys to prune by.
* Query: ``athena:StartQueryExecution`` in the given workgroup and output
  location, ``athena:GetQueryExecution`` until it ends (backing off, with a
  time limit, after which it is stopped), ``athena:GetQueryResults`` pages.

These calls need the optional ``OptionalAthenaInputs`` statement of the IAM
policy, not the read-only scan statement (a query writes its results to S3).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analyzer.collect.context import AWS_FAILURES, UnitContext, describe_failure
from analyzer.errors import InputError

CATALOG = "AwsDataCatalog"
DONE = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
NOT_FOUND = frozenset({"EntityNotFoundException"})
FIRST_POLL_S = 0.5
MAX_POLL_S = 5.0
DEFAULT_TIMEOUT_S = 1800.0


def athena_context(profile: str | None) -> UnitContext:
    """Clients for the caller's own account and home region, where the Athena tables are queried."""
    from analyzer.collect.clients import ClientFactory
    from analyzer.collect.session import caller_account, open_session

    factory = ClientFactory(open_session(profile))
    account = caller_account(factory)
    factory.add_account(account)
    return UnitContext(account_id=account, region=factory.home, clients=factory.for_unit(account, factory.home))


@dataclass(frozen=True)
class AthenaTable:
    database: str
    table: str
    option: str  # the command-line option that named it, for messages
    workgroup: str | None = None
    output: str | None = None  # s3://bucket/prefix/ for the query results

    @property
    def name(self) -> str:
        return f"{self.database}.{self.table}"


@dataclass(frozen=True)
class TableShape:
    columns: dict[str, str]  # name (lower case) -> type
    partitions: dict[str, str]


def table_shape(ctx: UnitContext, target: AthenaTable) -> TableShape | None:
    """The table's columns and partition keys; an unknown table is a usage error (exit 2)."""
    response = ctx.call("glue", "GetTable", absent_codes=NOT_FOUND, DatabaseName=target.database,
                        Name=target.table)
    if response is None:
        return None
    if not response:
        raise InputError(f"{target.option} {target.name}: no such table in the Glue Data Catalog of {ctx.region}")
    table = response["Table"]
    columns = {c["Name"].lower(): c.get("Type", "") for c in table.get("StorageDescriptor", {}).get("Columns", [])}
    partitions = {c["Name"]: c.get("Type", "") for c in table.get("PartitionKeys", [])}
    return TableShape(columns={**columns, **{k.lower(): v for k, v in partitions.items()}}, partitions=partitions)


def _start(ctx: UnitContext, sql: str, target: AthenaTable) -> str | None:
    params: dict[str, Any] = {"QueryString": sql,
                              "QueryExecutionContext": {"Catalog": CATALOG, "Database": target.database}}
    if target.workgroup:
        params["WorkGroup"] = target.workgroup
    if target.output:
        params["ResultConfiguration"] = {"OutputLocation": target.output}
    response = ctx.call("athena", "StartQueryExecution", **params)
    return None if response is None else str(response["QueryExecutionId"])


def _wait(ctx: UnitContext, query_id: str, timeout_s: float, sleep: Callable[[float], None]) -> bool:
    """True when the query succeeded; a failure, cancellation or time-out is recorded."""
    waited, pause = 0.0, FIRST_POLL_S
    while True:
        response = ctx.call("athena", "GetQueryExecution", QueryExecutionId=query_id)
        if response is None:
            return False
        status = response["QueryExecution"]["Status"]
        state = status.get("State", "")
        if state == "SUCCEEDED":
            return True
        if state in DONE:
            reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get("ErrorMessage", "")
            ctx.add_error("GetQueryExecution", f"Query{state.title()}", f"query {query_id}: {reason}".strip())
            return False
        if waited >= timeout_s:
            ctx.call("athena", "StopQueryExecution", QueryExecutionId=query_id)
            ctx.add_error("GetQueryExecution", "QueryTimeout", f"query {query_id} still {state} after "
                          f"{timeout_s:.0f} s: stopped")
            return False
        sleep(pause)
        waited += pause
        pause = min(pause * 2, MAX_POLL_S)


def _results(ctx: UnitContext, query_id: str) -> list[tuple[str | None, ...]] | None:
    paginator = ctx.client("athena").get_paginator("get_query_results")
    rows: list[tuple[str | None, ...]] = []
    try:
        for page in paginator.paginate(QueryExecutionId=query_id):
            for row in page.get("ResultSet", {}).get("Rows", []):
                rows.append(tuple(cell.get("VarCharValue") for cell in row.get("Data", [])))
    except AWS_FAILURES as exc:
        ctx.add_error("GetQueryResults", *describe_failure(exc))
        return None
    return rows[1:]  # the first row of a SELECT's results holds the column names


def run_query(ctx: UnitContext, sql: str, target: AthenaTable, *, timeout_s: float = DEFAULT_TIMEOUT_S,
              sleep: Callable[[float], None] = time.sleep) -> list[tuple[str | None, ...]] | None:
    """The rows (as Athena's strings, header row removed) of ``sql``; None when the query could not run."""
    query_id = _start(ctx, sql, target)
    if query_id is None or not _wait(ctx, query_id, timeout_s, sleep):
        return None
    return _results(ctx, query_id)
