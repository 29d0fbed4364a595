"""run_scan in process against moto behind the fault proxy: attempts, budgets, timeouts, odd data.

The end-to-end tests (test_e2e_faults.py) prove each fault class through the
real CLI; these prove the mechanisms under them, with exact counts.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from moto_seed import GIB, client, put_daily, seed_estate, seed_metrics
from moto_server import Fault, MotoServer

from analyzer.collect import clients as clients_module
from analyzer.collect import session as session_module
from analyzer.collect import unit as unit_module
from analyzer.collect.scan import ScanRequest, run_scan
from analyzer.models import Snapshot

NOW = datetime(2026, 3, 31, 9, 45, tzinfo=UTC)
REGIONS = ("us-east-1", "eu-west-1")


@pytest.fixture
def two_regions(moto_server: MotoServer):
    estates = {r: seed_estate(r, moto_server.moto_url) for r in REGIONS}
    assert moto_server.layer is not None
    return estates


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries at once (botocore's jitter would make ten attempts take a minute)."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


def scan(**kwargs) -> Snapshot:
    return run_scan(ScanRequest(regions=REGIONS, now=NOW, **kwargs))


def gaps(snapshot: Snapshot) -> list[tuple[str, str, str]]:
    return [(e.region, e.operation, e.error_code) for e in snapshot.coverage.errors]


def attempts(server: MotoServer, region: str, operation: str) -> int:
    assert server.layer is not None
    return sum(1 for _, r, op in server.layer.seen if (r, op) == (region, operation))


@pytest.mark.parametrize("max_attempts", [1, 10])
def test_aws_max_attempts_counts_every_attempt_like_the_aws_cli(
    moto_server: MotoServer, two_regions, monkeypatch: pytest.MonkeyPatch, no_backoff: None, max_attempts: int
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", str(max_attempts))
    moto_server.layer.faults.append(Fault("ec2", "us-east-1", "DescribeVpcs", "error5xx"))

    snapshot = scan()

    assert attempts(moto_server, "us-east-1", "DescribeVpcs") == max_attempts  # not max_attempts + 1
    assert gaps(snapshot) == [("us-east-1", "DescribeVpcs", "InternalError")]
    assert snapshot.coverage.api_calls["ec2:DescribeVpcs"] == 2  # logical calls, one per region


def test_a_5xx_burst_shorter_than_the_attempts_is_absorbed(
    moto_server: MotoServer, two_regions, no_backoff: None
) -> None:
    moto_server.layer.faults.append(Fault("lambda", "us-east-1", "ListFunctions", "error5xx", times=3))
    snapshot = scan()
    assert gaps(snapshot) == [] and attempts(moto_server, "us-east-1", "ListFunctions") == 4
    assert len([f for f in snapshot.functions if f.region == "us-east-1"]) == 5


def test_no_retry_starts_once_the_call_budget_is_spent(
    moto_server: MotoServer, two_regions, monkeypatch: pytest.MonkeyPatch, no_backoff: None
) -> None:
    monkeypatch.setattr(clients_module, "CALL_BUDGET", 0.0)
    moto_server.layer.faults.append(Fault("ec2", "eu-west-1", "DescribeSubnets", "error5xx"))
    snapshot = scan()
    assert attempts(moto_server, "eu-west-1", "DescribeSubnets") == 1  # ten allowed, none afforded
    assert gaps(snapshot) == [("eu-west-1", "DescribeSubnets", "InternalError")]


def test_a_hung_call_times_out_in_seconds_and_the_rest_of_the_region_is_kept(
    moto_server: MotoServer, two_regions, monkeypatch: pytest.MonkeyPatch, no_backoff: None
) -> None:
    # Short, but not shorter than moto's slowest answer on a busy 2-core machine.
    monkeypatch.setattr(session_module, "READ_TIMEOUT", 3.0)
    monkeypatch.setattr(clients_module, "CALL_BUDGET", 5.0)  # ten attempts allowed, two afforded
    moto_server.layer.faults.append(Fault("ec2", "us-east-1", "DescribeNatGateways", "hang"))

    started = time.monotonic()
    snapshot = scan()
    elapsed = time.monotonic() - started

    assert gaps(snapshot) == [("us-east-1", "DescribeNatGateways", "ReadTimeoutError")]
    assert attempts(moto_server, "us-east-1", "DescribeNatGateways") == 2  # 3 s each: no third after 5 s
    assert elapsed < 15  # two read timeouts, not ten; not the unit's 300 s
    assert {f.region for f in snapshot.functions} == set(REGIONS)
    assert [n.region for n in snapshot.nat_gateways] == ["eu-west-1"]


def test_a_unit_past_its_deadline_is_one_gap_and_the_scan_goes_on(moto_server: MotoServer, two_regions) -> None:
    moto_server.layer.faults.append(Fault("lambda", "eu-west-1", "ListFunctions", "hang"))
    started = time.monotonic()
    snapshot = scan(unit_timeout=4.0)
    assert time.monotonic() - started < 8  # not the 15 s read timeout, let alone a minute of retries
    assert gaps(snapshot) == [("eu-west-1", "ScanRegion", "UnitTimeout")]
    assert "--unit-timeout 4 s" in snapshot.coverage.errors[0].message
    assert {f.region for f in snapshot.functions} == {"us-east-1"}  # the timed-out region's data is left out
    assert snapshot.coverage.regions == ("eu-west-1", "us-east-1")


def test_a_crashing_unit_is_recorded_not_raised(
    moto_server: MotoServer, two_regions, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = unit_module.collect_eip_quota

    def flaky(ctx):
        if ctx.region == "us-east-1":
            raise RuntimeError("a bug, say")
        return real(ctx)

    monkeypatch.setattr(unit_module, "collect_eip_quota", flaky)
    snapshot = scan()
    [error] = snapshot.coverage.errors
    assert (error.region, error.operation, error.error_code) == ("us-east-1", "ScanRegion", "RuntimeError")
    assert error.message == "unexpected RuntimeError: a bug, say; the region's data is left out"
    assert {f.region for f in snapshot.functions} == {"eu-west-1"}


def test_odd_answers_are_gaps_not_data(moto_server: MotoServer, two_regions) -> None:
    """Repeated ids, items missing a field, garbage on the quota, control characters in a message."""
    moto_server.layer.faults += [
        Fault("ec2", "us-east-1", "DescribeNatGateways", "duplicate"),
        Fault("lambda", "eu-west-1", "ListFunctions", "drop-field", field="FunctionArn"),
        Fault("servicequotas", "us-east-1", "GetServiceQuota", "html"),
        Fault("ec2", "eu-west-1", "DescribeVpcEndpoints", "deny", message="no\x1b[31m access\x00"),  # bad XML
        Fault("servicequotas", "eu-west-1", "GetServiceQuota", "deny",
              message="no\x1b[2J\x1b]0;owned\x07 access\u202e"),
        Fault("monitoring", "us-east-1", "GetMetricData", "repeat-token"),  # our own NextToken loop would spin
    ]
    snapshot = scan()
    assert gaps(snapshot) == [("eu-west-1", "DescribeVpcEndpoints", "ResponseParserError"),
                              ("eu-west-1", "GetServiceQuota", "AccessDeniedException"),
                              ("eu-west-1", "ListFunctions", "MalformedItem"),
                              ("us-east-1", "DescribeNatGateways", "DuplicateItem"),
                              ("us-east-1", "GetMetricData", "PaginationError"),
                              ("us-east-1", "GetServiceQuota", "MalformedResponse")]
    unparsable, denied, dropped, repeated, _, quota_error = snapshot.coverage.errors
    assert not [m for m in snapshot.metrics if m.region == "us-east-1"]  # a partial series is no series
    assert "\x00" not in unparsable.message and "invalid XML received" in unparsable.message
    assert [n.region for n in snapshot.nat_gateways].count("us-east-1") == 1  # the copy is not a second NAT
    assert repeated.message.startswith("1 repeated NatGatewayId value(s)")
    assert {f.region for f in snapshot.functions} == {"us-east-1"}
    assert dropped.message.startswith("5 of 5 items left out")
    assert denied.message == "no access\\u202e"  # escapes dropped, the rest spelled out, one line
    assert quota_error.message.startswith("GetServiceQuota: the answer has no Quota")
    quota = next(q for q in snapshot.eip_quotas if q.region == "us-east-1")
    assert (quota.value, quota.source) == (5, "default") and "call failed" in (quota.note or "")


def test_negative_or_garbage_metric_values_leave_the_series_out(moto_server: MotoServer, two_regions) -> None:
    estate = two_regions["us-east-1"]
    seed_metrics(estate, NOW, moto_server.moto_url)
    cw = client("cloudwatch", "eu-west-1", moto_server.moto_url)
    put_daily(cw, "AWS/NATGateway", "BytesInFromSource", ("NatGatewayId", two_regions["eu-west-1"].nat_id),
              {1: 2.0 * GIB, 2: -5.0 * GIB}, NOW)

    snapshot = scan()

    [error] = snapshot.coverage.errors
    assert (error.region, error.operation, error.error_code) == ("eu-west-1", "GetMetricData", "InvalidMetricValue")
    assert f"{two_regions['eu-west-1'].nat_id} BytesInFromSource" in error.message
    kept = {(m.region, m.dimension_value, m.metric_name) for m in snapshot.metrics}
    assert ("eu-west-1", two_regions["eu-west-1"].nat_id, "BytesInFromSource") not in kept
    assert ("eu-west-1", two_regions["eu-west-1"].nat_id, "BytesInFromDestination") in kept
    assert ("us-east-1", estate.nat_id, "BytesInFromSource") in kept


def test_eni_listing_includes_managed_resources(moto_server: MotoServer, two_regions) -> None:
    """IncludeManagedResources=true on DescribeNetworkInterfaces (moto accepts and ignores it)."""
    sent: list[dict] = []
    original = clients_module.install_hooks

    def spy(client, counter, budget):
        client.meta.events.register("provide-client-params.ec2.DescribeNetworkInterfaces",
                                    lambda params, **_: sent.append(dict(params)))
        return original(client, counter, budget)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(clients_module, "install_hooks", spy)
        snapshot = scan()
    assert snapshot.coverage.errors == ()
    assert len(sent) == 2 and all(p.get("IncludeManagedResources") is True for p in sent)
