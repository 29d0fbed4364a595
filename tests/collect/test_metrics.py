"""metrics.py: daily series, batches of at most 500 queries, ids mapped back to series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.stub import ANY, Stubber
from moto_seed import GIB, seed_estate, seed_metrics

from analyzer.collect.context import UnitContext
from analyzer.collect.metrics import collect_metrics, window

NOW = datetime(2026, 3, 31, 12, 30, tzinfo=UTC)


def test_window_is_whole_utc_days() -> None:
    assert window(NOW, 30) == (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))
    naive_midnight = datetime(2026, 3, 31, 0, 0)  # naive means UTC
    assert window(naive_midnight, 1) == (datetime(2026, 3, 30, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))


def test_series_from_moto(ctx: UnitContext) -> None:
    estate = seed_estate("us-east-1")
    seed_metrics(estate, NOW)
    vpc_functions = ["orders", "billing", "webhook", "poller"]

    series = collect_metrics(ctx, [estate.nat_id], vpc_functions, NOW, 30)

    # 6 NAT metrics + 2 per VPC function = 6 + 2 * 4 = 14 series, one GetMetricData call.
    assert len(series) == 14
    assert ctx.clients.counter.snapshot()["cloudwatch:GetMetricData"] == 1
    by_key = {(s.namespace, s.dimension_value, s.metric_name, s.stat): s for s in series}
    src = by_key[("AWS/NATGateway", estate.nat_id, "BytesInFromSource", "Sum")]
    assert (src.dimension_name, src.period_seconds) == ("NatGatewayId", 86400)
    # Datapoints on the 24 days before 2026-03-31: 2026-03-07 .. 2026-03-30, 2 GiB each.
    assert src.timestamps == tuple(datetime(2026, 3, 31, tzinfo=UTC) - timedelta(days=d) for d in range(24, 0, -1))
    assert src.values == (2.0 * GIB,) * 24
    assert by_key[("AWS/NATGateway", estate.nat_id, "ActiveConnectionCount", "Maximum")].values == (120.0,) * 24
    billing = by_key[("AWS/Lambda", "billing", "Invocations", "Sum")]
    assert billing.dimension_name == "FunctionName"
    assert billing.timestamps == (datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))
    assert billing.values == (5.0, 7.0)
    assert by_key[("AWS/NATGateway", estate.nat_id, "ErrorPortAllocation", "Sum")].values == ()  # asked, no data
    assert ("AWS/Lambda", "plain", "Invocations", "Sum") not in by_key


def test_batches_of_at_most_500_queries(ctx: UnitContext) -> None:
    sizes: list[int] = []

    def spy(params: dict[str, Any], **_: Any) -> None:
        sizes.append(len(params["MetricDataQueries"]))

    ctx.client("cloudwatch").meta.events.register("before-parameter-build.cloudwatch.GetMetricData", spy)
    names = [f"fn-{i:03d}" for i in range(300)]
    series = collect_metrics(ctx, ["nat-1", "nat-2"], names, NOW, 30)

    # 2 NATs x 6 + 300 functions x 2 = 612 queries -> ceil(612 / 500) = 2 calls.
    assert sizes == [500, 112]
    assert len(series) == 612
    assert {s.dimension_value for s in series if s.namespace == "AWS/Lambda"} == set(names)


def test_next_token_pages_merge_and_failed_queries_are_recorded(ctx: UnitContext) -> None:
    # botocore Stubber: moto never pages GetMetricData nor answers a query "Forbidden".
    day1, day2 = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)
    params = {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": "TimestampAscending"}
    with Stubber(ctx.client("cloudwatch")) as stub:
        stub.add_response("get_metric_data", {
            "MetricDataResults": [{"Id": "m0", "Label": "a", "Timestamps": [day2], "Values": [5.0],
                                   "StatusCode": "PartialData"}],
            "NextToken": "t1"}, params)
        stub.add_response("get_metric_data", {
            "MetricDataResults": [
                {"Id": "m0", "Label": "a", "Timestamps": [day1], "Values": [3.0], "StatusCode": "Complete"},
                {"Id": "m1", "Label": "b", "Timestamps": [], "Values": [], "StatusCode": "Forbidden"}],
            "Messages": [{"Code": "Forbidden", "Value": "no access to AWS/Lambda"}]},
            {**params, "NextToken": "t1"})
        series = collect_metrics(ctx, [], ["fn"], NOW, 30)
        stub.assert_no_pending_responses()

    invocations = next(s for s in series if s.metric_name == "Invocations")
    assert (invocations.timestamps, invocations.values) == ((day1, day2), (3.0, 5.0))
    assert [s.metric_name for s in series] == ["Invocations"]  # m1 (ConcurrentExecutions) failed: left out
    assert [(e.operation, e.error_code) for e in ctx.errors] == [("GetMetricData", "PartialMetricData")]
    assert "m1" in ctx.errors[0].message and "no access to AWS/Lambda" in ctx.errors[0].message


def test_failed_call_drops_the_batch_and_is_recorded(ctx: UnitContext) -> None:
    with Stubber(ctx.client("cloudwatch")) as stub:
        stub.add_client_error("get_metric_data", "AccessDenied", "not authorized", http_status_code=403)
        assert collect_metrics(ctx, ["nat-1"], [], NOW, 30) == []
    assert [(e.operation, e.error_code) for e in ctx.errors] == [("GetMetricData", "AccessDenied")]
