"""The bundled demo keeps a high and a medium case for the graded rules (see devtools/demo.py's docstring)."""

from __future__ import annotations

from datetime import date

import pytest

from analyzer.pipeline import demo_snapshot
from analyzer.pricing import load_price_book
from analyzer.result import analyze
from analyzer.rules.base import function_name


@pytest.fixture(scope="module")
def result():
    return analyze(demo_snapshot(), load_price_book(), today=date(2026, 11, 1))


def test_connection_limit_cases_per_eni(result):
    names = {n.nat_gateway_id: n.name for n in result.nat_gateways}
    found = {names[f.resource_ids[0]]: f for f in result.findings if f.rule_id == "connection-limit"}
    assert set(found) == {"payments-core-nat-c", "data-lake-nat-a"}
    high, medium = found["payments-core-nat-c"], found["data-lake-nat-a"]
    # 56,112 on one ENI: 0.8633 of 65,000.
    assert (high.severity, high.evidence["lambda_eni_count"], high.evidence["per_eni_connections"]) == (
        "high", 1, 56_112)
    assert high.evidence["ratio"] == 0.8633
    # 109,440 over three ENIs: 36,480 each, 0.5612.
    assert (medium.severity, medium.evidence["lambda_eni_count"], medium.evidence["per_eni_connections"]) == (
        "medium", 3, 36_480)
    assert medium.evidence["ratio"] == 0.5612


def test_idle_reclamation_cases(result):
    found = {function_name(f.resource_ids[0]): f for f in result.findings if f.rule_id == "idle-reclamation"}
    assert {n: f.severity for n, f in found.items()} == {
        "legacy-sftp-bridge": "high",  # Inactive
        "chargeback-evidence-upload": "high",  # idle 20 days, alone in its group
        "geoip-db-refresh": "medium",  # idle 16 days, group kept in use by clickstream-enricher
        "payouts-batch-scheduler": "medium",  # idle 9 days
    }
    assert [function_name(a) for a in found["geoip-db-refresh"].evidence["shared_with_active"]] == [
        "clickstream-enricher"]
    assert found["chargeback-evidence-upload"].evidence["shared_with_active"] == []
