"""Format selection, the one registry of formats, file writing, report.json and the CSV data files."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from conftest import NAT_SHARED, SHARED_ENI

import reports.charts as charts
import reports.render as render
from analyzer.errors import ConfigError
from analyzer.models import AnalysisResult, Coverage, PriceBookInfo, Summary
from reports import csvs
from reports.formats import NAMES, REGISTRY, format_help, formats_table

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(autouse=True)
def no_charts(monkeypatch):
    monkeypatch.setattr(charts, "build_charts", lambda result: [])


def test_parse_formats():
    assert render.parse_formats(" HTML , md,html") == ("html", "md")
    assert render.parse_formats("csv,md-summary") == ("csv", "md-summary")


@pytest.mark.parametrize("text", ["html,pdf", "", " , "])
def test_parse_formats_rejects(text):
    with pytest.raises(ConfigError) as err:
        render.parse_formats(text)
    assert "valid formats: html, md, md-summary, json, csv, runbooks" in str(err.value)
    if "pdf" in text:
        assert "'pdf'" in str(err.value)


def test_one_registry_feeds_the_cli_the_renderer_and_the_readme():
    assert render.FORMATS == NAMES == tuple(f.name for f in REGISTRY)
    assert format_help() == ("Comma-separated outputs: html, md, md-summary, json, csv, runbooks (default: all of "
                             "them; see the README's Outputs).")
    readme = README.read_text("utf-8")
    block = readme[readme.index("<!-- formats:start -->") : readme.index("<!-- formats:end -->")]
    assert formats_table() in block, "README's formats table is stale: paste reports.formats.formats_table()"
    from analyzer.cli import ALL_FORMATS

    assert ",".join(NAMES) == ALL_FORMATS


@pytest.mark.parametrize(
    ("formats", "files"),
    [
        (("md", "csv"), {"report.md", "decisions.csv", "findings.csv", "costs.csv"}),
        (("json",), {"report.json"}),
        (("md-summary",), {"summary.md"}),
        ("html,json", {"report.html", "report.json"}),
        (("runbooks",), {"runbooks/nat-0aaa.md", "runbooks/nat-0aaa.sh"}),
    ],
)
def test_write_reports_writes_exactly_the_selected_files(result, tmp_path, formats, files):
    out = tmp_path / "out"
    paths = render.write_reports(result, out, formats)
    assert {p.relative_to(out).as_posix() for p in paths} == files
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == files  # no temp files left behind
    assert all(p.stat().st_size > 0 for p in paths)


def test_runbooks_of_a_nat_gone_since_are_removed_with_the_set(result, tmp_path):
    out = tmp_path / "out"
    (out / "runbooks").mkdir(parents=True)
    (out / "runbooks" / "nat-0gone.md").write_text("old plan")
    (out / "mine.txt").write_text("not ours")
    render.write_reports(result, out, ("runbooks",))
    assert sorted(p.name for p in (out / "runbooks").iterdir()) == ["nat-0aaa.md", "nat-0aaa.sh"]
    assert (out / "mine.txt").read_text() == "not ours"
    render.write_reports(result, out, ("json",))  # without the runbooks format, runbooks/ is left alone
    assert sorted(p.name for p in (out / "runbooks").iterdir()) == ["nat-0aaa.md", "nat-0aaa.sh"]


def test_unknown_format_writes_nothing(result, tmp_path):
    with pytest.raises(ConfigError, match="unknown report format 'pdf'"):
        render.write_reports(result, tmp_path / "out", ("md", "pdf"))
    assert not (tmp_path / "out").exists()


def test_json_carries_the_numbers_and_reads_back(result):
    text = render.render_json(result)
    assert text.startswith('{\n  "schema_version": "2",')
    data = json.loads(text)
    assert data["summary"]["monthly_savings_usd"] == 64.95
    assert data["figures"]["break_even"]["break_even_gb"] is None
    assert data["changes"] is None
    assert AnalysisResult.model_validate(data).summary.annual_savings_usd == result.summary.annual_savings_usd


def _frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_decisions_csv(result):
    frame = _frame(csvs.render_decisions_csv(result))
    assert list(frame.columns) == list(csvs.DECISIONS_COLUMNS)
    row = frame[frame.nat_gateway_id == "nat-0aaa"].iloc[0].to_dict()
    assert {k: row[k] for k in ("collected_at", "account_id", "account_name", "nat_name", "verdict",
                                "verdict_reasons", "monthly_savings_usd", "new_eips", "allowlist_add",
                                "allowlist_remove", "plan_id", "runbook", "window_minutes")} == {
        "collected_at": "2026-09-01T12:00:00+00:00", "account_id": "111111111111", "account_name": "payments-prod",
        "nat_name": "<script>alert(1)</script>", "verdict": "go-with-guard", "verdict_reasons": SHARED_ENI,
        "monthly_savings_usd": "33.7", "new_eips": "1", "allowlist_add": "1", "allowlist_remove": "203.0.113.10",
        "plan_id": "nat-0aaa", "runbook": "runbooks/nat-0aaa.md", "window_minutes": "0"}  # fmt: skip
    blocked = frame[frame.nat_gateway_id == "nat-0bbb"].iloc[0]
    assert blocked.verdict_reasons == f"{NAT_SHARED};nat-stays-and-saves-nothing"
    assert blocked.plan_id == "" and blocked.runbook == ""


def test_findings_csv(result):
    frame = _frame(csvs.render_findings_csv(result))
    assert list(frame.columns) == list(csvs.FINDINGS_COLUMNS)
    assert len(frame) == 6
    shared = frame[frame.rule_id == "shared-eni"].iloc[0]
    assert (shared.finding_id, shared.nat_gateway_id, shared.nat_name) == (SHARED_ENI, "nat-0aaa",
                                                                          "<script>alert(1)</script>")
    assert shared.eni_ids == "eni-a1"
    assert shared.function_arns == ("arn:aws:lambda:us-east-1:111111111111:function:pay|ments;"
                                    "arn:aws:lambda:us-east-1:111111111111:function:refunds")
    assert shared.function_names == "pay|ments;refunds"
    assert (shared.subnet_ids, shared.other_resource_ids, shared.evidence_function_count) == ("", "", "2")
    assert json.loads(shared.evidence)["eni_id"] == "eni-a1"
    assert shared.suppressed == "False"
    idle = frame[frame.rule_id == "idle-reclamation"].iloc[0]
    assert (idle.suppressed, idle.suppression_reason) == ("True", "Monthly batch job; a guard re-associates the EIP")
    assert idle.evidence_idle_days == "21"
    critical = frame[frame.rule_id == "public-subnet-no-eip"].iloc[0]
    assert critical.message == "Requests *time out*.\nThe ENI has no public IP."  # newline survives CSV quoting
    assert critical.nat_gateway_id == ""


def test_costs_csv(result):
    frame = _frame(csvs.render_costs_csv(result))
    assert list(frame.columns) == list(csvs.COSTS_COLUMNS)
    assert len(frame) == 17  # 6 + 7 + 4 components
    eips = frame[(frame.nat_gateway_id == "nat-0bbb") & (frame.component == "Elastic IPs on Lambda ENIs")]
    row = eips.iloc[0].to_dict()
    assert {k: row[k] for k in ("account_id", "account_name", "nat_name", "verdict", "design", "quantity",
                                "unit", "unit_price_usd", "monthly_usd", "counted")} == {
        "account_id": "111111111111", "account_name": "payments-prod", "nat_name": "shared-egress",
        "verdict": "blocked", "design": "proposed", "quantity": "2190", "unit": "IP-hour",
        "unit_price_usd": "0.005", "monthly_usd": "10.95", "counted": "True",
    }  # fmt: skip  2190 IP-hours (3 EIPs x 730) x 0.005 = 10.95
    context = frame[(frame.nat_gateway_id == "nat-0aaa") & (frame.component == "Internet data transfer out")]
    assert list(context.counted) == ["False", "False"]


def test_text_cells_are_quoted_and_numbers_are_not(result):
    first_row = csvs.render_costs_csv(result).splitlines()[1]
    assert first_row.startswith('"2026-09-01T12:00:00+00:00","111111111111","payments-prod","us-east-1","nat-0aaa",')
    assert re.search(r',730,"hour",0\.045,32\.85,True,', first_row)


def test_empty_result_renders_every_format(tmp_path):
    empty = AnalysisResult(
        tool_version="t", collected_at=datetime(2026, 1, 1, tzinfo=UTC), window_days=7,
        price_book=PriceBookInfo(as_of="2026-01-01", source="bundled"), coverage=Coverage(), summary=Summary(),
    )  # fmt: skip
    paths = render.write_reports(empty, tmp_path, render.FORMATS)
    assert sorted(p.name for p in paths) == ["costs.csv", "decisions.csv", "findings.csv", "report.html",
                                             "report.json", "report.md", "summary.md"]  # no plan, no runbook
    md = (tmp_path / "report.md").read_text()
    assert "No NAT gateway carries Lambda traffic: nothing to decide." in md
    assert "No action: no candidate can go ahead or be unblocked for a saving." in md
    assert "| $0.00/month (Lambda's share $0.00) | $0.00/month |" in md
    assert (tmp_path / "costs.csv").read_text() == ",".join(f'"{c}"' for c in csvs.COSTS_COLUMNS) + "\n"
