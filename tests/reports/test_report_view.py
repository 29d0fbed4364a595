"""The view model: decisions, top actions, findings grouped per NAT, facts in words, settings with labels."""

from __future__ import annotations

from conftest import ENI_GUARD, LEDGER, NAT_SHARED, PAY, SHARED_ENI

from analyzer.models import Coverage, CoverageError, Settings
from reports.decisions import decisions, reasons, top_actions
from reports.names import Names
from reports.nat_view import fact_label, facts, nat_sections, other_findings, suppressed_findings
from reports.settings_view import LABELS, gb_bytes, settings_rows
from reports.view import coverage_gaps, sections


def test_one_decision_per_candidate_in_the_results_order(result):
    rows = decisions(result, Names.of(result), runbooks=True)
    assert [(d.scenario.nat_gateway_id, d.verdict_label, d.runbook) for d in rows] == [
        ("nat-0aaa", "Go with guard", "runbooks/nat-0aaa.md"),
        ("nat-0bbb", "Blocked", None),  # no plan
        ("nat-0ccc", "Go", None),
    ]
    assert [d.label for d in rows] == ["<script>alert(1)</script>", "shared-egress", "nat-0ccc"]  # Name tag, else id
    assert [r.text for r in rows[1].reasons] == [
        "nat-shared", "the NAT stays for other traffic and moving saves nothing"]
    assert rows[1].reasons[0].finding.id == NAT_SHARED


def test_reasons_of_one_rule_are_one_reason_with_a_count(result):
    s = result.scenarios[0].model_copy(update={"verdict_reasons": (SHARED_ENI, ENI_GUARD, SHARED_ENI,
                                                                   "min_savings_usd=10", "window_minutes=10")})
    by_id = {f.id: f for f in result.findings}
    got = [(r.text, r.count) for r in reasons(s, by_id)]
    assert got == [("shared-eni", 2), ("eni-not-persistent", 1), ("saves under $10.00/month (--min-savings)", 1),
                   ("a window of about 10 minutes without internet egress", 1)]


def test_top_actions_are_the_goes_by_saving_then_the_blocked_worth_most(result):
    names = Names.of(result)
    actions = top_actions(decisions(result, names, True), names)
    assert len(actions) == 2
    # nat-0ccc saves 41.05 - 3.65 = 37.40 (go), nat-0aaa 41.00 - 7.30 = 33.70 (go with guard)
    assert actions[0].text.startswith("Go: move the functions behind nat-0ccc (222222222222 / us-east-1)")
    assert "saves $37.40/month with 1 new EIP(s); the partner adds 1 address(es)." in actions[0].text
    assert actions[1].text.endswith("carry shared-eni.") and actions[1].runbook == "runbooks/nat-0aaa.md"
    # nat-0bbb is blocked and costs 6.15 more: nothing to unblock for a saving
    assert not any("shared-egress" in a.text for a in actions)


def test_a_blocked_candidate_that_would_save_is_an_action_to_unblock(result):
    blocked = result.scenarios[2].model_copy(update={"verdict": "blocked", "verdict_reasons": (NAT_SHARED,)})
    res = result.model_copy(update={"scenarios": (result.scenarios[0], result.scenarios[1], blocked)})
    names = Names.of(res)
    actions = top_actions(decisions(res, names, True), names)
    assert actions[-1].text == ("Unblock nat-0ccc (222222222222 / us-east-1), $37.40/month at stake: NAT shared with "
                           "other consumers: Fix nat-shared.")


def test_findings_go_under_their_nat_and_the_rest_stand_apart(result):
    names = Names.of(result)
    sections_ = nat_sections(result, decisions(result, names, True), names)
    assert [[v.finding.rule_id for v in s.findings] for s in sections_] == [
        ["shared-eni", "eni-not-persistent"], ["nat-shared"], ["no-gateway-endpoint"]]
    assert [v.finding.rule_id for v in other_findings(result, names)] == ["public-subnet-no-eip"]
    assert [(v.finding.rule_id, v.nat_label) for v in suppressed_findings(result, names)] == [
        ("idle-reclamation", "shared-egress (nat-0bbb)")]
    assert sections_[0].functions == ("pay|ments", "refunds")
    assert [c.design for c in sections_[1].current] == ["current"] * 3 and len(sections_[1].proposed) == 4


def test_facts_are_words_with_names_not_arns(result):
    names = Names.of(result)
    shared = next(f for f in result.findings if f.rule_id == "shared-eni")
    # numbers and single ids in words; lists of ids (the function ARNs) are the message's and the CSV's
    assert [(f.label, f.text) for f in facts(shared, names)] == [("ENI", "eni-a1"), ("function count", "2")]
    idle = next(f for f in result.findings if f.rule_id == "idle-reclamation")
    assert [(f.label, f.text) for f in facts(idle, names)] == [("idle days", "21")]
    assert fact_label("lambda_eni_ids") == "lambda ENIs" and fact_label("nat_public_ips") == "NAT public IPs"
    assert names.short(LEDGER) == "ledger-sync" and names.short(PAY) == "pay|ments"


def test_coverage_gaps_group_errors_per_account_region(result):
    errors = (
        CoverageError(account_id="3", region="r", operation="ListFunctions", error_code="Throttling", message=""),
        CoverageError(account_id="3", region="r", operation="DescribeVpcs", error_code="AccessDenied", message=""),
    )
    res = result.model_copy(update={"coverage": Coverage(accounts=("3",), regions=("r",), errors=errors)})
    assert coverage_gaps(res) == ["Not scanned: 3 / r (Throttling on ListFunctions; AccessDenied on DescribeVpcs)"]


def test_no_gaps_when_coverage_complete(result):
    res = result.model_copy(update={"coverage": Coverage(accounts=("1",), regions=("r",))})
    assert coverage_gaps(res) == []


def test_every_setting_has_a_readable_label():
    assert set(LABELS) == set(Settings.model_fields)
    rows = dict(settings_rows(Settings()))
    assert rows["Not worth it below"] == "$10.00 a month (--min-savings)"
    assert rows["Bytes in a GB"] == "2^30 (1,073,741,824)"
    assert rows["connection-limit is medium from"] == "50% of that limit"
    assert rows["Downtime choice"] == "new addresses allow-listed ahead, no window (the default)"
    assert rows["Egress resolved for"] == "0.0.0.0/0 (--destination)"
    assert gb_bytes(10**9) == "1,000,000,000"


def test_charts_section_only_with_charts():
    assert "charts" not in [s.id for s in sections([])]
