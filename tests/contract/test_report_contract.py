"""report.json against its documented shape (analyzer/data/report.schema.json), not against the models.

The schema is written by hand from DESIGN.md's contract block and the fields the README lists as added.
A model change that drops a documented field, renames it or changes its type fails here even though the
models still agree with themselves. Fields may be added (the schema leaves additionalProperties open).
"""

from __future__ import annotations

import copy
import json
from datetime import date
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from analyzer.pipeline import demo_snapshot
from analyzer.pricing import load_price_book
from analyzer.result import analyze

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(resources.files("analyzer").joinpath("data/report.schema.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def report() -> dict:
    result = analyze(demo_snapshot(), load_price_book(), today=date(2026, 11, 1))
    return json.loads(result.model_dump_json())


def validate(schema: dict, data: dict) -> None:
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)


def test_the_demo_report_matches_the_documented_shape(schema, report):
    jsonschema.Draft202012Validator.check_schema(schema)
    validate(schema, report)
    assert report["plans"] and report["scenarios"] and report["findings"]  # the shape is exercised, not vacuous


@pytest.mark.parametrize(("path", "value"), [
    (("summary", "current_monthly_usd"), None),  # a documented field removed
    (("functions", 0, "egress"), "through-a-wormhole"),  # a value outside the documented set
    (("scenarios", 0, "eips_needed"), "1"),  # a number turned into text
    (("schema_version",), "1"),  # this shape is schema 2
    (("findings", 0, "id"), None),  # the stable finding id
    (("plans", 0, "targets", 0, "allocation_ids"), "eipalloc-1"),
    (("scenarios", 0, "allowlist_add"), "4"),
    (("figures",), None),
    (("figures", "savings_by_account", 0, "monthly_savings_usd"), "160.25"),
    (("findings", 0, "nat_gateway_id"), 7),
])  # fmt: skip
def test_a_report_that_breaks_the_contract_fails(schema, report, path, value):
    broken = copy.deepcopy(report)
    node = broken
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        validate(schema, broken)


def test_every_top_level_field_is_documented_in_the_readme(report):
    text = README.read_text("utf-8")
    missing = [k for k in report if f"`{k}" not in text]
    assert missing == [], missing


@pytest.fixture(scope="module")
def with_changes(report) -> dict:
    """The demo compared with an older run of itself: one NAT gone, one finding new, money moved."""
    from analyzer.diff import with_changes
    from analyzer.models import AnalysisResult

    old = copy.deepcopy(report)
    old["collected_at"] = "2026-10-01T06:00:00Z"
    old["summary"]["monthly_savings_usd"] -= 20
    old["findings"] = old["findings"][1:]
    old["nat_gateways"].append({**old["nat_gateways"][0], "nat_gateway_id": "nat-0gone", "name": "old-nat"})
    return json.loads(with_changes(AnalysisResult.model_validate(report), old).model_dump_json())


def test_a_report_with_changes_matches_the_documented_shape(schema, with_changes):
    validate(schema, with_changes)
    changes = with_changes["changes"]
    assert changes["nat_gateways"]["removed_named"] == [{"nat_gateway_id": "nat-0gone", "name": "old-nat"}]
    assert [f["id"] for f in changes["findings"]["new"]] == [with_changes["findings"][0]["id"]]
    assert changes["money"]["monthly_savings_usd"]["change"] == 20
    broken = copy.deepcopy(with_changes)
    broken["changes"]["money"]["monthly_savings_usd"]["change"] = "+20"
    with pytest.raises(jsonschema.ValidationError):
        validate(schema, broken)
