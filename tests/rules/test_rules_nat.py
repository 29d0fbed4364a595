"""Rules over NAT gateways: connection-limit, nat-shared, cross-az-nat, idle-nat."""

from __future__ import annotations

from decimal import Decimal

import pytest

from analyzer.models import Settings


@pytest.mark.parametrize(
    ("peak", "share", "severity", "ratio"),
    [
        (32_499, "1", None, None),  # 32,499 / 65,000 = 0.49998: just below 0.5
        (32_500, "1", "medium", 0.5),  # 32,500 / 65,000 = 0.5 exactly
        (51_999, "1", "medium", 0.8),  # 51,999 / 65,000 = 0.799985 (rounded to 4 places: 0.8)
        (52_000, "1", "high", 0.8),  # 52,000 / 65,000 = 0.8 exactly
        (80_000, "0.5", "medium", 0.6154),  # 80,000 x 0.5 = 40,000; / 65,000 = 0.61538
        (60_000, "0.5", None, None),  # 30,000 / 65,000 = 0.4615
    ],
)
def test_connection_limit_grades(mk, peak, share, severity, ratio):
    n = mk.nat(lambda_enis=("eni-a", "eni-b"))
    use = mk.usage(nats=(mk.nat_usage(peak_active_connections=peak, lambda_share=Decimal(share)),))
    found = mk.run("connection-limit", mk.topology(nats=(n,)), use)
    assert [f.severity for f in found] == ([severity] if severity else [])
    if severity:
        f = found[0]
        assert f.resource_ids == ("nat-01", "eni-a", "eni-b")
        assert f.evidence["peak_active_connections"] == peak
        assert f.evidence["limit"] == 65_000
        assert f.evidence["ratio"] == ratio
        assert f.evidence["lambda_share"] == float(share)


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
