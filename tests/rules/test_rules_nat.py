"""Rules over NAT gateways: connection-limit, nat-shared, cross-az-nat, idle-nat."""

from __future__ import annotations

from decimal import Decimal

import pytest

from analyzer.models import Settings


@pytest.mark.parametrize(
    ("peak", "share", "enis", "severity", "per_eni", "ratio"),
    [
        # One Lambda ENI: the whole Lambda share lands on it.
        (32_499, "1", 1, None, None, None),  # 32,499 / 65,000 = 0.49998: just below 0.5
        (32_500, "1", 1, "medium", 32_500, 0.5),  # 32,500 / 65,000 = 0.5 exactly
        (51_999, "1", 1, "medium", 51_999, 0.8),  # 0.799985 (rounded to 4 places: 0.8)
        (52_000, "1", 1, "high", 52_000, 0.8),  # 52,000 / 65,000 = 0.8 exactly
        (80_000, "0.5", 1, "medium", 40_000, 0.6154),  # 80,000 x 0.5 = 40,000; / 65,000 = 0.61538
        (60_000, "0.5", 1, None, None, None),  # 30,000 / 65,000 = 0.4615
        # Several Lambda ENIs: the Lambda share is averaged over them.
        (120_000, "1", 2, "high", 60_000, 0.9231),  # 120,000 / 2 = 60,000; / 65,000 = 0.92308
        (120_000, "1", 3, "medium", 40_000, 0.6154),  # 120,000 / 3 = 40,000; / 65,000 = 0.61538
        (120_000, "1", 4, None, None, None),  # 120,000 / 4 = 30,000; / 65,000 = 0.4615
        (120_000, "0.5", 2, None, None, None),  # 60,000 / 2 = 30,000: 0.4615
        (64_000, "1", 2, None, None, None),  # the old whole-NAT check said 0.98 (high); per ENI 0.49
    ],
)
def test_connection_limit_grades_per_eni(mk, peak, share, enis, severity, per_eni, ratio):
    eni_ids = tuple(f"eni-{i}" for i in range(enis))
    n = mk.nat(lambda_enis=eni_ids, eips_needed=enis)
    use = mk.usage(nats=(mk.nat_usage(peak_active_connections=peak, lambda_share=Decimal(share)),))
    found = mk.run("connection-limit", mk.topology(nats=(n,)), use)
    assert [f.severity for f in found] == ([severity] if severity else [])
    if severity:
        f = found[0]
        assert f.resource_ids == ("nat-01", *eni_ids)
        assert f.evidence["peak_active_connections"] == peak
        assert f.evidence["lambda_share"] == float(share)
        assert f.evidence["lambda_peak_connections"] == peak * float(share)
        assert f.evidence["lambda_eni_count"] == enis
        assert f.evidence["per_eni_connections"] == per_eni
        assert f.evidence["limit"] == 65_000
        assert f.evidence["ratio"] == ratio
        assert f.evidence["lambda_eni_ids"] == list(eni_ids)
        assert f"{per_eni:,} per ENI" in f.message
        assert "average" in f.message


def test_connection_limit_message_and_remediation(mk):
    n = mk.nat(lambda_enis=("eni-a", "eni-b"), eips_needed=2)
    use = mk.usage(nats=(mk.nat_usage(peak_active_connections=120_000, lambda_share=Decimal("1")),))
    [f] = mk.run("connection-limit", mk.topology(nats=(n,)), use)
    # 120,000 x 100% over 2 ENIs = 60,000 each = 92.3% of 65,000.
    assert "peaked at 120,000 active connections" in f.message
    assert "over 2 Lambda ENIs, on average 60,000 per ENI: 92.3% of the 65,000" in f.message
    assert "one busy ENI group can carry more" in f.message
    assert "spare Elastic IP per ENI group" in f.remediation
    assert "security-group sets" in f.remediation


def test_connection_limit_without_lambda_enis_counts_one(mk):
    # Groups whose ENIs were reclaimed: no ENI today, so the estimate falls back to one ENI.
    n = mk.nat(lambda_enis=())
    use = mk.usage(nats=(mk.nat_usage(peak_active_connections=53_000, lambda_share=Decimal("1")),))
    [f] = mk.run("connection-limit", mk.topology(nats=(n,)), use)
    assert f.severity == "high"  # 53,000 / 65,000 = 0.8154
    assert f.evidence["lambda_eni_count"] == 1
    assert f.resource_ids == ("nat-01",)


def test_connection_limit_settings(mk):
    n = mk.nat(lambda_enis=("eni-a", "eni-b"))
    use = mk.usage(nats=(mk.nat_usage(peak_active_connections=40_000, lambda_share=Decimal("1")),))
    # 40,000 / 2 = 20,000; / 25,000 = 0.8 -> high with a smaller limit.
    [f] = mk.run("connection-limit", mk.topology(nats=(n,)), use, Settings(eni_connection_limit=25_000))
    assert (f.severity, f.evidence["ratio"], f.evidence["limit"]) == ("high", 0.8, 25_000)


def test_connection_limit_needs_peak_and_candidate(mk):
    no_peak = mk.nat(nat_id="nat-a")
    not_candidate = mk.nat(nat_id="nat-b", fns=(), lambda_enis=())
    use = mk.usage(nats=(mk.nat_usage("nat-a"), mk.nat_usage("nat-b", peak_active_connections=64_000)))
    assert mk.run("connection-limit", mk.topology(nats=(no_peak, not_candidate)), use) == []


def test_nat_shared_fires_with_other_consumers(mk):
    n = mk.nat(others=("eni-ec2-1", "eni-ec2-2"))
    use = mk.usage(
        nats=(mk.nat_usage(lambda_share=Decimal("0.25"), attribution="eni-share", confidence="low"),)
    )
    [f] = mk.run("nat-shared", mk.topology(nats=(n,)), use)
    assert f.severity == "medium"
    assert f.resource_ids == ("nat-01", "eni-ec2-1", "eni-ec2-2")
    assert f.evidence["lambda_share"] == 0.25
    assert f.evidence["attribution"] == "eni-share"
    assert f.evidence["confidence"] == "low"
    assert "2 non-Lambda ENIs" in f.message
    assert "25%" in f.message


def test_nat_shared_silent_when_removable_or_no_lambda(mk):
    removable = mk.nat(nat_id="nat-a")
    not_candidate = mk.nat(nat_id="nat-b", fns=(), lambda_enis=(), others=("eni-ec2",))
    assert mk.run("nat-shared", mk.topology(nats=(removable, not_candidate))) == []


def test_cross_az_nat_fires_for_zonal_nat(mk):
    n = mk.nat(cross_az_subnet_ids=("subnet-b", "subnet-c"))
    use = mk.usage(nats=(mk.nat_usage(monthly_gb_cross_az=Decimal("12.5")),))
    [f] = mk.run("cross-az-nat", mk.topology(nats=(n,)), use)
    assert f.severity == "medium"
    assert f.resource_ids == ("nat-01", "subnet-b", "subnet-c")
    assert f.evidence["nat_availability_zone"] == "eu-west-1a"
    assert f.evidence["monthly_gb_cross_az"] == 12.5
    assert "12.50 GB/month" in f.message


def test_cross_az_nat_silent_for_regional_or_same_az(mk):
    regional = mk.nat(
        nat_id="nat-r",
        availability_mode="regional",
        availability_zone=None,
        cross_az_subnet_ids=("subnet-b",),
    )
    same_az = mk.nat(nat_id="nat-z", routed_subnet_ids=("subnet-a",))
    assert mk.run("cross-az-nat", mk.topology(nats=(regional, same_az))) == []


@pytest.mark.parametrize(("gb", "fires"), [("0.99", True), ("1.0", False), ("0", True)])
def test_idle_nat_threshold(mk, gb, fires):
    n = mk.nat(fns=())  # any NAT counts, candidate or not
    use = mk.usage(nats=(mk.nat_usage(monthly_gb=Decimal(gb), window_bytes=1000.0, days_with_data=30),))
    found = mk.run("idle-nat", mk.topology(nats=(n,)), use)
    assert len(found) == (1 if fires else 0)
    if fires:
        assert found[0].severity == "low"
        assert found[0].resource_ids == ("nat-01",)
        assert found[0].evidence["monthly_gb"] == float(gb)
        assert found[0].evidence["window_bytes"] == 1000.0
        assert found[0].evidence["days_with_data"] == 30


def test_idle_nat_needs_metrics(mk):
    n = mk.nat()
    use = mk.usage(nats=(mk.nat_usage(has_metrics=False, monthly_gb=Decimal(0)),))
    assert mk.run("idle-nat", mk.topology(nats=(n,)), use) == []
    assert mk.run("idle-nat", mk.topology(nats=(n,))) == []


def test_idle_nat_threshold_from_settings(mk):
    n = mk.nat()
    use = mk.usage(nats=(mk.nat_usage(monthly_gb=Decimal("4.9")),))
    settings = Settings(idle_nat_monthly_gb=Decimal("5"))
    [f] = mk.run("idle-nat", mk.topology(nats=(n,)), use, settings)
    assert f.evidence["threshold_monthly_gb"] == 5.0
