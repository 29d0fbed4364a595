"""A live scan: account x region units, run concurrently, merged into one Snapshot.

Each unit collects its region's network, functions, quota and metrics with
its own error list; one failed call (or a whole denied region) never stops
the other units, and neither does a unit that crashes or runs past
``--unit-timeout``: each becomes one coverage error. The merged snapshot is
sorted so the same account state always gives the same file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.collect.accounts import GLOBAL, enter_account, target_accounts
from analyzer.collect.clients import ApiCallCounter, ClientPool
from analyzer.collect.context import UnitContext, UnitStopped, clean_message, describe_failure
from analyzer.collect.enis import select_enis
from analyzer.collect.functions import collect_functions
from analyzer.collect.metrics import collect_metrics
from analyzer.collect.network import collect_network
from analyzer.collect.prefix_lists import collect_prefix_lists
from analyzer.collect.quotas import collect_eip_quota
from analyzer.collect.session import caller_account, enabled_regions, open_session, validate_regions
from analyzer.collect.workers import Failed, JobRunner, TimedOut, fan_out
from analyzer.errors import ConfigError, Interrupted
from analyzer.models import Account, Coverage, CoverageError, LambdaFunction, Snapshot, Subnet

MAX_DAYS = 455  # CloudWatch keeps hourly (and so daily) data for 455 days
DEFAULT_UNIT_TIMEOUT = 300.0

Progress = Callable[[str, int, int], None]

# Snapshot field -> the record attribute that identifies it within a region.
RECORD_IDS = {
    "functions": "arn",
    "vpcs": "vpc_id",
    "subnets": "subnet_id",
    "route_tables": "route_table_id",
    "nat_gateways": "nat_gateway_id",
    "network_interfaces": "network_interface_id",
    "elastic_ips": "allocation_id",
    "internet_gateways": "internet_gateway_id",
    "vpc_endpoints": "vpc_endpoint_id",
    "prefix_lists": "prefix_list_id",
    "eip_quotas": "region",
}


@dataclass(frozen=True)
class ScanRequest:
    profile: str | None = None
    regions: tuple[str, ...] = ()  # empty: every enabled region
    org: bool = False
    role_name: str | None = None
    accounts_file: Path | None = None
    days: int = 30
    workers: int = 8
    unit_timeout: float = DEFAULT_UNIT_TIMEOUT  # seconds one account x region may take
    now: datetime | None = None  # tests; default: current UTC time
    # What only the cost/risk analysis needs. `verify` turns both off: it reads
    # topology and public IPs alone, so it costs a handful of List/Describe
    # calls per region instead of one call per function plus CloudWatch.
    include_metrics: bool = True  # GetMetricData series and the EIP quota (GetServiceQuota)
    include_function_state: bool = True  # GetFunctionConfiguration per VPC function


@dataclass
class UnitResult:
    records: dict[str, list[Any]] = field(default_factory=dict)
    errors: list[CoverageError] = field(default_factory=list)


def with_subnet_vpcs(functions: list[LambdaFunction], subnets: list[Subnet] | None) -> list[LambdaFunction]:
    """Take each VPC function's VPC from its subnet when the subnet is known.

    The subnet is the authority (a function's subnets all sit in one VPC);
    ``VpcConfig.VpcId`` agrees on AWS, but emulators may return a placeholder.
    """
    vpc_of = {s.subnet_id: s.vpc_id for s in subnets or []}
    fixed = []
    for fn in functions:
        vpc = next((vpc_of[s] for s in fn.subnet_ids if s in vpc_of), None)
        fixed.append(fn.model_copy(update={"vpc_id": vpc}) if vpc and vpc != fn.vpc_id else fn)
    return fixed


def scan_unit(ctx: UnitContext, collected_at: datetime, days: int, include_metrics: bool = True,
              include_function_state: bool = True) -> UnitResult:
    """Everything one region of one account holds that the analysis needs (less, when asked)."""
    net = collect_network(ctx)
    functions = with_subnet_vpcs(collect_functions(ctx, include_function_state) or [], net.subnets)
    nats = net.nat_gateways or []
    records: dict[str, list[Any]] = {
        "functions": functions,
        "vpcs": net.vpcs or [],
        "subnets": net.subnets or [],
        "route_tables": net.route_tables or [],
        "nat_gateways": nats,
        "network_interfaces": select_enis(net.network_interfaces or [], nats, net.route_tables, net.subnets),
        "elastic_ips": net.elastic_ips or [],
        "internet_gateways": net.internet_gateways or [],
        "vpc_endpoints": net.vpc_endpoints or [],
        "prefix_lists": collect_prefix_lists(ctx, net.route_tables),
        "eip_quotas": [collect_eip_quota(ctx)] if include_metrics else [],
        "metrics": collect_metrics(
            ctx, [n.nat_gateway_id for n in nats], [f.name for f in functions if f.in_vpc], collected_at, days
        )
        if include_metrics
        else [],
    }
    return UnitResult(records=records, errors=list(ctx.errors))


def _check(request: ScanRequest) -> None:
    if not 1 <= request.days <= MAX_DAYS:
        raise ConfigError(f"--days must be between 1 and {MAX_DAYS}, got {request.days}")
    if request.workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {request.workers}")
    if request.unit_timeout <= 0:
        raise ConfigError(f"--unit-timeout must be more than 0 seconds, got {request.unit_timeout:g}")


def _account_regions(
    pool: ClientPool, caller_id: str, account: Account, request: ScanRequest, regions: tuple[str, ...]
) -> tuple[list[str], CoverageError | None]:
    """Enter the account and list the regions to scan in it; on failure no regions and the error."""
    operation = "AssumeRole"
    try:
        error = enter_account(pool, caller_id, account.account_id, request.role_name)
        if error is not None:
            return [], error
        if regions:
            return list(regions), None
        operation = "DescribeRegions"
        return enabled_regions(pool, account.account_id), None
    except Exception as exc:  # recorded, never raised: one account never stops the others
        code, message = describe_failure(exc)
        return [], CoverageError(account_id=account.account_id, region=GLOBAL, operation=operation,
                                 error_code=code, message=message)


def _sorted_records(name: str, records: Iterable[Any]) -> tuple[Any, ...]:
    if name == "metrics":
        return tuple(sorted(records, key=lambda m: (m.account_id, m.region, m.namespace, m.dimension_value,
                                                    m.metric_name, m.stat)))
    ident = RECORD_IDS[name]
    return tuple(sorted(records, key=lambda r: (r.account_id, r.region, getattr(r, ident))))


def unit_failure(ctx: UnitContext, outcome: Failed | TimedOut, timeout: float) -> CoverageError:
    """The one error that stands for a unit whose data is lost (it crashed, or ran past its deadline)."""
    if isinstance(outcome, Failed) and isinstance(outcome.error, UnitStopped):  # it saw its deadline first
        outcome = TimedOut(timeout)
    if isinstance(outcome, TimedOut):
        code, message = "UnitTimeout", f"the region did not finish within --unit-timeout {outcome.seconds:g} s"
    else:
        code = type(outcome.error).__name__
        message = f"unexpected {code}: {clean_message(str(outcome.error))}"
    return CoverageError(account_id=ctx.account_id, region=ctx.region, operation="ScanRegion", error_code=code,
                         message=f"{message}; the region's data is left out")


def run_scan(request: ScanRequest, on_progress: Progress | None = None) -> Snapshot:
    """on_progress(label, done, total) after each account x region unit finishes.

    Ctrl-C stops the scan within a poll interval, even with calls blocked in
    a socket read (their threads are daemons): :class:`Interrupted`, exit 130.
    """
    _check(request)
    collected_at = (request.now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    counter = ApiCallCounter()
    pool = ClientPool(counter)
    session = open_session(request.profile)
    regions = validate_regions(session, request.regions)
    stop = threading.Event()
    try:
        caller_id = caller_account(pool, session)
        pool.add_account(caller_id, session)
        accounts = target_accounts(pool, caller_id, request.org, request.accounts_file, request.role_name)
        entered = fan_out([lambda a=a: _account_regions(pool, caller_id, a, request, regions) for a in accounts],
                          request.workers, "account")
        errors: list[CoverageError] = [err for _, err in entered if err is not None]
        merged: dict[str, list[Any]] = {name: [] for name in [*RECORD_IDS, "metrics"]}
        scanned_regions: set[str] = set(regions)
        runner: JobRunner[tuple[str, str], UnitResult] = JobRunner(request.workers, request.unit_timeout)
        contexts: dict[tuple[str, str], UnitContext] = {}
        for account, (account_regions, _) in zip(accounts, entered, strict=True):
            for region in account_regions:
                ctx = contexts[(account.account_id, region)] = UnitContext(
                    account_id=account.account_id, region=region, pool=pool, stop=stop)
                runner.add((account.account_id, region), lambda deadline, ctx=ctx: _run_unit(ctx, deadline, request,
                                                                                             collected_at))
        for done, ((account_id, region), outcome) in enumerate(runner.run(), start=1):
            scanned_regions.add(region)
            if isinstance(outcome, Failed | TimedOut):
                errors.append(unit_failure(contexts[(account_id, region)], outcome, request.unit_timeout))
            else:
                for name, records in outcome.records.items():
                    merged[name].extend(records)
                errors.extend(outcome.errors)
            if on_progress is not None:
                on_progress(f"{account_id}/{region}", done, len(contexts))
    except KeyboardInterrupt:
        stop.set()  # calls still in flight start nothing new; their threads die with the process
        raise Interrupted("scan interrupted; nothing was written") from None

    return Snapshot(
        tool_version=__version__,
        collected_at=collected_at,
        window_days=request.days,
        accounts=tuple(accounts),
        **{name: _sorted_records(name, records) for name, records in merged.items()},
        coverage=Coverage(
            accounts=tuple(a.account_id for a in accounts),
            regions=tuple(sorted(scanned_regions)),
            errors=tuple(sorted(errors, key=lambda e: (e.account_id, e.region, e.operation, e.error_code, e.message))),
            api_calls=counter.snapshot(),
        ),
    )


def _run_unit(ctx: UnitContext, deadline: float | None, request: ScanRequest, collected_at: datetime) -> UnitResult:
    ctx.deadline = deadline
    return scan_unit(ctx, collected_at, request.days, request.include_metrics, request.include_function_state)
