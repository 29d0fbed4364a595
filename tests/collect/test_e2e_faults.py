"""End to end: each fault class the proxy can inject, through the real ``lambda-egress scan``.

us-east-1 meets the fault, eu-west-1 is healthy. Whatever the fault, the scan
must finish with the right exit code, record the gap against the right
operation, keep the healthy region's data, and write the snapshot and reports.
A last test interrupts a scan whose worker is blocked in a socket read.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from moto_seed import ACCOUNT, seed_estate
from moto_server import Fault, MotoServer

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
REGIONS = ("us-east-1", "eu-west-1")
HEALTHY = {"orders", "billing", "webhook", "poller"}  # report.json lists VPC functions


def scan_command(server: MotoServer, out: Path, *args: str) -> list[str]:
    regions = [a for r in REGIONS for a in ("--region", r)]
    return [sys.executable, "-m", "analyzer", "scan", *regions, "--out", str(out), "--format", "json,md", *args]


def environment(server: MotoServer, **extra: str) -> dict[str, str]:
    return {**os.environ, "AWS_ENDPOINT_URL": server.url, "AWS_DEFAULT_REGION": "us-east-1", **extra}


@pytest.fixture
def estates(moto_server: MotoServer):
    return {r: seed_estate(r, moto_server.moto_url) for r in REGIONS}


CASES = [
    # (id, fault, environment, extra args, exit code, expected gap (operation, error code) or None)
    ("malformed-200", Fault("ec2", "us-east-1", "DescribeSubnets", "malformed"), {}, (), 3,
     ("DescribeSubnets", "ResponseParserError")),
    ("truncated-body", Fault("lambda", "us-east-1", "ListFunctions", "truncated"), {}, (), 3,
     ("ListFunctions", "TruncatedResponse")),
    ("repeated-next-token", Fault("ec2", "us-east-1", "DescribeNetworkInterfaces", "repeat-token"), {}, (), 3,
     ("DescribeNetworkInterfaces", "PaginationError")),
    ("html-200-eni", Fault("ec2", "us-east-1", "DescribeNetworkInterfaces", "html"), {}, (), 3,
     ("DescribeNetworkInterfaces", "MalformedResponse")),
    ("hang", Fault("ec2", "us-east-1", "DescribeRouteTables", "hang"), {}, ("--unit-timeout", "4"), 3,
     ("ScanRegion", "UnitTimeout")),
    ("connection-reset", Fault("monitoring", "us-east-1", "GetMetricData", "reset"), {"AWS_MAX_ATTEMPTS": "2"}, (),
     3, ("GetMetricData", "ConnectionClosedError")),
    ("5xx-burst-absorbed", Fault("ec2", "us-east-1", "DescribeRouteTables", "error5xx", times=2), {}, (), 0, None),
]


@pytest.mark.parametrize(("fault", "env", "args", "code", "gap"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_fault_in_one_region_is_a_gap_and_the_scan_finishes(
    moto_server: MotoServer, estates, tmp_path: Path, fault: Fault, env: dict, args: tuple, code: int, gap
) -> None:
    assert moto_server.layer is not None
    moto_server.layer.faults.append(fault)

    started = time.monotonic()
    run = subprocess.run(scan_command(moto_server, tmp_path, *args), cwd=REPO, env=environment(moto_server, **env),
                         capture_output=True, text=True, timeout=120, check=False)
    elapsed = time.monotonic() - started

    assert run.returncode == code, run.stderr
    assert "Traceback" not in run.stderr
    assert fault.hits >= 1, "the fault was never reached"
    assert (tmp_path / "snapshot.json").is_file() and (tmp_path / "report.md").is_file()
    report = json.loads((tmp_path / "report.json").read_text())
    gaps = [(e["region"], e["operation"], e["error_code"]) for e in report["coverage"]["errors"]]
    assert gaps == ([("us-east-1", *gap)] if gap else [])
    if gap:
        assert "Scan incomplete" in run.stderr
    healthy = {f["name"] for f in report["functions"] if f["region"] == "eu-west-1"}
    assert healthy == HEALTHY
    assert report["coverage"]["regions"] == ["eu-west-1", "us-east-1"]
    if fault.kind == "hang":
        assert elapsed < 30  # --unit-timeout 4: not the minutes a hung socket could take
    if fault.kind == "error5xx" and fault.times:
        assert fault.hits == 2 and {f["name"] for f in report["functions"] if f["region"] == "us-east-1"} == HEALTHY


def test_ctrl_c_stops_a_scan_blocked_in_a_socket_read(moto_server: MotoServer, estates, tmp_path: Path) -> None:
    assert moto_server.layer is not None
    moto_server.layer.faults.append(Fault("ec2", "*", "DescribeVpcs", "hang"))
    out = tmp_path / "out"
    process = subprocess.Popen(scan_command(moto_server, out), cwd=REPO, env=environment(moto_server),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert moto_server.layer.hanging.wait(60), "the scan never reached the hung call"
        time.sleep(0.3)
        interrupted = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
        stopped_in = time.monotonic() - interrupted
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert stopped_in < 5  # the read timeout is 15 s: it did not wait for the socket
    assert f"error: scan interrupted; 0 region(s) done are checkpointed in {out / 'scan-checkpoints'}" in stderr
    assert f"continue with `lambda-egress scan --resume {out}`" in stderr and "Traceback" not in stderr
    # Nothing half-written: no report, no snapshot, no temporary file; only the (whole) plan and account entry.
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        f"scan-checkpoints/accounts/{ACCOUNT}.json", "scan-checkpoints/scan.json"]
    assert json.loads((out / "scan-checkpoints" / "scan.json").read_text())["regions"] == list(REGIONS)
