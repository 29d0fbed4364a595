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
    # Only what applies to every candidate NAT: the partner allow-lists a new address (no window by default),
    # the pattern is undocumented (its ENI does not report RequesterManaged: medium), and it needs a guard.
    assert sorted((f.rule_id, f.severity) for f in about_it) == [
        ("allowlist-change", "medium"), ("eni-not-persistent", "info"), ("unsupported-pattern", "medium")]
    nat_level = [f for f in result.findings if fn.nat_gateway_ids[0] in f.resource_ids]
    assert sorted(f.rule_id for f in nat_level) == ["allowlist-change", "eni-not-persistent", "unsupported-pattern"]


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
    """One plan per group of NAT gateways, in the order of their first scenario; every scenario names its plan."""
    assert [p.plan_id for p in result.plans] == list(dict.fromkeys(s.plan_id for s in result.scenarios))
    covered = {n for p in result.plans for n in p.nat_gateway_ids}
    assert covered == {s.nat_gateway_id for s in result.scenarios}
    multi = [p for p in result.plans if len(p.nat_gateway_ids) > 1]
    assert [sorted(n.name for n in result.nat_gateways if n.nat_gateway_id in p.nat_gateway_ids) for p in multi] == [
        ["data-lake-nat-a", "data-lake-nat-b"]]  # events-fanout spans both: it moves once, in one plan


def test_the_demo_has_every_verdict_with_its_reasons(result):
    names = {n.nat_gateway_id: n.name for n in result.nat_gateways}
    verdicts = {names[s.nat_gateway_id]: s.verdict for s in result.scenarios}
    assert verdicts == {
        "payments-core-nat-a": "go",
        "data-lake-nat-a": "go-with-guard", "data-lake-nat-b": "go-with-guard",
        "payments-core-nat-b": "not-worth-it",
        "analytics-apac-nat-regional": "blocked", "payments-core-nat-c": "blocked", "payments-eu-nat-a": "blocked",
    }
    reasons = {names[s.nat_gateway_id]: s.verdict_reasons for s in result.scenarios}
    ids = {f.id: f for f in result.findings}
    assert reasons["payments-core-nat-b"] == ("min_savings_usd=10",)
    assert {ids[r].rule_id for r in reasons["analytics-apac-nat-regional"]} == {"eip-quota", "unsupported-pattern"}
    assert [ids[r].rule_id for r in reasons["payments-core-nat-c"]] == ["nat-port-capacity"]
    assert reasons["payments-eu-nat-a"][-1] == "nat-stays-and-saves-nothing"
    assert {ids[r].rule_id for r in reasons["data-lake-nat-a"]} >= {"connection-limit", "shared-eni"}
    assert all(r in ids or "=" in r or r == "nat-stays-and-saves-nothing" for rs in reasons.values() for r in rs)
