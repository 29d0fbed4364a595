"""What the CLI says: why --fail-on failed, a report given as a snapshot, a closed stdout, a region typo,
--out help per command, demo's --fail-on and --suppressions, and --previous (month over month)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.models import SEVERITY_RANK

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sample_data" / "demo_snapshot.json"
SUPPRESSIONS = ROOT / "sample_data" / "suppressions.example.yaml"
runner = CliRunner()


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, **kwargs)


def test_fail_on_says_which_findings_tripped_it(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--format", "json", "--fail-on", "high"])
    assert result.exit_code == 1
    findings = json.loads((tmp_path / "report.json").read_text())["findings"]
    hits = [f for f in findings if not f["suppressed"] and SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK["high"]]
    high_rules = sorted({f["rule_id"] for f in hits})
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"--fail-on high: {len(hits)} unsuppressed finding(s) at or above high: {len(hits)} high (")
    assert all(rule in line for rule in high_rules) and "eip-quota x2" in line and line.endswith("Exit 1.")
    assert "medium" not in line  # only the severities at or above the gate
    passed = runner.invoke(app, ["demo", "--out", str(tmp_path), "--format", "json", "--fail-on", "critical"])
    assert passed.exit_code == 0 and "--fail-on" not in passed.stderr


def test_demo_takes_suppressions(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--format", "json", "--suppressions",
                                 str(SUPPRESSIONS)])
    assert result.exit_code == 0, result.output
    suppressed = [f for f in json.loads((tmp_path / "report.json").read_text())["findings"] if f["suppressed"]]
    assert len(suppressed) >= 1 and all(f["suppression_reason"] for f in suppressed)


def test_report_given_a_report_json_says_so_and_names_the_demo(tmp_path):
    assert runner.invoke(app, ["demo", "--out", str(tmp_path), "--format", "json"]).exit_code == 0
    proc = _cli("report", str(tmp_path / "report.json"), "--out", str(tmp_path / "again"))
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert "is a report.json" in line and "not a snapshot" in line
    assert "lambda-egress demo" in line and "sample_data/demo_snapshot.json" in line
    assert not (tmp_path / "again").exists()


@pytest.mark.parametrize("command", [["iam-policy"], ["prices", "show", "--region", "eu-west-1"]])
def test_a_closed_stdout_is_one_line_and_exit_2(command):
    read, write = os.pipe()
    os.close(read)  # nobody will ever read: the first write gets EPIPE
    try:
        proc = subprocess.run([sys.executable, "-m", "analyzer", *command], stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=120, cwd=ROOT)
    finally:
        os.close(write)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["error: cannot write to standard output: Broken pipe"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_stdout_is_one_line_and_exit_2():
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "analyzer", "iam-policy"], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["error: cannot write to standard output: No space left on device"]


def test_prices_show_suggests_the_nearest_region():
    result = runner.invoke(app, ["prices", "show", "--region", "eu-west-l"])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "no prices for region eu-west-l" in line and "did you mean eu-west-1?" in line
    far = runner.invoke(app, ["prices", "show", "--region", "xx-nowhere-9"])
    assert far.exit_code == 2 and "did you mean" not in far.stderr


@pytest.mark.parametrize(("command", "words"), [
    ("demo", "review report"), ("report", "review report"), ("scan", "snapshot.json"), ("guard", "guards"),
    ("prices refresh", "price book"),
])  # fmt: skip
def test_out_help_fits_each_command(command, words):
    result = runner.invoke(app, [*command.split(), "--help"], terminal_width=400)
    line = next(line for line in result.output.splitlines() if "--out" in line)
    block = result.output[result.output.index(line) :].split("--", 2)[1]
    assert words in " ".join(block.split()), block


# --------------------------------------------------------------------------- --previous


@pytest.fixture(scope="module")
def last_month(tmp_path_factory) -> Path:
    """The demo's report.json as it might have read a month earlier: less saved, one NAT more, one finding gone."""
    out = tmp_path_factory.mktemp("last-month")
    assert runner.invoke(app, ["demo", "--out", str(out), "--format", "json"]).exit_code == 0
    old = json.loads((out / "report.json").read_text())
    old["collected_at"] = "2026-10-01T06:00:00Z"
    old["summary"]["monthly_savings_usd"] -= 12.5
    old["summary"]["current_monthly_usd"] -= 12.5
    old["nat_gateways"].append({**old["nat_gateways"][0], "nat_gateway_id": "nat-0retired0000000", "name": "old-nat"})
    old["findings"] = [f for f in old["findings"] if f["rule_id"] != "idle-nat"]
    path = out / "october.json"
    path.write_text(json.dumps(old))
    return path


def test_previous_adds_the_changes_to_page_1_and_report_json(tmp_path, last_month):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--previous", str(last_month)])
    assert result.exit_code == 0, result.output
    changes = json.loads((tmp_path / "report.json").read_text())["changes"]
    assert changes["money"]["monthly_savings_usd"]["change"] == 12.5
    assert changes["nat_gateways"]["removed_named"] == [{"nat_gateway_id": "nat-0retired0000000", "name": "old-nat"}]
    assert [f["rule_id"] for f in changes["findings"]["new"]] == ["idle-nat"]
    summary = (tmp_path / "summary.md").read_text()
    assert "### Since 2026-10-01T06:00:00Z" in summary
    assert "- Savings: $252.28 → $264.78/month (+$12.50)" in summary  # 264.78 - 12.50
    assert "− old-nat" in summary and "1 new, 0 resolved" in summary and "new medium" not in summary
    html = (tmp_path / "report.html").read_text()
    page1 = html[: html.index('<h3 id="decisions">')]
    assert "Since 2026-10-01T06:00:00Z" in page1 and "old-nat" in page1
    assert "NAT gateway with almost no traffic" in page1


def test_an_older_new_run_warns(tmp_path, last_month):
    newer = json.loads(last_month.read_text())
    newer["collected_at"] = "2027-01-01T00:00:00Z"
    path = tmp_path / "future.json"
    path.write_text(json.dumps(newer))
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "out"), "--format", "json,md", "--previous",
                                 str(path)])
    assert result.exit_code == 0
    assert "warning: OLD (2027-01-01T00:00:00Z) was collected after NEW" in result.stderr
    assert "**Warning:** OLD (2027-01-01T00:00:00Z) was collected after NEW" in (tmp_path / "out/report.md").read_text()


def test_a_bad_previous_is_one_line_and_exit_2_before_any_scan(tmp_path, monkeypatch):
    def no_scan(*_args, **_kwargs):
        raise AssertionError("the scan started before --previous was checked")

    monkeypatch.setattr("analyzer.collect.scan.run_scan", no_scan)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    for args in (["scan", "--region", "us-east-1"], ["demo"], ["report", str(DEMO)]):
        result = runner.invoke(app, [*args, "--out", str(tmp_path / "out"), "--previous", str(bad)])
        assert result.exit_code == 2, (args, result.output)
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"error: --previous ({bad}) is unreadable: {bad}: not valid JSON"), line
    assert not (tmp_path / "out").exists()
