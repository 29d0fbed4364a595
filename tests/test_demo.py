"""The bundled demo, end to end through the pure pipeline: every rule has a case, and healthy cases stay quiet."""

from __future__ import annotations

from datetime import date

import pytest

from analyzer.pipeline import demo_snapshot
from analyzer.pricing import load_price_book
from analyzer.result import analyze
from analyzer.rules import RULES


@pytest.fixture(scope="module")
def result():
    return analyze(demo_snapshot(), load_price_book(), today=date(2026, 11, 1))


def test_every_rule_fires_on_the_demo(result):
    fired = {f.rule_id for f in result.findings}
    assert fired == set(RULES)


def test_healthy_function_has_no_function_level_finding(result):
    fn = next(f for f in result.functions if f.name == "payments-stripe-webhook")
    assert fn.egress == "nat"
    about_it = [f for f in result.findings if fn.arn in f.resource_ids or set(fn.eni_ids) & set(f.resource_ids)]
    # Only the NAT-level reminder that any EIP-on-ENI migration needs a guard.
    assert [(f.rule_id, f.severity) for f in about_it] == [("eni-not-persistent", "info")]


def test_every_egress_kind_is_in_the_demo(result):
    assert {f.egress for f in result.functions} == {"nat", "igw-eip", "igw-no-public-ip", "none", "unknown"}


def test_summary_is_the_sum_of_the_scenarios(result):
    s = result.summary
    assert s.candidate_nat_gateways == len(result.scenarios) >= 5
    assert s.current_monthly_usd == sum(x.current_monthly_usd for x in result.scenarios)
    assert s.monthly_savings_usd == s.current_monthly_usd - s.proposed_monthly_usd
    assert s.annual_savings_usd == s.monthly_savings_usd * 12
    assert sum(s.findings_by_severity.values()) == sum(1 for f in result.findings if not f.suppressed)


def test_every_candidate_has_a_plan(result):
    assert [p.nat_gateway_id for p in result.plans] == [s.nat_gateway_id for s in result.scenarios]
