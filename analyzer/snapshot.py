"""Read and write Snapshot files (``.json`` or ``.json.gz``) with schema and integrity checks.

Every way a file can be wrong becomes one :class:`SnapshotError` line naming the file and, where there is
one, the field: missing, a device, too big (``MAX_SNAPSHOT_BYTES``), not gzip, not JSON, nested too deep,
a lone surrogate, no or a wrong ``schema_version``, a missing or mistyped field, and data no scan can
produce (``check_snapshot``: counts that are negative, NaN or absurd, duplicated ids, an active route to a
NAT gateway the snapshot does not hold). Nothing bad is summed silently.
"""

from __future__ import annotations

import gzip
import io
import math
import re
import zlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from analyzer.errors import SnapshotError
from analyzer.files import atomic_write_bytes, parse_json, read_limited, size_text
from analyzer.models import SNAPSHOT_SCHEMA_VERSION, CoverageError, Snapshot

__all__ = ["MAX_SNAPSHOT_BYTES", "check_snapshot", "describe_validation_error", "dump_snapshot", "encode_snapshot",
           "is_report", "load_json", "parse_json", "parse_snapshot", "read_bytes", "read_snapshot", "record_route_gaps",
           "write_snapshot"]

# The largest snapshot read, after gunzip: 50,000 functions take about 175 MB, so this holds about 300,000.
MAX_SNAPSHOT_BYTES = 1 << 30
# No count a scan records (bytes, connections, invocations per period) comes near 10^18: a NAT gateway at
# 100 Gbps moves about 10^15 bytes a day. Above it, a number is corrupt, and would overflow the money sums.
MAX_COUNT = 1e18
# What AWS account ids and region names look like. Records are joined on "account/region/id" keys, so
# a "/" (or anything else) in either would let two accounts' records meet.
ACCOUNT_ID = re.compile(r"\d{12}")
REGION = re.compile(r"[a-z]{2}(-[a-z0-9]+)+-\d{1,2}")
# Timestamps outside these years are corrupt (and near datetime's limits, date arithmetic overflows).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _is_gzip(path: Path) -> bool:
    return path.name.endswith(".gz")


def _gunzip(raw: bytes, label: str) -> bytes:
    """Decompress at most ``MAX_SNAPSHOT_BYTES``: a small gzip bomb is refused, not unpacked into memory."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            data = stream.read(MAX_SNAPSHOT_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise SnapshotError(f"{label}: not a valid gzip file ({exc})") from None
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(f"{label}: unpacks to more than the {size_text(MAX_SNAPSHOT_BYTES)} limit for a snapshot")
    return data


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when the name ends in ``.gz`` (or the bytes are gzip)."""
    path = Path(path)
    raw = read_limited(path, MAX_SNAPSHOT_BYTES, SnapshotError, str(path))
    if _is_gzip(path) or raw[:2] == b"\x1f\x8b":
        return _gunzip(raw, str(path))
    return raw


def load_json(path: Path) -> dict:
    data = parse_json(read_bytes(path), str(path), SnapshotError)
    if not isinstance(data, dict):
        raise SnapshotError(f"{path}: expected a JSON object at the top level, found {type(data).__name__}")
    return data


def describe_validation_error(exc: ValidationError) -> str:
    """The first problem of a pydantic error as ``field.path: message``, plus a count of the rest."""
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


DEMO_SNAPSHOT_PATH = "sample_data/demo_snapshot.json"


def is_report(data: dict) -> bool:
    """A report.json (``diff`` and ``--previous`` read both kinds; ``report`` only snapshots)."""
    return "summary" in data and "scenarios" in data


def parse_snapshot(data: dict, source: str = "snapshot") -> Snapshot:
    if is_report(data):
        raise SnapshotError(
            f"{source}: this is a report.json (what report and scan write), not a snapshot; pass the "
            "snapshot.json that scan saved beside it, or try `lambda-egress demo`, which analyzes the bundled "
            f"demo snapshot ({DEMO_SNAPSHOT_PATH})"
        )
    version = data.get("schema_version")
    if version is None:
        raise SnapshotError(f"{source}: missing schema_version; is this a lambda-egress snapshot?")
    if str(version) != SNAPSHOT_SCHEMA_VERSION:
        raise SnapshotError(
            f"{source}: snapshot schema_version {version!r} is not supported "
            f"(this version reads {SNAPSHOT_SCHEMA_VERSION!r})"
        )
    try:
        snapshot = Snapshot.model_validate(data)
    except ValidationError as exc:
        raise SnapshotError(f"{source}: invalid snapshot: {describe_validation_error(exc)}") from None
    return check_snapshot(snapshot, source)


def read_snapshot(path: Path) -> Snapshot:
    """Parse straight from bytes (pydantic-core, fast); on any problem, re-read slowly for a precise message."""
    path = Path(path)
    raw = read_bytes(path)
    try:
        snapshot = Snapshot.model_validate_json(raw)
    except ValidationError:
        snapshot = None
    # The model defaults schema_version; a file must say it (fields_set holds only what the file gave).
    if (
        snapshot is not None
        and "schema_version" in snapshot.model_fields_set
        and snapshot.schema_version == SNAPSHOT_SCHEMA_VERSION
    ):
        return check_snapshot(snapshot, str(path))
    data = parse_json(raw, str(path), SnapshotError)
    if not isinstance(data, dict):
        raise SnapshotError(f"{path}: expected a JSON object at the top level, found {type(data).__name__}")
    return parse_snapshot(data, source=str(path))


def dump_snapshot(snapshot: Snapshot) -> bytes:
    return snapshot.model_dump_json(exclude_defaults=False).encode("utf-8")


def encode_snapshot(snapshot: Snapshot, compress: bool) -> bytes:
    """The bytes of a snapshot file, gzipped (reproducibly: no mtime) when ``compress``."""
    data = dump_snapshot(snapshot)
    return gzip.compress(data, compresslevel=6, mtime=0) if compress else data


def write_snapshot(snapshot: Snapshot, path: Path) -> Path:
    """Write atomically; gzip when the name ends in ``.gz``."""
    path = Path(path)
    atomic_write_bytes(path, encode_snapshot(snapshot, _is_gzip(path)))
    return path


# --------------------------------------------------------------------------- integrity


def _count_problem(values: Sequence[float], where: str) -> str | None:
    """None when every value is a finite count in [0, MAX_COUNT]; else the first bad one, named."""
    if not values or (min(values) >= 0 and max(values) <= MAX_COUNT and math.isfinite(sum(values))):
        return None
    for i, v in enumerate(values):
        if not (0 <= v <= MAX_COUNT):  # NaN fails both comparisons
            return f"{where}.{i}: {v!r} is not a count (0 to {MAX_COUNT:.0e})"
    return f"{where}: the values do not sum to a finite number"


def _time_problem(times: Sequence[datetime], where: str) -> str | None:
    if not times:
        return None
    try:
        lo, hi = min(times), max(times)  # C loops; raises on naive and aware times mixed
    except TypeError:
        lo = hi = None
    if lo is None or lo.tzinfo is None or hi.tzinfo is None:
        return f"{where}: a timestamp without a time zone (write it with Z or +00:00)"
    if lo < EARLIEST or hi >= LATEST:
        return f"{where}: a timestamp outside {EARLIEST.year}-{LATEST.year}"
    return None


def _optional(value: datetime | None) -> tuple[datetime, ...]:
    return () if value is None else (value,)


def _number_problems(s: Snapshot) -> Iterator[str | None]:
    yield _time_problem((s.collected_at,), "collected_at")
    # One pass over every datapoint (C loops); the slow per-series pass only names a bad one.
    if _count_problem(list(chain.from_iterable(m.values for m in s.metrics)), "metrics"):
        yield from (_count_problem(m.values, f"metrics.{i}.values") for i, m in enumerate(s.metrics))
    for i, m in enumerate(s.metrics):
        if m.period_seconds < 1:
            yield f"metrics.{i}.period_seconds: {m.period_seconds} is not a period"
    for i, row in enumerate(s.flow_log_bytes):
        if not 0 <= row.bytes <= MAX_COUNT:
            yield f"flow_log_bytes.{i}.bytes: {row.bytes!r} is not a count (0 to {MAX_COUNT:.0e})"
    for i, quota in enumerate(s.eip_quotas):
        if not 0 <= quota.value <= MAX_COUNT:
            yield f"eip_quotas.{i}.value: {quota.value} is not a quota"
    for i, fn in enumerate(s.functions):
        yield _time_problem(_optional(fn.last_modified), f"functions.{i}.last_modified")
    for i, sub in enumerate(s.subnets):
        if (sub.available_ip_address_count or 0) < 0:
            yield f"subnets.{i}.available_ip_address_count: {sub.available_ip_address_count} is negative"


# (collection, the field that is unique within one account and region)
_UNIQUE = (
    ("functions", "arn"), ("nat_gateways", "nat_gateway_id"), ("network_interfaces", "network_interface_id"),
    ("subnets", "subnet_id"), ("route_tables", "route_table_id"), ("vpcs", "vpc_id"),
    ("elastic_ips", "allocation_id"),
)  # fmt: skip


def _first_repeat(keys: list[tuple[str, ...]]) -> int | None:
    """Index of the first key seen before, or None (the common case costs one C-level set build)."""
    if len(set(keys)) == len(keys):
        return None
    seen: set[tuple[str, ...]] = set()
    for i, key in enumerate(keys):
        if key in seen:
            return i
        seen.add(key)
    return None


def _duplicate_problems(s: Snapshot) -> Iterator[str]:
    for collection, field in _UNIQUE:
        keys = [(item.account_id, item.region, getattr(item, field)) for item in getattr(s, collection)]
        i = _first_repeat(keys)
        if i is not None:
            yield f"{collection}.{i}.{field}: {keys[i][2]} appears twice in {keys[i][0]}/{keys[i][1]}"
    i = _first_repeat([(m.account_id, m.region, m.namespace, m.dimension_value, m.metric_name) for m in s.metrics])
    if i is not None:
        m = s.metrics[i]
        yield f"metrics.{i}: a second {m.metric_name} series for {m.dimension_value} in {m.account_id}/{m.region}"
    i = _first_repeat([(r.account_id, r.region, r.nat_gateway_id, r.source_eni_id) for r in s.flow_log_bytes])
    if i is not None:
        row = s.flow_log_bytes[i]
        yield f"flow_log_bytes.{i}: {row.nat_gateway_id} / {row.source_eni_id} appears twice"


def dangling_nat_routes(snapshot: Snapshot) -> list[CoverageError]:
    """Active routes to a NAT gateway the snapshot does not hold, one coverage error each.

    A ``blackhole`` route to a deleted NAT is normal AWS. An active one means the NATs and the route
    tables disagree: in a file, corrupt input; in a scan, a NAT deleted between two calls (a gap).
    """
    nats = {(n.account_id, n.region, n.nat_gateway_id) for n in snapshot.nat_gateways}
    return [
        CoverageError(
            account_id=table.account_id,
            region=table.region,
            operation="DescribeRouteTables",
            error_code="RouteToMissingNatGateway",
            message=f"route table {table.route_table_id} routes {_destination(route)} to {route.nat_gateway_id}, "
            "which is not among the NAT gateways read",
        )
        for table in snapshot.route_tables
        for route in table.routes
        if route.nat_gateway_id
        and route.state != "blackhole"
        and (table.account_id, table.region, route.nat_gateway_id) not in nats
    ]


def record_route_gaps(snapshot: Snapshot) -> Snapshot:
    """A scanned snapshot with its dangling active NAT routes recorded as coverage errors."""
    gaps = dangling_nat_routes(snapshot)
    if not gaps:
        return snapshot
    coverage = snapshot.coverage.model_copy(update={"errors": (*snapshot.coverage.errors, *gaps)})
    return snapshot.model_copy(update={"coverage": coverage})


def _destination(route: Any) -> str:
    return route.destination_cidr_block or route.destination_ipv6_cidr_block or route.destination_prefix_list_id or "?"


def _route_problems(s: Snapshot) -> Iterator[str]:
    # A unit with a recorded gap may lack the NAT legitimately: the gap is already reported.
    gaps = {(e.account_id, e.region) for e in s.coverage.errors}
    for error in dangling_nat_routes(s):
        if (error.account_id, error.region) not in gaps:
            yield f"{error.account_id}/{error.region}: {error.message} (an active route; only blackhole ones may)"


_LOCATED = ("functions", "vpcs", "subnets", "route_tables", "nat_gateways", "network_interfaces", "elastic_ips",
            "internet_gateways", "vpc_endpoints", "prefix_lists", "metrics", "eip_quotas", "flow_log_bytes")


def _place_problems(s: Snapshot) -> Iterator[str]:
    places = {(item.account_id, item.region, name) for name in _LOCATED for item in getattr(s, name)}
    for account, region, name in sorted(places):  # a handful of distinct places, however big the snapshot
        if not ACCOUNT_ID.fullmatch(account):
            yield f"{name}: account_id {account!r} is not a 12-digit AWS account id"
        if not REGION.fullmatch(region):
            yield f"{name}: region {region!r} is not an AWS region name"


def check_snapshot(snapshot: Snapshot, source: str = "snapshot") -> Snapshot:
    """The snapshot, when its data is what a scan can produce; else one SnapshotError naming the field.

    Called on every snapshot read. Schema problems are pydantic's; these are the ones a schema cannot say.
    """
    checks = (_place_problems, _number_problems, _duplicate_problems, _route_problems)
    for problems in (check(snapshot) for check in checks):
        problem = next((p for p in problems if p), None)
        if problem:
            raise SnapshotError(f"{source}: invalid snapshot: {problem}")
    return snapshot
