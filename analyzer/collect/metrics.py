"""CloudWatch daily series for NAT gateways and VPC functions, in as few calls as AWS allows.

``GetMetricData`` takes up to 500 queries per call, so a region costs
ceil(queries / 500) calls (plus NextToken pages, which daily points over a
few weeks never need; botocore's paginator follows them and refuses a token
that repeats). The series conventions here are a contract with
``usage.py``: namespace, metric, dimension and stat spelled exactly as below.
"""

from __future__ import annotations

import math
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
    """Points per series for one batch, every page; ``None`` when a page failed.

    A query CloudWatch answered with a failed status is left out (and
    recorded): an empty series would read as "no traffic", which it is not.
    """
    by_id = {f"m{i}": key for i, key in enumerate(keys)}
    pages = ctx.all_pages(
        "cloudwatch", "GetMetricData",
        MetricDataQueries=[to_query(qid, key) for qid, key in by_id.items()],
        StartTime=start, EndTime=end, ScanBy="TimestampAscending",
    )
    if pages is None:
        return None
    points: dict[SeriesKey, dict[datetime, float]] = {key: {} for key in keys}
    failed: set[str] = set()
    uneven: set[str] = set()
    notes: list[str] = []
    for page in pages:
        results = page["MetricDataResults"]
        failed |= {r.get("Id") for r in results if r.get("StatusCode") in FAILED_STATUS}
        notes += [m.get("Value", "") for m in page.get("Messages") or [] if m.get("Value")]
        for result in results:
            key = by_id.get(result.get("Id", ""))
            stamps, values = result.get("Timestamps") or [], result.get("Values") or []
            if key is not None and len(stamps) != len(values):
                uneven.add(result["Id"])
            elif key is not None:
                points[key].update(zip(stamps, values, strict=True))
    if failed:
        ctx.add_error("GetMetricData", "PartialMetricData", _status_message(sorted(failed), notes))
    if uneven:
        ctx.add_error("GetMetricData", "MalformedItem", f"{len(uneven)} series left out: timestamps and values "
                      f"differ in number ({', '.join(sorted(uneven)[:5])})")
    for query_id in (failed | uneven) & by_id.keys():
        points.pop(by_id[query_id], None)
    return points


def _status_message(failed_ids: list[str], notes: list[str]) -> str:
    text = "; ".join(notes)
    return f"{len(failed_ids)} queries not answered ({', '.join(failed_ids[:5])})" + (f": {text}" if text else "")


def bad_values(points: dict[datetime, float]) -> list[float]:
    """Values no count or byte total can take: negative, NaN, infinite, or not numbers at all."""
    return [v for v in points.values() if not isinstance(v, int | float) or not math.isfinite(v) or v < 0]


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


def checked_series(ctx: UnitContext, points: dict[SeriesKey, dict[datetime, float]]) -> list[MetricSeries]:
    """The series whose every point is a possible value; the others are left out and recorded.

    A negative byte count summed with the rest would quietly shrink a NAT's
    traffic (and its cost); a series that cannot be trusted is a gap.
    """
    series: list[MetricSeries] = []
    rejected: list[str] = []
    for key, pts in points.items():
        wrong = bad_values(pts)
        if wrong:
            rejected.append(f"{key.dimension_value} {key.metric_name} ({wrong[0]!r})")
            continue
        series.append(to_series(ctx, key, pts))
    if rejected:
        ctx.add_error("GetMetricData", "InvalidMetricValue", f"{len(rejected)} series left out for values below "
                      f"zero or not finite: {', '.join(rejected[:5])}")
    return series


def collect_metrics(
    ctx: UnitContext, nat_ids: Iterable[str], function_names: Iterable[str], collected_at: datetime, days: int
) -> list[MetricSeries]:
    """Every series that was queried, points or not (an empty series means "asked, no data")."""
    start, end = window(collected_at, days)
    series: list[MetricSeries] = []
    for batch in batches(series_keys(nat_ids, function_names)):
        points = fetch_batch(ctx, batch, start, end)
        if points is not None:
            series.extend(checked_series(ctx, points))
    return series
