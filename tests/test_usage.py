"""Window -> month scaling, GB definition, NAT byte attribution and idle days."""

from __future__ import annotations

from decimal import Decimal

from builders import daily, eni, function, nat, snapshot, subnet, table

from analyzer.models import FlowLogBytes, Settings
from analyzer.topology import build_topology
from analyzer.usage import build_usage, month_factor

GIB = 2**30


def _usage(snap):
    return build_usage(snap, build_topology(snap), Settings())


def _nat_snapshot(*extra_enis, metrics=(), flow=()):
    return snapshot(
        subnets=(subnet("subnet-a"),),
        route_tables=(table("rtb", subnets=("subnet-a",), nat="nat-a"),),
        nat_gateways=(nat("nat-a"),),
        functions=(function("fn", ("subnet-a",)),),
        network_interfaces=(eni("eni-l1", "subnet-a"), *extra_enis),
        metrics=metrics,
        flow_log_bytes=flow,
    )


def test_month_factor_is_730_over_24_days():
    assert month_factor(30, Settings()) == Decimal(730) / Decimal(720)
    assert month_factor(7, Settings()) == Decimal(730) / Decimal(168)


def test_processed_bytes_are_in_from_source_plus_in_from_destination_only():
    # 14 days: 1 GiB/day in from source, 0.5 GiB/day in from destination; the
    # "out" metrics mirror them and must not be added (that would double count).
    metrics = (
        daily("BytesInFromSource", "nat-a", [GIB] * 14),
        daily("BytesInFromDestination", "nat-a", [GIB / 2] * 14),
        daily("BytesOutToDestination", "nat-a", [GIB] * 14),
        daily("BytesOutToSource", "nat-a", [GIB / 2] * 14),
        daily("ActiveConnectionCount", "nat-a", [100.0, 900.0, 300.0], stat="Maximum"),
    )
    snap = _nat_snapshot(metrics=metrics).model_copy(update={"window_days": 14})
    u = _usage(snap).nats["nat-a"]
    assert u.window_bytes == 21 * GIB  # 14 * 1.5 GiB
    assert u.days_with_data == 14
    # 21 GiB in 14 days -> 21 * 730 / (24 * 14) = 45.625 GB/month
    assert u.monthly_gb == Decimal("45.625")
    assert u.peak_active_connections == 900.0
    assert u.has_metrics


def test_nat_without_metrics_is_marked_so():
    u = _usage(_nat_snapshot()).nats["nat-a"]
    assert not u.has_metrics
    assert u.monthly_gb == 0


def test_attribution_sole_consumer_eni_share_and_flow_logs():
    assert _usage(_nat_snapshot()).nats["nat-a"].attribution == "sole-consumer"

    shared = _usage(_nat_snapshot(eni("eni-ec2", "subnet-a", ("sg-x",), kind="interface"))).nats["nat-a"]
    assert (shared.attribution, shared.confidence) == ("eni-share", "low")
    assert shared.lambda_share == Decimal(1) / Decimal(2)  # 1 Lambda ENI of 2 consumers

    flow = (
        FlowLogBytes(account_id="123456789012", region="us-east-1", nat_gateway_id="nat-a",
                     source_eni_id="eni-l1", bytes=300.0),
        FlowLogBytes(account_id="123456789012", region="us-east-1", nat_gateway_id="nat-a",
                     source_eni_id="eni-ec2", bytes=100.0),
    )
    logged = _usage(_nat_snapshot(eni("eni-ec2", "subnet-a", ("sg-x",), kind="interface"), flow=flow))
    assert logged.nats["nat-a"].attribution == "flow-logs"
    assert logged.nats["nat-a"].lambda_share == Decimal("0.75")  # 300 / (300 + 100)


def test_idle_days_from_last_invocation_before_collected_at():
    # collected 2026-11-01; daily points for 2026-10-02 .. 2026-10-31; last non-zero on 10-12
    values = [5.0] * 11 + [0.0] * 19
    metrics = (daily("Invocations", "fn", values, namespace="AWS/Lambda", dim_name="FunctionName"),)
    fu = _usage(_nat_snapshot(metrics=metrics)).functions[
        "arn:aws:lambda:us-east-1:123456789012:function:fn"]
    assert str(fu.last_active) == "2026-10-12"
    assert fu.idle_days == 20  # 2026-11-01 - 2026-10-12
    assert fu.invocations == 55.0


def test_function_never_invoked_in_window_is_idle_for_the_whole_window():
    metrics = (daily("Invocations", "fn", [], namespace="AWS/Lambda", dim_name="FunctionName"),)
    fu = _usage(_nat_snapshot(metrics=metrics)).functions["arn:aws:lambda:us-east-1:123456789012:function:fn"]
    assert fu.idle_days == 30 and fu.last_active is None


def test_function_without_metrics_has_unknown_idle_days():
    fu = _usage(_nat_snapshot()).functions["arn:aws:lambda:us-east-1:123456789012:function:fn"]
    assert fu.idle_days is None and not fu.has_metrics


def test_function_deployed_inside_the_window_is_idle_only_since_then():
    from datetime import UTC, datetime

    metrics = (daily("Invocations", "fn", [], namespace="AWS/Lambda", dim_name="FunctionName"),)
    snap = _nat_snapshot(metrics=metrics)
    fresh = snap.functions[0].model_copy(update={"last_modified": datetime(2026, 10, 29, 17, 0, tzinfo=UTC)})
    snap = snap.model_copy(update={"functions": (fresh,)})
    fu = _usage(snap).functions[fresh.arn]
    assert fu.idle_days == 3  # 2026-11-01 - 2026-10-29, not the 30-day window


def test_nat_in_a_region_whose_enis_could_not_be_read_is_low_confidence():
    from analyzer.models import Coverage, CoverageError

    gap = CoverageError(account_id="123456789012", region="us-east-1", operation="DescribeNetworkInterfaces",
                        error_code="AccessDenied", message="denied")
    snap = _nat_snapshot().model_copy(update={"coverage": Coverage(errors=(gap,))})
    u = _usage(snap).nats["nat-a"]
    assert u.attribution == "sole-consumer" and u.confidence == "low"  # unseen consumers may exist
    assert _usage(_nat_snapshot()).nats["nat-a"].confidence == "high"
