"""End to end: ``lambda-egress verify`` in a subprocess against a local moto server.

The estate (tests/collect/moto_seed.py) has two Lambda ENIs in the public
subnet: ``webhook``'s with an Elastic IP and ``poller``'s without. verify
must report the bare one (exit 1), then pass once it gets an Elastic IP, and
make only the cheap List/Describe calls (no CloudWatch, quota or
per-function calls).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from moto_seed import client, seed_estate
from moto_server import Fault, MotoServer

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def verify(server: MotoServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": server.url, "AWS_DEFAULT_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "2"}
    return subprocess.run([sys.executable, "-m", "analyzer", "verify", "--region", "us-east-1", *args], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def test_verify_reports_drift_then_passes_after_the_eip_is_associated(moto_server: MotoServer) -> None:
    estate = seed_estate("us-east-1", moto_server.url)
    assert moto_server.layer is not None
    moto_server.layer.seen.clear()

    run = verify(moto_server)

    assert run.returncode == 1, run.stderr
    bare, with_eip = estate.enis["poller"], estate.enis["webhook"]
    drift_line = next(line for line in run.stdout.splitlines() if line.startswith("DRIFT  "))
    assert f"{estate.public_subnet} [{estate.sg_app}] no public IP on {bare} (1 of 1 ENIs)" in drift_line
    assert drift_line.endswith("functions: poller")
    assert f"ENIs {with_eip} -> {estate.webhook_eip}; functions: webhook" in run.stdout
    assert estate.enis["private"] not in run.stdout  # behind the NAT: not checked
    operations = {op for _, _, op in moto_server.layer.seen}
    assert not operations & {"GetMetricData", "GetServiceQuota", "GetFunctionConfiguration"}, operations
    assert {"ListFunctions", "DescribeNetworkInterfaces", "DescribeRouteTables"} <= operations

    ec2 = client("ec2", "us-east-1", moto_server.url)
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=bare)

    fixed = verify(moto_server, "--format", "json")

    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    data = json.loads(fixed.stdout)  # stdout is pure JSON: progress goes to stderr
    assert (data["status"], data["drift_count"]) == ("ok", 0)
    assert {(g["eni_ids"][0], g["public_ips"][0]) for g in data["groups"]} == {
        (bare, eip["PublicIp"]), (with_eip, estate.webhook_eip)}


def test_verify_with_a_denied_call_and_no_drift_exits_3(moto_server: MotoServer) -> None:
    estate = seed_estate("us-east-1", moto_server.url)
    ec2 = client("ec2", "us-east-1", moto_server.url)
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=estate.enis["poller"])
    assert moto_server.layer is not None
    moto_server.layer.faults.append(Fault("ec2", "us-east-1", "DescribeVpcEndpoints", "deny"))

    run = verify(moto_server)

    assert run.returncode == 3, run.stdout + run.stderr
    assert "us-east-1 DescribeVpcEndpoints: UnauthorizedOperation" in run.stdout
    assert run.stdout.splitlines()[-1] == "INCOMPLETE: no drift found in what was scanned"


def test_verify_with_an_allow_list_names_the_stray_address(moto_server: MotoServer, tmp_path: Path) -> None:
    """poller gets an Elastic IP nobody allow-listed: OK without a list, drift (exit 1) with one."""
    estate = seed_estate("us-east-1", moto_server.url)
    ec2 = client("ec2", "us-east-1", moto_server.url)
    stray = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=stray["AllocationId"], NetworkInterfaceId=estate.enis["poller"])

    assert verify(moto_server).returncode == 0  # without a list, any public IP passes (as before)

    run = verify(moto_server, "--allowed-ip", estate.webhook_eip)

    assert run.returncode == 1, run.stdout + run.stderr
    drift_line = next(line for line in run.stdout.splitlines() if line.startswith("DRIFT  "))
    assert drift_line.endswith(f"public IP not on the allow-list: {estate.enis['poller']} {stray['PublicIp']}; "
                               "functions: poller")
    assert f"[{estate.sg_app}]" in drift_line

    listed = tmp_path / "allowed.txt"
    listed.write_text(f"# partner allow-list\n{estate.webhook_eip}\n{stray['PublicIp']}/32\n")
    fixed = verify(moto_server, "--allowed-ips", str(listed), "--format", "json")

    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    data = json.loads(fixed.stdout)
    assert (data["status"], data["allowed_ips"]) == ("ok", [f"{estate.webhook_eip}/32", f"{stray['PublicIp']}/32"])


def test_verify_with_a_bad_allow_list_is_one_line_exit_2_before_any_call(moto_server: MotoServer) -> None:
    assert moto_server.layer is not None
    moto_server.layer.seen.clear()

    run = verify(moto_server, "--allowed-ip", "partner.example.com")

    assert run.returncode == 2
    assert run.stderr.strip() == "error: allow-list: 'partner.example.com' is not an IP address or CIDR"
    assert moto_server.layer.seen == []  # the list is checked before the scan
