"""End to end: the real ``lambda-egress scan`` in a subprocess against a local moto server.

The estate (tests/collect/moto_seed.py): one VPC, a NAT in the public subnet,
``orders`` + ``billing`` sharing one Lambda ENI in the private subnet,
``webhook`` (ENI with an Elastic IP) and ``poller`` (ENI without) in the
public subnet, 24 days of NAT traffic and invocations.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from moto_seed import client, seed_estate, seed_metrics
from moto_server import Fault, MotoServer

from analyzer.collect.policy import load_policy

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def cli(server: MotoServer, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "AWS_ENDPOINT_URL": server.url, "AWS_DEFAULT_REGION": "us-east-1", **env}
    return subprocess.run([sys.executable, "-m", "analyzer", *args], cwd=REPO, env=full_env,
                          capture_output=True, text=True, timeout=120, check=False)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def aws_state(url: str, regions: tuple[str, ...]) -> dict[str, Any]:
    """Everything the estate holds, read back, to prove a scan changed nothing."""
    state: dict[str, Any] = {}
    for region in regions:
        ec2, lam, cw = (client(s, region, url) for s in ("ec2", "lambda", "cloudwatch"))
        for op, key in [("describe_vpcs", "Vpcs"), ("describe_subnets", "Subnets"),
                        ("describe_route_tables", "RouteTables"), ("describe_nat_gateways", "NatGateways"),
                        ("describe_network_interfaces", "NetworkInterfaces"), ("describe_addresses", "Addresses"),
                        ("describe_internet_gateways", "InternetGateways"), ("describe_vpc_endpoints", "VpcEndpoints"),
                        ("describe_security_groups", "SecurityGroups")]:
            state[f"{region}/{op}"] = getattr(ec2, op)()[key]
        functions = lam.list_functions()["Functions"]
        state[f"{region}/functions"] = functions
        state[f"{region}/configs"] = [
            {k: v for k, v in lam.get_function_configuration(FunctionName=f["FunctionName"]).items()
             if k != "ResponseMetadata"} for f in functions]
        state[f"{region}/metrics"] = cw.list_metrics()["Metrics"]
    return state


@pytest.fixture
def estate(moto_server: MotoServer):
    seeded = seed_estate("us-east-1", moto_server.url)
    seed_metrics(seeded, datetime.now(UTC), moto_server.url)
    return seeded


def test_scan_cli_reports_paths_costs_and_findings(moto_server: MotoServer, estate, tmp_path: Path) -> None:
    before = aws_state(moto_server.url, ("us-east-1",))
    assert moto_server.layer is not None
    moto_server.layer.seen.clear()

    run = cli(moto_server, "scan", "--region", "us-east-1", "--out", str(tmp_path))

    scan_calls = list(moto_server.layer.seen)
    assert run.returncode == 0, run.stderr
    assert aws_state(moto_server.url, ("us-east-1",)) == before, "the scan changed AWS state"
    operations = {op for _, _, op in scan_calls}
    assert operations and all(op.startswith(("Describe", "List", "Get")) for op in operations), operations
    report = json.loads((tmp_path / "report.json").read_text())
    assert (tmp_path / "snapshot.json").is_file()
    assert report["coverage"]["errors"] == [] and report["coverage"]["regions"] == ["us-east-1"]

    fns = {f["name"]: f for f in report["functions"]}
    assert {n: fns[n]["egress"] for n in ("orders", "billing", "webhook", "poller")} == {
        "orders": "nat", "billing": "nat", "webhook": "igw-eip", "poller": "igw-no-public-ip"}
    assert fns["orders"]["nat_gateway_ids"] == [estate.nat_id]
    assert fns["orders"]["eni_ids"] == [estate.enis["private"]] == fns["billing"]["eni_ids"]
    assert fns["orders"]["vpc_id"] == estate.vpc_id

    [nat] = report["nat_gateways"]
    assert nat["nat_gateway_id"] == estate.nat_id and nat["public_ips"] == [estate.nat_public_ip]
    assert sorted(nat["function_arns"]) == sorted([estate.arns["orders"], estate.arns["billing"]])
    assert nat["other_consumer_eni_ids"] == [] and nat["attribution"] == "sole-consumer"
    # 24 days x (2 GiB in from source + 1 GiB in from destination) = 72 GiB in 30 days;
    # a month is 72 * 730 / (24 * 30) = 73.0 GB.
    assert nat["monthly_gb"] == pytest.approx(73.0)
    assert nat["lambda_share"] == 1.0

    # us-east-1: NAT $0.045/h and $0.045/GB, public IPv4 $0.005/h, 730 h a month.
    nat_hours = cents(Decimal("730") * Decimal("0.045"))  # 32.85
    nat_gb = cents(Decimal("73.000") * Decimal("0.045"))  # 3.285 -> 3.29
    ipv4 = cents(Decimal("730") * Decimal("0.005"))  # 3.65 per address
    current = nat_hours + nat_gb + ipv4 * 1  # one public IP on the NAT: 39.79
    proposed = ipv4 * 1  # one ENI group with one ENI -> one EIP: 3.65
    assert (current, proposed) == (Decimal("39.79"), Decimal("3.65"))
    [scenario] = report["scenarios"]
    assert scenario["nat_gateway_id"] == estate.nat_id
    assert (scenario["eips_needed"], scenario["nat_removable"]) == (1, True)
    assert Decimal(str(scenario["current_monthly_usd"])) == current
    assert Decimal(str(scenario["proposed_monthly_usd"])) == proposed
    assert Decimal(str(scenario["monthly_savings_usd"])) == current - proposed  # 36.14
    assert Decimal(str(report["summary"]["monthly_savings_usd"])) == Decimal("36.14")
    assert report["summary"]["functions_behind_nat"] == 2

    findings = {(f["rule_id"], r) for f in report["findings"] for r in f["resource_ids"]}
    assert ("public-subnet-no-eip", estate.enis["poller"]) in findings
    assert ("public-subnet-no-eip", estate.arns["poller"]) in findings
    assert ("public-subnet-no-eip", estate.arns["webhook"]) not in findings
    assert ("shared-eni", estate.enis["private"]) in findings
    assert ("idle-reclamation", estate.arns["billing"]) in findings  # last ran 20 days ago, limit 14
    assert ("idle-reclamation", estate.arns["orders"]) not in findings
    assert ("no-gateway-endpoint", estate.vpc_id) in findings
    assert ("eni-not-persistent", estate.nat_id) in findings
    # One EIP needed; by default the NAT's one (primary) address is not reused (that needs a window), so the
    # partner allow-lists one new address and can drop the NAT's after it is deleted.
    assert ("allowlist-change", estate.nat_id) in findings

    # The saved snapshot gives the same report offline.
    again = cli(moto_server, "report", str(tmp_path / "snapshot.json"), "--out", str(tmp_path / "again"),
                "--format", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "again" / "report.json").read_text()) == report


def test_denied_and_throttled_regions_are_gaps_and_exit_3(moto_server: MotoServer, estate, tmp_path: Path) -> None:
    seed_estate("us-west-2", moto_server.url)
    assert moto_server.layer is not None
    moto_server.layer.faults += [
        Fault("ec2", "us-west-2", "*", "deny"),
        Fault("lambda", "us-west-2", "*", "deny"),
        Fault("servicequotas", "us-west-2", "*", "deny"),
        Fault("lambda", "eu-west-1", "ListFunctions", "throttle"),
    ]

    # One attempt, so the throttle is final at once (retry-then-success is covered in test_scan.py).
    run = cli(moto_server, "scan", "--region", "us-east-1", "--region", "us-west-2", "--region", "eu-west-1",
              "--out", str(tmp_path), "--format", "json", AWS_MAX_ATTEMPTS="1")

    assert run.returncode == 3, run.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    gaps = {(e["region"], e["operation"], e["error_code"]) for e in report["coverage"]["errors"]}
    assert ("us-west-2", "DescribeSubnets", "UnauthorizedOperation") in gaps
    assert ("us-west-2", "ListFunctions", "AccessDeniedException") in gaps
    assert ("us-west-2", "GetServiceQuota", "AccessDeniedException") in gaps
    assert ("eu-west-1", "ListFunctions", "TooManyRequestsException") in gaps
    assert {e["region"] for e in report["coverage"]["errors"]} == {"us-west-2", "eu-west-1"}
    assert {f["name"] for f in report["functions"] if f["region"] == "us-east-1"} >= {"orders", "billing"}
    assert [n["nat_gateway_id"] for n in report["nat_gateways"]] == [estate.nat_id]


def test_no_credentials_and_unknown_region_exit_2(moto_server: MotoServer, tmp_path: Path) -> None:
    unknown = cli(moto_server, "scan", "--region", "moon-1", "--out", str(tmp_path))
    assert unknown.returncode == 2 and "unknown region: moon-1" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    bare = subprocess.run([sys.executable, "-m", "analyzer", "scan", "--region", "us-east-1", "--out", str(tmp_path)],
                          cwd=REPO, env={**env, "AWS_ENDPOINT_URL": moto_server.url}, capture_output=True,
                          text=True, timeout=60, check=False)
    assert bare.returncode == 2 and "no usable AWS credentials" in bare.stderr
    assert "Traceback" not in bare.stderr


def test_iam_policy_command_prints_the_packaged_policy(moto_server: MotoServer) -> None:
    run = cli(moto_server, "iam-policy")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == load_policy()
