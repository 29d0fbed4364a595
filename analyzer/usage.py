"""Metric windows -> monthly quantities, and the Lambda share of each NAT's bytes.

* A window of ``d`` days scales to a month by ``hours_per_month / (24 d)``.
* NAT processed bytes = BytesInFromSource + BytesInFromDestination (summing
  all four byte metrics would count every byte twice).
* GB = bytes / 2^30 (``Settings.bytes_per_gb``).
* Lambda share of a NAT's bytes: from flow logs when the snapshot has them;
  1.0 when Lambda ENIs are the only consumers; otherwise the Lambda fraction of
  consumer ENIs, marked low confidence.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from analyzer.models import (
    FunctionUsage,
    MetricSeries,
    NatUsage,
    NatView,
    Settings,
    Snapshot,
    Topology,
    Usage,
)
from analyzer.topology import LAMBDA_INTERFACE_TYPE, is_other_nat_consumer

NAT_NAMESPACE = "AWS/NATGateway"
LAMBDA_NAMESPACE = "AWS/Lambda"
PROCESSED_BYTE_METRICS = ("BytesInFromSource", "BytesInFromDestination")
# A failure of one of these in a region hides NAT consumers: the NAT may look
# Lambda-only (and removable) when it is not.
CONSUMER_VISIBILITY_OPERATIONS = frozenset({"DescribeNetworkInterfaces", "DescribeSubnets", "DescribeRouteTables"})

# Flow-log bytes from addresses that match no snapshot ENI: part of a NAT's total, never Lambda's.
UNATTRIBUTED = "(unattributed)"
UNATTRIBUTED_MEDIUM = 0.1  # above this share of unattributed flow-log bytes, confidence is medium

SeriesKey = tuple[str, str, str, str, str]  # account, region, namespace, dimension value, metric


def month_factor(window_days: int, settings: Settings) -> Decimal:
    return Decimal(settings.hours_per_month) / Decimal(24 * window_days)


def monthly_gb(window_bytes: float, window_days: int, settings: Settings) -> Decimal:
    """bytes over the window -> GB per month, multiplying first and dividing once (exact where it can be)."""
    scaled = Decimal(str(window_bytes)) * Decimal(settings.hours_per_month)
    return scaled / Decimal(settings.bytes_per_gb * 24 * window_days)


def _index(metrics: tuple[MetricSeries, ...]) -> dict[SeriesKey, MetricSeries]:
    return {(m.account_id, m.region, m.namespace, m.dimension_value, m.metric_name): m for m in metrics}


def _lambda_share(
    nat: NatView, flow_bytes: dict[str, float], lambda_units: int
) -> tuple[Decimal, str, str]:
    """(share, attribution, confidence) of the NAT's bytes that Lambda sent or received."""
    if not nat.function_arns:
        return Decimal(0), "no-lambda", "high"
    if flow_bytes:
        total = sum(flow_bytes.values())
        if total > 0:
            lambda_enis = set(nat.lambda_eni_ids)
            mine = sum(b for eni, b in flow_bytes.items() if eni in lambda_enis)
            # Many bytes from addresses no snapshot ENI has (ENIs recreated in the window?): less sure.
            unknown = flow_bytes.get(UNATTRIBUTED, 0.0) > total * UNATTRIBUTED_MEDIUM
            return Decimal(str(mine)) / Decimal(str(total)), "flow-logs", "medium" if unknown else "high"
    if nat.removable:
        return Decimal(1), "sole-consumer", "high"
    # Functions that send only some destinations through the NAT count once each when their ENIs are unknown.
    others = len(nat.other_consumer_eni_ids) or len(nat.partial_function_arns)
    return Decimal(lambda_units) / Decimal(lambda_units + others), "eni-share", "low"


def _lambda_units(nat: NatView, groups: dict) -> int:
    """The NAT's Lambda consumers counted as ENIs: each moving group's ENIs (one for a group without any yet)."""
    return max(len(nat.lambda_eni_ids), sum(max(1, len(groups[k].eni_ids)) for k in nat.eni_group_keys if k in groups))


def _cross_az_fraction(nat: NatView, enis_per_subnet: dict[tuple[str, str, str], int]) -> Decimal:
    """Share of the NAT's consumers that sit in another AZ (by ENI count, else by subnet count)."""
    if not nat.cross_az_subnet_ids:
        return Decimal(0)

    def count(subnets: tuple[str, ...]) -> int:
        return sum(enis_per_subnet.get((nat.account_id, nat.region, s), 0) for s in subnets)

    total = count(nat.routed_subnet_ids)
    if total == 0:
        return Decimal(len(nat.cross_az_subnet_ids)) / Decimal(len(nat.routed_subnet_ids))
    return Decimal(count(nat.cross_az_subnet_ids)) / Decimal(total)


def _nat_usage(
    nat: NatView,
    series: dict[SeriesKey, MetricSeries],
    window_days: int,
    settings: Settings,
    flow_bytes: dict[str, float],
    enis_per_subnet: dict[tuple[str, str, str], int],
    lambda_units: int,
    blind: bool = False,
) -> NatUsage:
    def get(metric: str) -> MetricSeries | None:
        return series.get((nat.account_id, nat.region, NAT_NAMESPACE, nat.nat_gateway_id, metric))

    processed = [s for m in PROCESSED_BYTE_METRICS if (s := get(m)) is not None]
    window_bytes = sum(sum(s.values) for s in processed)
    days = len({t for s in processed for t in s.timestamps})
    gb_month = monthly_gb(window_bytes, window_days, settings)
    to_internet = get("BytesOutToDestination")
    connections = get("ActiveConnectionCount")
    port_errors = get("ErrorPortAllocation")
    share, attribution, confidence = _lambda_share(nat, flow_bytes, lambda_units)
    if blind:
        confidence = "low"
    return NatUsage(
        nat_gateway_id=nat.nat_gateway_id,
        window_bytes=window_bytes,
        days_with_data=days,
        monthly_gb=gb_month,
        lambda_share=share,
        attribution=attribution,
        confidence=confidence,
        has_metrics=bool(processed),
        peak_active_connections=max(connections.values, default=None) if connections else None,
        error_port_allocation=sum(port_errors.values) if port_errors else None,
        monthly_gb_cross_az=gb_month * _cross_az_fraction(nat, enis_per_subnet),
        monthly_gb_to_internet=monthly_gb(sum(to_internet.values) if to_internet else 0, window_days, settings),
    )


def _function_usage(arn: str, invocations: MetricSeries | None, concurrency: MetricSeries | None,
                    snapshot: Snapshot, modified: datetime | None = None) -> FunctionUsage:
    if invocations is None:
        return FunctionUsage(arn=arn)
    active_days = [t.date() for t, v in zip(invocations.timestamps, invocations.values, strict=True) if v > 0]
    last_active = max(active_days, default=None)
    today = snapshot.collected_at.date()
    if last_active:
        idle = (today - last_active).days
    else:
        # Not invoked in the window: idle at least that long, but never longer
        # than since it was last deployed (a function created yesterday is not
        # 30 days idle).
        idle = snapshot.window_days
        if modified is not None:
            idle = max(0, min(idle, (today - modified.date()).days))
    return FunctionUsage(
        arn=arn,
        has_metrics=True,
        invocations=sum(invocations.values),
        last_active=last_active,
        idle_days=idle,
        peak_concurrency=max(concurrency.values, default=None) if concurrency else None,
    )


def build_usage(snapshot: Snapshot, topology: Topology, settings: Settings) -> Usage:
    factor = month_factor(snapshot.window_days, settings)
    series = _index(snapshot.metrics)

    flow: dict[str, dict[str, float]] = defaultdict(dict)
    for row in snapshot.flow_log_bytes:
        flow[row.nat_gateway_id][row.source_eni_id] = row.bytes
    if snapshot.coverage.flow_logs is not None:
        for n in snapshot.coverage.flow_logs.nats:
            if n.unattributed_bytes:
                flow[n.nat_gateway_id][UNATTRIBUTED] = float(n.unattributed_bytes)

    own = {e for n in snapshot.nat_gateways for e in n.network_interface_ids}
    enis_per_subnet: dict[tuple[str, str, str], int] = defaultdict(int)
    for eni in snapshot.network_interfaces:
        if eni.interface_type == LAMBDA_INTERFACE_TYPE or is_other_nat_consumer(eni, own):
            enis_per_subnet[(eni.account_id, eni.region, eni.subnet_id)] += 1

    blind_regions = {
        (e.account_id, e.region) for e in snapshot.coverage.errors if e.operation in CONSUMER_VISIBILITY_OPERATIONS
    }
    groups = {g.key: g for g in topology.eni_groups}
    nats = {
        n.nat_gateway_id: _nat_usage(
            n, series, snapshot.window_days, settings, flow.get(n.nat_gateway_id, {}), enis_per_subnet,
            lambda_units=_lambda_units(n, groups), blind=(n.account_id, n.region) in blind_regions,
        )
        for n in topology.nats
    }
    modified = {f.arn: f.last_modified for f in snapshot.functions}
    functions = {}
    for fn in topology.functions:
        def get(metric: str, fn=fn) -> MetricSeries | None:
            return series.get((fn.account_id, fn.region, LAMBDA_NAMESPACE, fn.name, metric))

        functions[fn.arn] = _function_usage(
            fn.arn, get("Invocations"), get("ConcurrentExecutions"), snapshot, modified.get(fn.arn)
        )
    return Usage(window_days=snapshot.window_days, month_factor=factor, nats=nats, functions=functions)
