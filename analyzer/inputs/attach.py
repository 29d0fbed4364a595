"""Add the traffic and billing inputs of ``scan`` / ``report`` to a snapshot.

``--flow-logs PATH`` / ``--flow-logs-athena DB.TABLE`` fill ``flow_log_bytes``
and ``coverage.flow_logs``; ``--cur PATH`` / ``--cur-athena DB.TABLE`` fill
``billing``. ``check`` validates the options and the local files' fields up
front (a scan fails before it starts, not after); ``attach`` reads them.
An Athena query that fails is a coverage error (exit 3), never "no traffic".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import InputError
from analyzer.inputs.sql import parse_table
from analyzer.models import Snapshot


@dataclass(frozen=True)
class TrafficOptions:
    flow_logs: tuple[Path, ...] = ()
    flow_logs_athena: str | None = None
    cur: tuple[Path, ...] = ()
    cur_athena: str | None = None
    athena_workgroup: str | None = None
    athena_output: str | None = None
    profile: str | None = None

    @property
    def uses_athena(self) -> bool:
        return bool(self.flow_logs_athena or self.cur_athena)

    @property
    def given(self) -> bool:
        return bool(self.flow_logs or self.cur or self.uses_athena)


def check(options: TrafficOptions) -> None:
    """Option combinations and local paths; a problem is one line (exit 2)."""
    from analyzer.inputs.cur import OPTION as CUR
    from analyzer.inputs.cur import SUFFIXES as CUR_SUFFIXES
    from analyzer.inputs.files import find_files
    from analyzer.inputs.flow_logs import OPTION as FLOW
    from analyzer.inputs.flow_logs import SUFFIXES as FLOW_SUFFIXES

    if options.flow_logs and options.flow_logs_athena:
        raise InputError("use either --flow-logs or --flow-logs-athena, not both")
    if options.cur and options.cur_athena:
        raise InputError("use either --cur or --cur-athena, not both")
    if options.flow_logs_athena:
        parse_table(options.flow_logs_athena, "--flow-logs-athena")
    if options.cur_athena:
        parse_table(options.cur_athena, "--cur-athena")
    if (options.athena_workgroup or options.athena_output) and not options.uses_athena:
        raise InputError("--athena-workgroup and --athena-output go with --flow-logs-athena or --cur-athena")
    if options.athena_output and not options.athena_output.startswith("s3://"):
        raise InputError(f"--athena-output {options.athena_output!r} is not an s3://bucket/prefix/ location")
    find_files(options.flow_logs, FLOW_SUFFIXES, "flow-log", FLOW)
    find_files(options.cur, CUR_SUFFIXES, "CUR", CUR)


def _target(name: str, option: str, options: TrafficOptions) -> Any:
    from analyzer.collect.athena import AthenaTable

    database, table = parse_table(name, option)
    return AthenaTable(database=database, table=table, option=option, workgroup=options.athena_workgroup,
                       output=options.athena_output)


def attach(snapshot: Snapshot, options: TrafficOptions) -> Snapshot:
    """The snapshot with the flow-log bytes and CUR lines the options point at."""
    if not options.given:
        return snapshot
    check(options)
    ctx = None
    if options.uses_athena:
        from analyzer.collect.athena import athena_context

        ctx = athena_context(options.profile)
    try:
        return _attach(snapshot, options, ctx)
    finally:
        if ctx is not None:
            ctx.clients.close()


def _attach(snapshot: Snapshot, options: TrafficOptions, ctx: Any) -> Snapshot:
    update: dict[str, Any] = {}
    coverage = snapshot.coverage
    flow = None
    if options.flow_logs:
        from analyzer.inputs.flow_logs import read_flow_logs

        flow = read_flow_logs(snapshot, options.flow_logs)
    elif options.flow_logs_athena:
        from analyzer.inputs.athena_sources import athena_flow_logs

        flow = athena_flow_logs(ctx, snapshot, _target(options.flow_logs_athena, "--flow-logs-athena", options))
    if flow is not None:
        update["flow_log_bytes"] = flow.flow_log_bytes
        coverage = coverage.model_copy(update={"flow_logs": flow.stats})
    if options.cur:
        from analyzer.inputs.cur import read_cur

        update["billing"] = read_cur(snapshot, options.cur)
    elif options.cur_athena:
        from analyzer.inputs.athena_sources import athena_cur

        update["billing"] = athena_cur(ctx, snapshot, _target(options.cur_athena, "--cur-athena", options))
    if ctx is not None:
        calls = Counter(coverage.api_calls) + Counter(ctx.clients.counter.snapshot())
        coverage = coverage.model_copy(update={"errors": (*coverage.errors, *ctx.errors),
                                               "api_calls": dict(sorted(calls.items()))})
    update["coverage"] = coverage
    return snapshot.model_copy(update=update)
