"""Month-over-month diff of two runs in report.json shape: money, NAT gateways, findings, egress."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from analyzer.diff import diff_results, load_result, render_diff_text
from analyzer.pipeline import demo_snapshot
from analyzer.pricing import load_price_book
from analyzer.result import analyze


@pytest.fixture(scope="module")
def old():
    return analyze(demo_snapshot(), load_price_book(), today=date(2026, 11, 1)).model_dump(mode="json")


def _key(f):
    return " ".join([f["rule_id"], f"{f['account_id']}/{f['region']}", *f["resource_ids"]])


def test_changes_between_two_months(old):
    new = copy.deepcopy(old)
    gone = new["findings"].pop(0)
    moved = new["functions"][0]
    before = moved["egress"]
    moved["egress"] = "igw-eip"
    removed_nat = new["nat_gateways"].pop(0)["nat_gateway_id"]
    new["summary"]["monthly_savings_usd"] = old["summary"]["monthly_savings_usd"] - 12.5
    change = diff_results(old, new)
    assert change["money"]["monthly_savings_usd"]["change"] == -12.5
    assert change["money"]["current_monthly_usd"]["change"] == 0
    assert change["nat_gateways"] == {"added": [], "removed": [removed_nat]}
    assert change["findings"]["resolved"] == [{"key": _key(gone), "severity": gone["severity"]}]
    assert change["findings"]["new"] == []
    assert change["findings"]["still_open"] == sum(1 for f in new["findings"] if not f["suppressed"])
    assert change["functions"]["egress_changed"] == [{"arn": moved["arn"], "old": before, "new": "igw-eip"}]
    text = render_diff_text(change)
    assert "Savings $/month:" in text and "(-12.50)" in text
    assert f"resolved [{gone['severity']}] {_key(gone)}" in text


def test_two_findings_on_one_subnet_are_told_apart(old):
    shared = [f for f in old["findings"] if f["rule_id"] == "shared-eni"]
    twin = copy.deepcopy(shared[0])
    twin["resource_ids"] = [twin["resource_ids"][0], "eni-0other", "arn:aws:lambda:x:1:function:other"]
    before = copy.deepcopy(old)
    before["findings"].append(twin)
    change = diff_results(before, old)  # the twin (same subnet, other ENI group) went away
    assert [r["key"] for r in change["findings"]["resolved"]] == [_key(twin)]


def test_a_report_with_added_fields_still_diffs(tmp_path, old):
    newer = copy.deepcopy(old)
    newer["summary"]["a_field_from_the_future"] = 1
    newer["something_new"] = {"x": 1}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(newer))
    assert diff_results(old, load_result(path))["findings"]["new"] == []


def test_diff_reads_a_snapshot_and_a_report(tmp_path, old):
    snap = tmp_path / "snapshot.json"
    snap.write_text(demo_snapshot().model_dump_json())
    report = tmp_path / "report.json"
    report.write_text(json.dumps(old))
    assert load_result(report)["summary"] == old["summary"]
    assert load_result(snap)["summary"]["current_monthly_usd"] == old["summary"]["current_monthly_usd"]


def test_last_month_s_schema_1_report_still_diffs(tmp_path, old):
    """Schema "2" changed only plans[] (one per group of NAT gateways): a "1" report from before still diffs."""
    assert old["schema_version"] == "2"
    before = copy.deepcopy(old)
    before["schema_version"] = "1"
    for plan in before["plans"]:
        for field in ("plan_id", "nat_gateway_ids", "targets", "window_minutes", "downtime_choice"):
            plan.pop(field)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(before))
    assert diff_results(load_result(path), old)["findings"]["new"] == []
    before["schema_version"] = "3"
    path.write_text(json.dumps(before))
    with pytest.raises(Exception, match="report schema_version '3' is not supported"):
        load_result(path)
