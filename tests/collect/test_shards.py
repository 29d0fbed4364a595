"""Account shards in forked child processes: the same snapshot as one process, a crash finished by the parent.

The children are real forks of the test process; they reach the moto server
(a thread of this process) over loopback like any scan. What a child did is
only visible through files, so ``scan_unit`` is wrapped to log
``pid account region`` to a file before it scans (the wrapper is inherited
by the fork).
"""

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
from moto_seed import ACCOUNT, client, deny_assume_role, seed_estate
from moto_server import Fault, MotoServer

from analyzer.collect import collector as collector_module
from analyzer.collect import shards
from analyzer.collect.checkpoints import ScanPlan
from analyzer.collect.progress import ScanStatus, combined
from analyzer.collect.scan import ScanRequest, run_scan
from analyzer.models import Account, Snapshot

pytestmark = pytest.mark.skipif(not shards.can_fork(), reason="shards fork, on Linux only")

REPO = Path(__file__).resolve().parents[2]
REGIONS = ("us-east-1", "eu-west-1")
NOW = datetime(2026, 3, 31, 9, 45, tzinfo=UTC)


def org(server: MotoServer, names: tuple[str, ...] = ("prod", "staging", "data")) -> list[str]:
    orgs = client("organizations", "us-east-1", server.moto_url)
    orgs.create_organization(FeatureSet="ALL")
    members = sorted(orgs.create_account(AccountName=n, Email=f"{n}@example.com")["CreateAccountStatus"]["AccountId"]
                     for n in names)
    for account in (ACCOUNT, *members):
        for region in REGIONS:
            seed_estate(region, server.moto_url, account=account)
    return members


def request(folder: Path, processes: int, workers: int = 8) -> ScanRequest:
    return ScanRequest(regions=REGIONS, org=True, role_name="Scan", now=NOW, checkpoints=folder,
                       processes=processes, workers=workers)


def log_units(monkeypatch: pytest.MonkeyPatch, log: Path, fail=None) -> None:
    """Wrap scan_unit: log who scans what; ``fail(pid, account, region)`` may crash or raise first."""
    real = collector_module.scan_unit

    def logged(ctx, *args, **kwargs):
        with log.open("a") as handle:
            handle.write(f"{os.getpid()} {ctx.account_id} {ctx.region}\n")
        if fail is not None:
            fail(os.getpid(), ctx.account_id, ctx.region)
        return real(ctx, *args, **kwargs)

    monkeypatch.setattr(collector_module, "scan_unit", logged)


def scanned(log: Path) -> list[tuple[int, str, str]]:
    return [(int(p), a, r) for p, a, r in (line.split() for line in log.read_text().splitlines())]


def as_json(snapshot: Snapshot, calls: bool = True) -> dict:
    data = json.loads(snapshot.model_dump_json())
    if not calls:
        data["coverage"].pop("api_calls")
    return data


def test_a_sharded_org_scan_writes_the_snapshot_one_process_writes(
    moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = org(moto_server)
    locked = members[1]
    deny_assume_role(monkeypatch, locked)
    single = run_scan(request(tmp_path / "one", processes=1))
    log = tmp_path / "units.log"
    log_units(monkeypatch, log)

    sharded = run_scan(request(tmp_path / "two", processes=2))

    assert as_json(sharded) == as_json(single)  # records, errors and every API call count
    assert [(e.account_id, e.operation, e.error_code) for e in sharded.coverage.errors] == [
        (locked, "AssumeRole", "AccessDenied")]
    assert len(sharded.functions) == 3 * len(REGIONS) * 5  # 3 accounts entered, 5 functions per region
    units = scanned(log)
    pids = {pid for pid, _, _ in units}
    assert len(pids) == 2 and os.getpid() not in pids  # two children scanned, the parent did not
    assert sorted((a, r) for _, a, r in units) == sorted(
        (a, r) for a in (ACCOUNT, members[0], members[2]) for r in REGIONS)  # every unit once
    entered = (ACCOUNT, members[0], members[2])
    assert all(len({pid for pid, a, _ in units if a == account}) == 1 for account in entered)  # one child each


def test_a_crashed_shard_is_finished_by_the_parent(
    moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = org(moto_server)
    whole = run_scan(request(tmp_path / "one", processes=1))
    parent = os.getpid()
    doomed = members[0]  # in shard 1 (accounts sorted: management, then members, every 2nd)

    def crash(pid: int, account: str, region: str) -> None:
        if pid != parent and account == doomed and region == "eu-west-1":
            os._exit(9)  # the child dies mid-scan, as an OOM kill would end it

    log = tmp_path / "units.log"
    log_units(monkeypatch, log, crash)

    resumed = run_scan(request(tmp_path / "two", processes=2, workers=4))  # one unit at a time per child

    assert as_json(resumed, calls=False) == as_json(whole, calls=False)
    units = scanned(log)
    by_parent = {(a, r) for pid, a, r in units if pid == parent}
    assert (doomed, "eu-west-1") in by_parent  # the unit the child died in, scanned again here
    crashed_child = {pid for pid, a, r in units if (a, r) == (doomed, "eu-west-1") and pid != parent}
    assert len(crashed_child) == 1, (units, parent, doomed)
    done_by_children = [(a, r) for pid, a, r in units if pid != parent and (a, r) not in by_parent]
    assert not by_parent & set(done_by_children)  # what a child checkpointed is never scanned twice
    assert sorted(by_parent | set(done_by_children)) == sorted((a, r) for a in (ACCOUNT, *members) for r in REGIONS)


def test_a_unit_a_shard_gave_up_on_is_a_gap_not_scanned_again(
    moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = org(moto_server)
    parent = os.getpid()

    def broken(pid: int, account: str, region: str) -> None:
        if account == members[2] and region == "us-east-1":
            raise RuntimeError("region parser broke")

    log = tmp_path / "units.log"
    log_units(monkeypatch, log, broken)

    snapshot = run_scan(request(tmp_path / "run", processes=2))

    assert [(e.account_id, e.region, e.operation, e.error_code) for e in snapshot.coverage.errors] == [
        (members[2], "us-east-1", "ScanRegion", "RuntimeError")]
    attempts = [pid for pid, a, r in scanned(log) if (a, r) == (members[2], "us-east-1")]
    assert len(attempts) == 1 and attempts[0] != parent  # given up on in the child, not retried by the parent
    assert {f.account_id for f in snapshot.functions if f.region == "us-east-1"} == {ACCOUNT, *members[:2]}


def test_ctrl_c_ends_a_sharded_scan_and_its_children_and_resume_finishes_it(
    moto_server: MotoServer, tmp_path: Path
) -> None:
    org(moto_server)
    assert moto_server.layer is not None
    moto_server.layer.faults.append(Fault("ec2", "eu-west-1", "DescribeVpcs", "hang"))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "analyzer", "scan", "--org", "--role-name", "Scan", "--processes", "2",
               *(a for r in REGIONS for a in ("--region", r)), "--out", str(out), "--format", "json"]
    env = {**os.environ, "AWS_ENDPOINT_URL": moto_server.url}
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)  # its own process group, as in a terminal
    try:
        assert moto_server.layer.hanging.wait(60), "the scan never reached the hung call"
        units = out / "scan-checkpoints" / "units"
        deadline = time.monotonic() + 60
        while not list(units.glob("*/us-east-1.json")) and time.monotonic() < deadline:
            time.sleep(0.05)
        children = child_pids(process.pid)
        assert len(children) == 2
        stopped = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
        _, stderr = process.communicate(timeout=30)
        elapsed = time.monotonic() - stopped
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr
    assert elapsed < 5
    assert "Traceback" not in stderr and "scan interrupted" in stderr
    assert f"lambda-egress scan --resume {out}" in stderr
    assert not [pid for pid in children if alive(pid)]
    done = len(list(units.glob("*/*.json")))
    assert 1 <= done <= 4 and f"{done} region(s) done are checkpointed" in stderr  # only us-east-1 ones can be
    moto_server.layer.faults.clear()
    moto_server.layer.seen.clear()

    resumed = subprocess.run([sys.executable, "-m", "analyzer", "scan", "--resume", str(out), "--format", "json"],
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=120)

    assert resumed.returncode == 0, resumed.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["coverage"]["errors"] == []
    assert Counter(f["region"] for f in report["functions"]) == {r: 4 * 4 for r in REGIONS}  # 4 VPC functions each
    listed = Counter(region for _, region, op in moto_server.layer.seen if op == "ListFunctions")
    assert listed == Counter({"us-east-1": 4 - done, "eu-west-1": 4})  # what was checkpointed is not scanned again


def child_pids(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# ---------------------------------------------------------------- the pure parts


@pytest.mark.parametrize(("processes", "accounts", "workers", "expected"), [
    (2, 21, 32, 2),
    (8, 3, 32, 3),  # never more children than accounts
    (4, 1, 32, 1),  # one account: one process
    (4, 10, 1, 1),  # --workers 1 means one call at a time: one process
    (4, 10, 5, 2),  # each child keeps at least 2 call permits
    (1, 10, 32, 1),
])
def test_shard_count(processes: int, accounts: int, workers: int, expected: int) -> None:
    assert shards.shard_count(processes, accounts, workers) == expected


def test_permits_split_without_exceeding_the_cap() -> None:
    assert shards.split(32, 2) == [16, 16]
    assert shards.split(7, 3) == [3, 2, 2]
    assert sum(shards.split(255, 8)) == 255


def test_shard_plans_deal_the_accounts_round_robin_and_carry_no_overhead() -> None:
    plan = ScanPlan(caller_account="111111111111", collected_at=NOW, days=30, org=True, role_name="Scan",
                    accounts=tuple(Account(account_id=f"{i:012d}") for i in range(5)),
                    overhead_calls={"sts:GetCallerIdentity": 1})
    parts = shards.shard_plans(plan, 2)
    assert [[a.account_id[-1] for a in p.accounts] for p in parts] == [["0", "2", "4"], ["1", "3"]]
    assert all(p.overhead_calls == {} and p.role_name == "Scan" and p.collected_at == NOW for p in parts)


def test_combined_status_adds_the_counts_and_keeps_the_latest_unit() -> None:
    first = ScanStatus(accounts_total=3, accounts_entered=2, accounts_failed=1, units_known=4, units_done=3,
                       units_failed=1, api_calls=40, throttles=2, last="111111111111/us-east-1", updated=5.0)
    second = ScanStatus(accounts_total=2, accounts_entered=1, units_known=2, units_done=1, units_resumed=1,
                        api_calls=15, last="222222222222/eu-west-1", updated=7.0)
    total = combined([first, second], started=1.0)
    assert (total.accounts_total, total.accounts_entered, total.accounts_failed) == (5, 3, 1)
    assert (total.units_known, total.units_done, total.units_failed, total.units_resumed) == (6, 4, 1, 1)
    assert (total.api_calls, total.throttles, total.started) == (55, 2, 1.0)
    assert total.last == "222222222222/eu-west-1"
    assert total.units_expected == 6 + round(2 * 6 / 3)  # 2 accounts not entered, at 2 units per entered one
