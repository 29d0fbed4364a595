"""Exit codes and one-line errors, asserted in process (``CliRunner``) and from the console script alike.

The app handles its own user errors (``analyzer.cli.OneLineErrors``), so both must agree on every case.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from typer.testing import CliRunner

from analyzer.cli import app

ROOT = Path(__file__).resolve().parent.parent
DEMO = str(ROOT / "sample_data/demo_snapshot.json")
SCRIPT = Path(sys.executable).parent / "lambda-egress"
runner = CliRunner()


def _gap_snapshot(tmp: Path) -> str:
    doc = json.loads(Path(DEMO).read_text())
    nat = doc["nat_gateways"][0]
    doc["coverage"]["errors"] = [{"account_id": nat["account_id"], "region": nat["region"],
                                  "operation": "DescribeVpcEndpoints", "error_code": "AccessDenied", "message": "no"}]
    path = tmp / "gap.json"
    path.write_text(json.dumps(doc))
    return str(path)


CASES = {
    "done": (["demo", "--format", "json"], 0, None),
    "finding-at-fail-on": (["report", DEMO, "--format", "json", "--fail-on", "high"], 1, None),
    "incomplete": (["report", "{gap}", "--format", "json"], 3, None),
    "missing-snapshot": (["report", "{tmp}/nope.json"], 2, "nope.json: no such file"),
    "bad-format": (["demo", "--format", "pdf"], 2, "unknown report format 'pdf'"),
    "bad-severity": (["report", DEMO, "--fail-on", "urgent"], 2, "--fail-on 'urgent' is not a severity"),
    "out-is-a-file": (["demo", "--format", "json", "--out", "{tmp}/gap.json"], 2, "cannot write"),
    "diff-format": (["diff", DEMO, DEMO, "--format", "xml"], 2, "--format 'xml' is not valid for diff"),
    "unknown-price-region": (["prices", "show", "--region", "mars-north-1"], 2, "no prices for region mars-north-1"),
    "device-as-prices": (["report", DEMO, "--prices", "/dev/zero"], 2, "/dev/zero: not a regular file"),
}


def _args(case: str, tmp: Path) -> list[str]:
    args = [a.format(tmp=tmp, gap=_gap_snapshot(tmp)) for a in CASES[case][0]]
    return args if "--out" in args or args[0] in ("diff", "prices") else [*args, "--out", str(tmp / "out")]


def _check(code: int, stderr: str, case: str) -> None:
    expected_code, expected_text = CASES[case][1:]
    assert code == expected_code, stderr
    assert "Traceback" not in stderr
    if expected_text:
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and expected_text in lines[0], stderr


@pytest.mark.parametrize("case", CASES)
def test_in_process(tmp_path, case):
    result = runner.invoke(app, _args(case, tmp_path))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    _check(result.exit_code, result.stderr, case)


@pytest.mark.e2e
@pytest.mark.parametrize("case", ["done", "incomplete", "missing-snapshot", "bad-severity", "unknown-price-region"])
def test_console_script(tmp_path, case):
    proc = subprocess.run([str(SCRIPT), *_args(case, tmp_path)], capture_output=True, text=True, timeout=120)
    _check(proc.returncode, proc.stderr, case)


def test_ctrl_c_is_exit_130_in_process(tmp_path):
    with mock.patch("analyzer.pipeline.analyze", side_effect=KeyboardInterrupt):
        result = runner.invoke(app, ["report", DEMO, "--out", str(tmp_path / "out")])
    assert result.exit_code == 130
    assert not (tmp_path / "out").exists()


def test_usage_errors_stay_typers_exit_2(tmp_path):
    result = runner.invoke(app, ["demo", "--no-such-option"])
    assert result.exit_code == 2 and "No such option: --no-such-option" in result.stderr


@pytest.mark.parametrize(("argv", "expected"), [
    (["demo", "--bogus"], "error: No such option: --bogus"),
    (["report"], "error: Missing argument 'SNAPSHOT'."),
    (["--bogus"], "error: No such option: --bogus"),
    (["nosuch"], "error: No such command 'nosuch'."),
])
def test_usage_errors_are_one_line_naming_the_help_to_read(argv, expected):
    run = CliRunner().invoke(app, argv)
    assert run.exit_code == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected) and "--help`)" in lines[0], run.stderr


def test_dash_h_is_help_for_every_command():
    for argv in (["-h"], ["demo", "-h"], ["prices", "-h"], ["prices", "show", "-h"], ["guard", "-h"]):
        run = CliRunner().invoke(app, argv)
        assert run.exit_code == 0 and "Usage:" in run.output, argv
