"""Month-over-month diff of two results: money, NAT gateways, findings and egress changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from analyzer.diff import diff_results, render_diff_text
from analyzer.pipeline import demo_snapshot
from analyzer.pricing import load_price_book
from analyzer.result import analyze


@pytest.fixture(scope="module")
def old():
    return analyze(demo_snapshot(), load_price_book(), today=date(2026, 11, 1))


def test_changes_between_two_months(old):
    gone = old.findings[0]
    moved = old.functions[0]
    new = old.model_copy(update={
        "findings": old.findings[1:],
        "functions": (moved.model_copy(update={"egress": "igw-eip"}), *old.functions[1:]),
        "nat_gateways": old.nat_gateways[1:],
        "summary": old.summary.model_copy(update={"monthly_savings_usd": old.summary.monthly_savings_usd
                                                  - Decimal("12.50")}),
    })
    change = diff_results(old, new)
    assert change["money"]["monthly_savings_usd"]["change"] == -12.5
    assert change["money"]["current_monthly_usd"]["change"] == 0
    assert change["nat_gateways"] == {"added": [], "removed": [old.nat_gateways[0].nat_gateway_id]}
    assert change["findings"]["resolved"] == [
        {"key": f"{gone.rule_id} {gone.resource_ids[0]}", "severity": gone.severity}
    ]
    assert change["findings"]["new"] == []
    assert change["functions"]["egress_changed"] == [{"arn": moved.arn, "old": moved.egress, "new": "igw-eip"}]
    text = render_diff_text(change)
    assert "Savings $/month:" in text and "(-12.50)" in text
    assert f"resolved [{gone.severity}] {gone.rule_id} {gone.resource_ids[0]}" in text


def test_diff_reads_a_snapshot_and_a_report(tmp_path, old):
    from analyzer.diff import load_result

    snap = tmp_path / "snapshot.json"
    snap.write_text(demo_snapshot().model_dump_json())
    report = tmp_path / "report.json"
    report.write_text(old.model_dump_json())
    from_snapshot, from_report = load_result(snap), load_result(report)
    assert from_report.summary == old.summary
    assert from_snapshot.summary.current_monthly_usd == old.summary.current_monthly_usd
