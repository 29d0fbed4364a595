"""One account x region: everything the analysis needs from it, its independent calls overlapping.

Against real latency a region's calls should not queue: the network
describes, the function listing (with its per-function state calls) and the
quota read do not depend on each other, so they run at once; only the
metrics (which need the NAT and function ids) and the prefix lists (which
need the route tables) wait for them. The scan-wide call permits
(``--workers``) still cap what is in flight, and adaptive retries still slow a
client that AWS throttles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from analyzer.collect.context import UnitContext, UnitStopped, clean_message
from analyzer.collect.enis import select_enis
from analyzer.collect.functions import collect_functions
from analyzer.collect.metrics import collect_metrics
from analyzer.collect.network import collect_network
from analyzer.collect.prefix_lists import collect_prefix_lists
from analyzer.collect.quotas import collect_eip_quota
from analyzer.collect.workers import Failed, TimedOut, fan_out
from analyzer.models import CoverageError, LambdaFunction, Subnet

UNIT_SERVICES = ("sts", "ec2", "lambda", "cloudwatch", "service-quotas")  # what entering and scanning use
UNIT_OPERATION = "ScanRegion"  # the operation of the one error that stands for a whole lost unit


@dataclass
class UnitResult:
    records: dict[str, list[Any]] = field(default_factory=dict)
    errors: list[CoverageError] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)


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
    net, listed, quota = fan_out([
        lambda: collect_network(ctx),
        lambda: collect_functions(ctx, include_function_state),
        lambda: collect_eip_quota(ctx) if include_metrics else None,
    ], limit=3, name="unit")
    functions = with_subnet_vpcs(listed or [], net.subnets)
    nats = net.nat_gateways or []
    prefix_lists, metrics = fan_out([
        lambda: collect_prefix_lists(ctx, net.route_tables),
        lambda: collect_metrics(ctx, [n.nat_gateway_id for n in nats], [f.name for f in functions if f.in_vpc],
                                collected_at, days) if include_metrics else [],
    ], limit=2, name="unit")
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
        "prefix_lists": prefix_lists,
        "eip_quotas": [quota] if quota is not None else [],
        "metrics": metrics,
    }
    return UnitResult(records=records, errors=list(ctx.errors), api_calls=ctx.clients.counter.snapshot())


def unit_failure(account_id: str, region: str, outcome: Failed | TimedOut, timeout: float) -> CoverageError:
    """The one error that stands for a unit whose data is lost (it crashed, or ran past its deadline)."""
    if isinstance(outcome, Failed) and isinstance(outcome.error, UnitStopped):  # it saw its deadline first
        outcome = TimedOut(timeout)
    if isinstance(outcome, TimedOut):
        code, message = "UnitTimeout", f"the region did not finish within --unit-timeout {outcome.seconds:g} s"
    else:
        code = type(outcome.error).__name__
        message = f"unexpected {code}: {clean_message(str(outcome.error))}"
    return CoverageError(account_id=account_id, region=region, operation=UNIT_OPERATION, error_code=code,
                         message=f"{message}; the region's data is left out")
