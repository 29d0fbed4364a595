"""CloudWatch daily series for NAT gateways and VPC functions, in as few calls as AWS allows.

``GetMetricData`` takes up to 500 queries per call, so a region costs
ceil(queries / 500) calls (plus NextToken pages, which daily points over a
few weeks never need). The series conventions here are a contract with
``usage.py``: namespace, metric, dimension and stat spelled exactly as below.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from analyzer.collect.context import UnitContext
from analyzer.models import MetricSeries

MAX_QUERIES = 500
DAY_SECONDS = 86400

NAT_NAMESPACE = "AWS/NATGateway"
NAT_DIMENSION = "NatGatewayId"
NAT_METRICS: tuple[tuple[str, str], ...] = (
    ("BytesInFromSource", "Sum"),
    ("BytesInFromDestination", "Sum"),
    ("BytesOutToDestination", "Sum"),
    ("BytesOutToSource", "Sum"),
    ("ActiveConnectionCount", "Maximum"),
    ("ErrorPortAllocation", "Sum"),
)
LAMBDA_NAMESPACE = "AWS/Lambda"
LAMBDA_DIMENSION = "FunctionName"
LAMBDA_METRICS: tuple[tuple[str, str], ...] = (
    ("Invocations", "Sum"),
    ("ConcurrentExecutions", "Maximum"),
)
FAILED_STATUS = frozenset({"InternalError", "Forbidden"})


@dataclass(frozen=True)
class SeriesKey:
    namespace: str
    metric_name: str
    dimension_name: str
    dimension_value: str
    stat: str


def window(collected_at: datetime, days: int) -> tuple[datetime, datetime]:
    """Whole UTC days: from midnight ``days`` days before collected_at's midnight, to that midnight."""
    at = collected_at.astimezone(UTC) if collected_at.tzinfo else collected_at.replace(tzinfo=UTC)
    end = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return end - timedelta(days=days), end


def series_keys(nat_ids: Iterable[str], function_names: Iterable[str]) -> list[SeriesKey]:
    keys = [
        SeriesKey(NAT_NAMESPACE, metric, NAT_DIMENSION, nat_id, stat)
        for nat_id in sorted(set(nat_ids))
        for metric, stat in NAT_METRICS
    ]
    keys += [
        SeriesKey(LAMBDA_NAMESPACE, metric, LAMBDA_DIMENSION, name, stat)
        for name in sorted(set(function_names))
        for metric, stat in LAMBDA_METRICS
    ]
    return keys


def to_query(query_id: str, key: SeriesKey) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": key.namespace,
                "MetricName": key.metric_name,
                "Dimensions": [{"Name": key.dimension_name, "Value": key.dimension_value}],
            },
            "Period": DAY_SECONDS,
            "Stat": key.stat,
        },
        "ReturnData": True,
    }


def batches(keys: Sequence[SeriesKey], size: int = MAX_QUERIES) -> list[Sequence[SeriesKey]]:
    return [keys[i : i + size] for i in range(0, len(keys), size)]


def fetch_batch(
    ctx: UnitContext, keys: Sequence[SeriesKey], start: datetime, end: datetime
) -> dict[SeriesKey, dict[datetime, float]] | None:
    """Points per series for one batch, following NextToken; ``None`` when a page failed.

    A query CloudWatch answered with a failed status is left out (and
    recorded): an empty series would read as "no traffic", which it is not.
    """
    by_id = {f"m{i}": key for i, key in enumerate(keys)}
    points: dict[SeriesKey, dict[datetime, float]] = {key: {} for key in keys}
    params: dict[str, Any] = {
        "MetricDataQueries": [to_query(qid, key) for qid, key in by_id.items()],
        "StartTime": start,
        "EndTime": end,
        "ScanBy": "TimestampAscending",
    }
    while True:
        page = ctx.call("cloudwatch", "GetMetricData", **params)
        if page is None:
            return None
        results = page.get("MetricDataResults", [])
        failed = sorted({r["Id"] for r in results if r.get("StatusCode") in FAILED_STATUS})
        if failed:
            ctx.add_error("GetMetricData", "PartialMetricData", _status_message(page, failed))
            for query_id in failed:
                points.pop(by_id.pop(query_id), None)
        for result in results:
            key = by_id.get(result.get("Id", ""))
            if key is not None:
                points[key].update(zip(result.get("Timestamps", []), result.get("Values", []), strict=False))
        token = page.get("NextToken")
        if not token:
            return points
        params["NextToken"] = token


def _status_message(page: dict[str, Any], failed_ids: list[str]) -> str:
    notes = "; ".join(m.get("Value", "") for m in page.get("Messages", []) if m.get("Value"))
    return f"{len(failed_ids)} queries not answered ({', '.join(failed_ids[:5])})" + (f": {notes}" if notes else "")


def to_series(ctx: UnitContext, key: SeriesKey, points: dict[datetime, float]) -> MetricSeries:
    ordered = sorted(points.items())
    return MetricSeries(
        account_id=ctx.account_id,
        region=ctx.region,
        namespace=key.namespace,
        metric_name=key.metric_name,
        dimension_name=key.dimension_name,
        dimension_value=key.dimension_value,
        stat=key.stat,
        period_seconds=DAY_SECONDS,
        timestamps=tuple(ts for ts, _ in ordered),
        values=tuple(float(v) for _, v in ordered),
    )


def collect_metrics(
    ctx: UnitContext, nat_ids: Iterable[str], function_names: Iterable[str], collected_at: datetime, days: int
) -> list[MetricSeries]:
    """Every series that was queried, points or not (an empty series means "asked, no data")."""
    start, end = window(collected_at, days)
    series: list[MetricSeries] = []
    for batch in batches(series_keys(nat_ids, function_names)):
        points = fetch_batch(ctx, batch, start, end)
        if points is not None:
            series.extend(to_series(ctx, key, pts) for key, pts in points.items())
    return series
