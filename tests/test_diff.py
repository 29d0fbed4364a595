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
    return f["id"]


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
    assert (change["nat_gateways"]["added"], change["nat_gateways"]["removed"]) == ([], [removed_nat])
    assert change["findings"]["resolved"] == [{"key": _key(gone), "id": gone["id"], "rule_id": gone["rule_id"],
                                               "severity": gone["severity"], "title": gone["title"]}]
    assert change["findings"]["new"] == []
    assert change["findings"]["still_open"] == sum(1 for f in new["findings"] if not f["suppressed"])
    assert change["functions"]["egress_changed"] == [
        {"arn": moved["arn"], "name": moved["name"], "old": before, "new": "igw-eip"}]
    text = render_diff_text(change)
    assert "Savings $/month:" in text and "(-12.50)" in text
    assert f"resolved [{gone['severity']}] {gone['id']}: {gone['title']}" in text
    removed_name = next(n["name"] for n in old["nat_gateways"] if n["nat_gateway_id"] == removed_nat)
    assert f"  - {removed_name} ({removed_nat})" in text  # names, not only counts
    assert f"  {moved['name']}: {before} -> igw-eip" in text
    assert change["warnings"] == []


def test_two_findings_on_one_subnet_are_told_apart(old):
    shared = [f for f in old["findings"] if f["rule_id"] == "shared-eni"]
    twin = copy.deepcopy(shared[0])
    twin["resource_ids"] = [twin["resource_ids"][0], "eni-0other", "arn:aws:lambda:x:1:function:other"]
    twin.pop("id")  # as a report written before findings carried ids: computed from the same fields
    before = copy.deepcopy(old)
    before["findings"].append(twin)
    change = diff_results(before, old)  # the twin (same subnet, other ENI group) went away
    from analyzer.models import finding_id

    assert [r["key"] for r in change["findings"]["resolved"]] == [
        finding_id(twin["rule_id"], twin["account_id"], twin["region"], twin["resource_ids"])]


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



def test_per_nat_money_changes_and_a_backwards_comparison_is_flagged(old):
    new = copy.deepcopy(old)
    first = new["scenarios"][0]
    first["monthly_savings_usd"] = round(first["monthly_savings_usd"] - 20, 2)
    change = diff_results(old, new)
    [moved] = change["nat_gateways"]["money"]
    assert (moved["nat_gateway_id"], moved["monthly_savings_usd"]["change"]) == (first["nat_gateway_id"], -20.0)
    assert moved["name"] == next(n["name"] for n in old["nat_gateways"]
                                 if n["nat_gateway_id"] == first["nat_gateway_id"])
    backwards = copy.deepcopy(old)
    backwards["collected_at"] = "2027-01-01T00:00:00Z"
    change = diff_results(backwards, old)
    assert change["warnings"] == [
        f"OLD (2027-01-01T00:00:00Z) was collected after NEW ({old['collected_at']}): the comparison runs "
        "backwards; swap the arguments"]
    assert render_diff_text(change).splitlines()[1].startswith("WARNING: OLD (2027-01-01T00:00:00Z)")
