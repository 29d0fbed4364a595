"""Format selection, file writing, report.json and the two CSVs."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pandas as pd
import pytest

import reports.charts as charts
import reports.render as render
from analyzer.errors import ConfigError
from analyzer.models import AnalysisResult, Coverage, PriceBookInfo, Summary


@pytest.fixture(autouse=True)
def no_charts(monkeypatch):
    monkeypatch.setattr(charts, "build_charts", lambda result: [])


def test_parse_formats():
    assert render.parse_formats(" HTML , md,html") == ("html", "md")
    assert render.parse_formats("csv") == ("csv",)


@pytest.mark.parametrize("text", ["html,pdf", "", " , "])
def test_parse_formats_rejects(text):
    with pytest.raises(ConfigError) as err:
        render.parse_formats(text)
    assert "valid formats: html, md, json, csv" in str(err.value)
    if "pdf" in text:
        assert "'pdf'" in str(err.value)


@pytest.mark.parametrize(
    ("formats", "files"),
    [
        (("md", "csv"), {"report.md", "findings.csv", "costs.csv"}),
        (("json",), {"report.json"}),
        ("html,json", {"report.html", "report.json"}),
        (render.FORMATS, {"report.html", "report.md", "report.json", "findings.csv", "costs.csv"}),
    ],
)
def test_write_reports_writes_exactly_the_selected_files(result, tmp_path, formats, files):
    out = tmp_path / "out"
    paths = render.write_reports(result, out, formats)
    assert {p.name for p in paths} == files
    assert {p.name for p in out.iterdir()} == files  # no temp files left behind
    assert all(p.parent == out and p.stat().st_size > 0 for p in paths)


def test_unknown_format_writes_nothing(result, tmp_path):
    with pytest.raises(ConfigError, match="unknown report format 'pdf'"):
        render.write_reports(result, tmp_path / "out", ("md", "pdf"))
    assert not (tmp_path / "out").exists()


def test_json_carries_the_numbers_and_reads_back(result):
    text = render.render_json(result)
    assert text.startswith('{\n  "schema_version": "2",')
    data = json.loads(text)
    assert data["summary"]["monthly_savings_usd"] == 64.95
    assert AnalysisResult.model_validate(data).summary.annual_savings_usd == result.summary.annual_savings_usd


def test_findings_csv(result):
    frame = pd.read_csv(io.StringIO(render.render_findings_csv(result)), dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(render.FINDINGS_COLUMNS)
    assert len(frame) == 6
    shared = frame[frame.rule_id == "shared-eni"].iloc[0]
    assert shared.resource_ids == (
        "eni-a1 arn:aws:lambda:us-east-1:111111111111:function:pay|ments "
        "arn:aws:lambda:us-east-1:111111111111:function:refunds"
    )
    assert json.loads(shared.evidence) == {"eni_id": "eni-a1", "function_count": 2}
    assert shared.suppressed == "False"
    idle = frame[frame.rule_id == "idle-reclamation"].iloc[0]
    assert (idle.suppressed, idle.suppression_reason) == ("True", "Monthly batch job; a guard re-associates the EIP")
    critical = frame[frame.rule_id == "public-subnet-no-eip"].iloc[0]
    assert critical.message == "Requests *time out*.\nThe ENI has no public IP."  # newline survives CSV quoting


def test_costs_csv(result):
    frame = pd.read_csv(io.StringIO(render.render_costs_csv(result)), dtype=str)
    assert list(frame.columns) == [
        "account_id", "region", "nat_gateway_id", "design", "component", "quantity", "unit",
        "unit_price_usd", "monthly_usd", "counted",
    ]  # fmt: skip
    assert len(frame) == 17  # 6 + 7 + 4 components
    eips = frame[(frame.nat_gateway_id == "nat-0bbb") & (frame.component == "Elastic IPs on Lambda ENIs")]
    assert eips.iloc[0].to_dict() == {
        "account_id": "111111111111", "region": "eu-west-1", "nat_gateway_id": "nat-0bbb",
        "design": "proposed", "component": "Elastic IPs on Lambda ENIs", "quantity": "2190",
        "unit": "IP-hour", "unit_price_usd": "0.005", "monthly_usd": "10.95", "counted": "True",
    }  # fmt: skip  2190 IP-hours (3 EIPs x 730) x 0.005 = 10.95
    context = frame[(frame.nat_gateway_id == "nat-0aaa") & (frame.component == "Internet data transfer out")]
    assert list(context.counted) == ["False", "False"]


def test_empty_result_renders_every_format(tmp_path):
    empty = AnalysisResult(
        tool_version="t", collected_at=datetime(2026, 1, 1, tzinfo=UTC), window_days=7,
        price_book=PriceBookInfo(as_of="2026-01-01", source="bundled"), coverage=Coverage(), summary=Summary(),
    )  # fmt: skip
    paths = render.write_reports(empty, tmp_path, render.FORMATS)
    assert len(paths) == 5
    md = (tmp_path / "report.md").read_text()
    assert "No NAT gateway carries Lambda traffic." in md and "No migration plans." in md
    assert "No action: no NAT gateway carries Lambda egress" in md
    assert "| What the NAT gateways that serve Lambda cost per month | $0.00 |" in md
    assert (tmp_path / "costs.csv").read_text() == (
        "account_id,region,nat_gateway_id,design,component,quantity,unit,unit_price_usd,monthly_usd,counted\n"
    )
