"""The command line: help for everything, README in sync, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from analyzer.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
runner = CliRunner()


def _commands(group, prefix=("lambda-egress",)):
    for name, cmd in sorted(group.commands.items()):
        path = (*prefix, name)
        if hasattr(cmd, "commands"):
            yield path, cmd
            yield from _commands(cmd, path)
        else:
            yield path, cmd


ALL_COMMANDS = list(_commands(typer.main.get_command(app)))


def test_the_commands_design_md_names_all_exist():
    names = {" ".join(path[1:]) for path, _ in ALL_COMMANDS}
    assert {"demo", "scan", "report", "diff", "prices show", "prices refresh", "verify", "iam-policy"} <= names


@pytest.mark.parametrize(("path", "cmd"), ALL_COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_and_option_has_help_and_is_in_the_readme(path, cmd):
    assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
    assert f"`{' '.join(path)}" in README or f"{' '.join(path)} " in README, f"{' '.join(path)} missing from README"
    for param in cmd.params:
        assert (getattr(param, "help", None) or "").strip(), f"{' '.join(path)}: {param.name} has no help"


def test_readme_starts_with_the_two_setup_commands():
    head = README.split("## What it does")[0]
    blocks = [b for b in head.split("```") if b.startswith("bash")]
    assert len(blocks) == 2
    assert "lambda-egress demo" in blocks[0]
    assert "pytest" in blocks[1]


def test_demo_writes_every_report(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["costs.csv", "decisions.csv", "findings.csv", "report.html", "report.json", "report.md",
                     "runbooks", "summary.md"]
    report_plans = json.loads((tmp_path / "report.json").read_text())["plans"]
    assert sorted(p.name for p in (tmp_path / "runbooks").iterdir()) == sorted(
        f"{p['plan_id']}.{ext}" for p in report_plans for ext in ("md", "sh"))
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["schema_version"] == "2"
    assert report["summary"]["functions_behind_nat"] > 0


def test_demo_format_selection(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--format", "json,md"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "report.md"]


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"schema_version": "1", "collected_at": ', "not valid JSON"),
        ('{"schema_version": "7", "collected_at": "2026-11-01T00:00:00Z"}', "schema_version '7' is not supported"),
        ('{"schema_version": "1"}', "collected_at: Field required"),
    ],
)
def test_bad_snapshot_is_one_line_and_exit_2(tmp_path, content, expected):
    snap = tmp_path / "snapshot.json"
    snap.write_text(content)
    proc = _cli("report", str(snap), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert expected in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_unpriced_region_prices_the_rest_and_exits_3(tmp_path):
    from analyzer.pipeline import demo_snapshot

    prices = json.loads((ROOT / "analyzer/data/price_book.json").read_text())
    del prices["regions"]["ap-northeast-1"]
    (tmp_path / "prices.json").write_text(json.dumps(prices))
    snap = tmp_path / "snapshot.json"
    snap.write_text(demo_snapshot().model_dump_json())
    proc = _cli("report", str(snap), "--prices", str(tmp_path / "prices.json"), "--out", str(tmp_path / "out"),
                "--format", "json,md")
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Unpriced: nat-0f2d05b851109c41e (ap-northeast-1)" in proc.stderr
    assert "lambda-egress prices refresh --region ap-northeast-1" in proc.stderr
    report = json.loads((tmp_path / "out/report.json").read_text())
    assert [(u["nat_gateway_id"], u["region"]) for u in report["unpriced"]] == [
        ("nat-0f2d05b851109c41e", "ap-northeast-1")]
    assert "no prices for region ap-northeast-1" in report["unpriced"][0]["reason"]
    scenario_regions = {s["region"] for s in report["scenarios"]}
    assert scenario_regions == {"us-east-1", "eu-west-1"}  # the other NAT gateways are still priced
    assert runner.invoke(app, ["demo", "--out", str(tmp_path / "full"), "--format", "json"]).exit_code == 0
    full = json.loads((tmp_path / "full/report.json").read_text())
    priced = [s for s in full["scenarios"] if s["region"] != "ap-northeast-1"]
    assert report["summary"]["current_monthly_usd"] == round(sum(s["current_monthly_usd"] for s in priced), 2)
    md = (tmp_path / "out/report.md").read_text()
    assert "unpriced" in md and "prices refresh --region ap-northeast-1" in md


def test_bad_format_and_bad_severity_are_exit_2(tmp_path):
    proc = _cli("demo", "--out", str(tmp_path), "--format", "html,pdf")
    assert proc.returncode == 2 and "pdf" in proc.stderr
    proc = _cli("demo", "--out", str(tmp_path), "--fail-on", "critical!")
    assert proc.returncode == 2 and "critical!" in proc.stderr
    proc = _cli("report", "x.json", "--fail-on", "urgent")
    assert proc.returncode == 2 and "urgent" in proc.stderr


def test_fail_on_and_incomplete_coverage_exit_codes(tmp_path):
    from analyzer.models import CoverageError
    from analyzer.pipeline import demo_snapshot

    snap = demo_snapshot()
    clean = tmp_path / "clean.json"
    clean.write_text(snap.model_dump_json())
    assert runner.invoke(app, ["report", str(clean), "--out", str(tmp_path / "a")]).exit_code == 0
    assert runner.invoke(app, ["report", str(clean), "--out", str(tmp_path / "b"), "--fail-on", "high"]).exit_code == 1

    gap = CoverageError(account_id="482913650127", region="eu-west-1", operation="DescribeNatGateways",
                        error_code="AccessDenied", message="not authorized")
    broken = snap.model_copy(update={"coverage": snap.coverage.model_copy(update={"errors": (gap,)})})
    partial = tmp_path / "partial.json"
    partial.write_text(broken.model_dump_json())
    result = runner.invoke(app, ["report", str(partial), "--out", str(tmp_path / "c")])
    assert result.exit_code == 3
    assert (tmp_path / "c" / "report.html").exists()  # reports are still written


def test_prices_show_lists_dated_prices():
    result = runner.invoke(app, ["prices", "show", "--region", "eu-west-1"])
    assert result.exit_code == 0
    assert "eu-west-1        nat_hour         $0.048 per hour" in result.output
    assert "as of 2026-12-01" in result.output


def test_diff_of_a_report_with_itself_changes_nothing(tmp_path):
    assert runner.invoke(app, ["demo", "--out", str(tmp_path), "--format", "json"]).exit_code == 0
    report = str(tmp_path / "report.json")
    result = runner.invoke(app, ["diff", report, report, "--format", "json"])
    assert result.exit_code == 0, result.output
    change = json.loads(result.output)
    assert change["money"]["monthly_savings_usd"]["change"] == 0
    assert change["findings"]["new"] == [] and change["findings"]["resolved"] == []


def test_readme_shows_the_shipped_iam_policy():
    from analyzer.collect.policy import load_policy

    block = README.split("<!-- iam-policy:start -->")[1].split("<!-- iam-policy:end -->")[0]
    shown = json.loads(block.strip().removeprefix("```json").removesuffix("```"))
    assert shown == load_policy()
    assert runner.invoke(app, ["iam-policy"]).output.strip() == json.dumps(load_policy(), indent=2)


def test_out_pointing_at_a_file_is_exit_2(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("x")
    proc = _cli("demo", "--out", str(blocker))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: cannot write") and "Traceback" not in proc.stderr


def test_scan_checks_prices_and_suppressions_before_touching_aws(tmp_path):
    # No credentials and no endpoint here: had the scan started, the error would be about AWS.
    env_free = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    proc = subprocess.run(
        [sys.executable, "-m", "analyzer", "scan", "--region", "us-east-1", "--out", str(tmp_path),
         "--prices", str(tmp_path / "missing.json")],
        capture_output=True, text=True, timeout=120, env={**__import__("os").environ, **env_free},
    )
    assert proc.returncode == 2
    assert "no such price book" in proc.stderr
    assert not any(tmp_path.iterdir())
