"""The view model: ordering, sentences and top actions derived from the result."""

from __future__ import annotations

from analyzer.models import Coverage, CoverageError
from reports.view import active_findings, coverage_gaps, gb_bytes, sections, suppressed_findings, top_actions


def test_top_actions_are_the_biggest_savings_then_worst_risk(result):
    actions = top_actions(result)
    assert len(actions) == 3
    # nat-0ccc saves 41.05 - 3.65 = 37.40, nat-0aaa 41.00 - 7.30 = 33.70
    assert "nat-0ccc" in actions[0] and "$37.40/month" in actions[0] and "1 EIP(s)" in actions[0]
    assert "nat-0aaa" in actions[1] and "$33.70/month" in actions[1]
    assert "public-subnet-no-eip" in actions[2]
    # nat-0bbb costs 6.15 more: never proposed as an action
    assert not any("nat-0bbb" in a for a in actions)


def test_findings_split_active_worst_first_and_suppressed(result):
    assert [f.rule_id for f in active_findings(result)] == [
        "public-subnet-no-eip", "shared-eni", "nat-shared", "no-gateway-endpoint", "eni-not-persistent",
    ]  # fmt: skip
    assert [f.rule_id for f in suppressed_findings(result)] == ["idle-reclamation"]


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


def test_gb_bytes_label():
    assert gb_bytes(2**30) == "2^30 (1,073,741,824)"
    assert gb_bytes(10**9) == "1,000,000,000"


def test_charts_section_only_with_charts():
    assert "charts" not in [s.id for s in sections([])]


def test_only_the_biggest_plans_are_shown_in_full(result):
    from reports.view import MAX_PLANS_SHOWN, build_context

    (plan,) = result.plans
    many = tuple(plan.model_copy(update={"nat_gateway_id": f"nat-{i:03d}"}) for i in range(MAX_PLANS_SHOWN + 5))
    context = build_context(result.model_copy(update={"plans": many}), [])
    assert [v.plan.nat_gateway_id for v in context["plans"]] == [f"nat-{i:03d}" for i in range(MAX_PLANS_SHOWN)]
    assert context["plans_not_shown"] == 5
    assert build_context(result, [])["plans_not_shown"] == 0
