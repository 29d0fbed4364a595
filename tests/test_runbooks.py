"""Runbooks: one per plan, the plan's steps in its order, and a .sh that never runs anything by accident.

The .sh files are run by the real bash with every command the runbooks use replaced by a stub that logs
its arguments (``aws``, ``lambda-egress``, ``cat``, ``tr``); any other command is caught by bash's
``command_not_found_handle`` and logged too. So "nothing ran" and "only the AWS CLI ran, with the
payload inside one argument" are facts the test reads back, not hopes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from injection_corpus import ALL_FORMATS, CORPUS, injected_snapshot, run_report

from reports.runbooks import runbook_path, runbook_stem

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")
STUBBED = ("aws", "lambda-egress", "cat", "tr")
STUB = """#!/bin/sh
for a in "$@"; do printf '%s\\037' "$a"; done >> "$STUB_LOG"
printf '\\n' >> "$STUB_LOG"
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for label, suffix in (("clean", ""), ("injected", "".join(CORPUS.values()))):
        out[label], _ = run_report(tmp_path_factory.mktemp(label), injected_snapshot(suffix), formats=ALL_FORMATS)
    return out


@pytest.fixture
def stubs(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH holds only the logging stubs (and dirname, which the dispatcher uses)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in STUBBED:
        (bin_dir / name).write_text(STUB)
        (bin_dir / name).chmod(0o755)
    os.symlink(shutil.which("dirname"), bin_dir / "dirname")
    return {"PATH": str(bin_dir), "STUB_LOG": str(tmp_path / "calls.log"), "HOME": str(tmp_path)}


def _plans(out: Path) -> list[dict]:
    return json.loads((out / "report.json").read_text())["plans"]


def _bash(script: str, *args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([BASH, "-c", script, "bash", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def _calls(env: dict[str, str]) -> list[list[str]]:
    log = Path(env["STUB_LOG"])
    if not log.exists():
        return []
    return [line.split("\x1f")[:-1] for line in log.read_text().splitlines()]


def _functions(sh: Path) -> list[str]:
    return re.findall(r"^((?:step|rollback)_\d{2}_\w+)\(\) \{$", sh.read_text(), flags=re.M)


def test_one_runbook_per_plan_with_every_step_in_order(runs):
    out = runs["clean"]
    plans = _plans(out)
    assert {p.name for p in (out / "runbooks").iterdir()} == {f"{runbook_stem(p['plan_id'])}.{e}"
                                                              for p in plans for e in ("md", "sh")}
    single = next(p for p in plans if len(p["nat_gateway_ids"]) == 1)
    assert runbook_path(single["plan_id"]) == f"runbooks/{single['nat_gateway_ids'][0]}.md"
    for plan in plans:
        md = (out / runbook_path(plan["plan_id"])).read_text()
        headings = re.findall(r"^### (\d+)\. .* \(([a-z]+)\)$", md, flags=re.M)
        assert headings == [(str(i), s["stage"]) for i, s in enumerate(plan["steps"], start=1)]
        sh = out / runbook_path(plan["plan_id"], "sh")
        assert len(_functions(sh)) == 2 * len(plan["steps"])
        for step in plan["steps"]:
            for command in (*step["commands"], *step["rollback"]):
                assert f"  {command}\n" in sh.read_text()


def test_the_review_links_every_runbook(runs):
    out = runs["clean"]
    html, md = (out / "report.html").read_text(), (out / "report.md").read_text()
    for plan in _plans(out):
        assert f'href="{runbook_path(plan["plan_id"])}"' in html
        assert f"]({runbook_path(plan['plan_id'])})" in md


@pytest.mark.parametrize("label", ["clean", "injected"])
def test_sourcing_or_running_without_a_stage_runs_nothing(runs, stubs, label):
    for plan in _plans(runs[label]):
        sh = runs[label] / runbook_path(plan["plan_id"], "sh")
        assert subprocess.run([BASH, "-n", str(sh)], capture_output=True).returncode == 0
        sourced = _bash('command_not_found_handle() { printf "%s\\n" "$1" >> "$STUB_LOG.unknown"; }; '
                        'source "$1"; echo sourced', str(sh), env=stubs, cwd=runs[label])
        assert sourced.returncode == 0 and sourced.stdout == "sourced\n", sourced.stderr
        bare = subprocess.run([BASH, str(sh)], env=stubs, cwd=runs[label], capture_output=True, text=True)
        assert bare.returncode == 2 and "nothing has run" in bare.stderr
        assert "step_01_" in bare.stderr  # it lists the stages
        half = sh.read_text()[: len(sh.read_text()) // 2]  # a file cut short, or pasted halfway
        cut = subprocess.run([BASH, "-c", half], env=stubs, cwd=runs[label], capture_output=True, text=True)
        assert "sourced" not in cut.stdout
    assert _calls(stubs) == [] and not Path(stubs["STUB_LOG"] + ".unknown").exists()


def test_a_stage_runs_its_commands_and_nothing_else(runs, stubs):
    out = runs["clean"]
    plan = _plans(out)[0]
    sh = out / runbook_path(plan["plan_id"], "sh")
    proc = subprocess.run([BASH, str(sh), _functions(sh)[0]], env=stubs, cwd=out / "runbooks",
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    expected = [c for c in plan["steps"][0]["commands"] if not c.startswith("#")]
    assert len(_calls(stubs)) == len(expected) and all(call[0] in ("ec2", "lambda", "service-quotas")
                                                        for call in _calls(stubs))
    assert (out / f"vpc-config-{plan['function_arns'][0].rsplit(':', 1)[1]}.json").exists()  # from the report folder


def test_injected_names_stay_one_argument_in_every_stage(runs, stubs):
    """Every step and rollback of every injected runbook, run against the stubs: no injected command runs."""
    out, shell = runs["injected"], CORPUS["shell"]
    ran = 0
    for plan in _plans(out):
        sh = out / runbook_path(plan["plan_id"], "sh")
        for function in _functions(sh):
            _bash('command_not_found_handle() { printf "%s\\n" "$1" >> "$STUB_LOG.unknown"; return 0; }; '
                  'source "$1" && "$2"', str(sh), function, env=stubs, cwd=out)
            ran += 1
    assert ran > 50
    assert not Path(stubs["STUB_LOG"] + ".unknown").exists()  # no touch, no id: nothing but the stubs ran
    words = [a for call in _calls(stubs) for a in call if "pwned" in a]
    assert words and all(shell in w or re.fullmatch(r"[\w./:@=,+\-<>{}\[\]*']*", w) for w in words)
    assert any(shell in w for w in words)
