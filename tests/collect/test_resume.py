"""scan --resume: a killed scan continues, scans only what is missing, and ends with the snapshot a whole run gives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from moto_seed import ACCOUNT, client, seed_estate
from moto_server import Fault, MotoServer

from analyzer.collect import checkpoints as checkpoints_module
from analyzer.collect.scan import ScanRequest, run_scan
from analyzer.errors import Interrupted
from analyzer.models import Snapshot
from analyzer.snapshot import read_snapshot

REPO = Path(__file__).resolve().parents[2]
REGIONS = ("us-east-1", "eu-west-1", "us-west-2")
NOW = datetime(2026, 3, 31, 9, 45, tzinfo=UTC)
# What one unit of the estate costs (see test_scan.PER_REGION): 8 describes, ListFunctions,
# 4 GetFunctionConfiguration, GetMetricData, GetServiceQuota.
UNIT_CALLS = 15


def cli(server: MotoServer, *args: str) -> list[str]:
    return [sys.executable, "-m", "analyzer", "scan", *args]


def env(server: MotoServer) -> dict[str, str]:
    return {**os.environ, "AWS_ENDPOINT_URL": server.url, "AWS_DEFAULT_REGION": "us-east-1"}


def without_calls(snapshot: Snapshot) -> dict:
    data = json.loads(snapshot.model_dump_json())
    data["coverage"].pop("api_calls")
    return data


def test_a_killed_scan_resumes_with_only_the_missing_units(moto_server: MotoServer, tmp_path: Path) -> None:
    for region in REGIONS:
        seed_estate(region, moto_server.moto_url)
    assert moto_server.layer is not None
    hang = Fault("*", "eu-west-1", "*", "hang")  # eu-west-1 never finishes: the others do, then the scan is killed
    moto_server.layer.faults.append(hang)
    out = tmp_path / "run"
    regions = [a for r in REGIONS for a in ("--region", r)]
    first = subprocess.Popen(cli(moto_server, *regions, "--out", str(out), "--format", "json"), cwd=REPO,
                             env=env(moto_server), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    units = out / "scan-checkpoints" / "units" / ACCOUNT
    try:
        deadline = time.monotonic() + 90
        while len(list(units.glob("*.json"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        first.send_signal(signal.SIGKILL)  # a crash: no handler runs
        first.wait(10)
    assert sorted(p.stem for p in units.glob("*.json")) == ["us-east-1", "us-west-2"]
    assert not (out / "snapshot.json").exists()

    moto_server.layer.faults.remove(hang)
    moto_server.layer.seen.clear()
    resumed = subprocess.run(cli(moto_server, "--resume", str(out), "--format", "json"), cwd=REPO,
                             env=env(moto_server), capture_output=True, text=True, timeout=120, check=False)

    assert resumed.returncode == 0, resumed.stderr
    seen = Counter((region, op) for _, region, op in moto_server.layer.seen)
    assert seen.pop(("us-east-1", "GetCallerIdentity")) == 1  # the same identity, checked again
    assert {region for region, _ in seen} == {"eu-west-1"}  # only the missing unit was scanned
    assert sum(seen.values()) == UNIT_CALLS
    assert not (out / "scan-checkpoints").exists()  # done: nothing left to resume

    whole = run_scan(ScanRequest(regions=REGIONS, now=read_snapshot(out / "snapshot.json").collected_at))
    again = read_snapshot(out / "snapshot.json")
    assert without_calls(again) == without_calls(whole)
    extra = Counter(again.coverage.api_calls)
    extra.subtract(whole.coverage.api_calls)
    assert +extra == Counter({"sts:GetCallerIdentity": 1})  # the calls are counted as made: one more identity check
    report = json.loads((out / "report.json").read_text())
    assert {f["region"] for f in report["functions"]} == set(REGIONS)


def test_an_interrupted_org_scan_enters_again_only_accounts_with_units_missing(
    moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orgs = client("organizations", "us-east-1", moto_server.moto_url)
    orgs.create_organization(FeatureSet="ALL")
    members = sorted(orgs.create_account(AccountName=n, Email=f"{n}@example.com")["CreateAccountStatus"]["AccountId"]
                     for n in ("prod", "staging"))
    for account in members:
        for region in ("us-east-1", "eu-west-1"):
            seed_estate(region, moto_server.moto_url, account=account)
    request = ScanRequest(regions=("us-east-1", "eu-west-1"), org=True, role_name="Scan", now=NOW, workers=1,
                          checkpoints=tmp_path)
    real_save = checkpoints_module.Checkpoints.save_unit
    saved: list[tuple[str, str]] = []

    def crash_on_the_fourth(self, account_id, region, piece):  # the process dies before its 4th checkpoint
        if len(saved) == 3:
            raise KeyboardInterrupt
        saved.append((account_id, region))
        real_save(self, account_id, region, piece)

    monkeypatch.setattr(checkpoints_module.Checkpoints, "save_unit", crash_on_the_fourth)
    with pytest.raises(Interrupted, match=r"3 region\(s\) done are checkpointed"):
        run_scan(request)
    monkeypatch.setattr(checkpoints_module.Checkpoints, "save_unit", real_save)
    assert moto_server.layer is not None
    moto_server.layer.seen.clear()

    resumed = run_scan(ScanRequest(checkpoints=tmp_path, resume=True, workers=1))

    units = {(a.account_id, r) for a in resumed.accounts for r in ("us-east-1", "eu-west-1")}
    missing = units - set(saved)
    assert len(missing) == 3  # 6 units, 3 saved before the crash
    seen = Counter(op for _, _, op in moto_server.layer.seen)
    entered_again = {a for a, _ in missing} - {ACCOUNT}
    assert seen["AssumeRole"] == len(entered_again)  # accounts whose units were all saved are not entered again
    assert seen["ListFunctions"] == len(missing) and seen["GetCallerIdentity"] == 1
    whole = run_scan(ScanRequest(regions=("us-east-1", "eu-west-1"), org=True, role_name="Scan", now=NOW))
    assert without_calls(resumed) == without_calls(whole)
    assert {f.account_id for f in resumed.functions} == set(members)


@pytest.mark.parametrize(("args", "message"), [
    (["--resume", "{dir}", "--region", "us-east-1", "--days", "7"],
     "error: --resume continues the scan saved in {dir}: drop --region, --days"),
    (["--resume", "{dir}", "--out", "{dir}/elsewhere"], "error: --resume writes into the folder it continues"),
    (["--resume", "{dir}"], "error: {dir}: no unfinished scan to resume (no scan-checkpoints/scan.json)"),
    (["--out", "{dir}"], "error: {dir} holds an unfinished scan: continue it with --resume {dir}, or delete"),
])
def test_resume_misuse_is_one_line_and_exit_2_before_any_aws_call(tmp_path: Path, args: list[str],
                                                                  message: str) -> None:
    if args == ["--out", "{dir}"]:
        (tmp_path / "scan-checkpoints").mkdir()
        (tmp_path / "scan-checkpoints" / "scan.json").write_text("{}")
    argv = [a.format(dir=tmp_path) for a in args]
    bare = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # no credentials: no AWS call possible
    run = subprocess.run([sys.executable, "-m", "analyzer", "scan", *argv], cwd=REPO, env=bare,
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(message.format(dir=tmp_path)) and len(run.stderr.strip().splitlines()) == 1
