"""Benchmark: the real ``lambda-egress scan`` against a moto server with 2 regions x 500 VPC functions.

    python tests/perf/bench_scan.py [--functions 500] [--workers 8]

Prints the seeding time, the CLI's wall time and the API calls per operation
(from the snapshot's coverage), and checks the efficiency contract: per
region one call per resource type (moto never paginates, so one page), one
GetFunctionConfiguration per VPC function, and ceil(queries / 500)
GetMetricData calls. Not a timed test: it reports, it does not assert on time.

Each region: one VPC, 2 AZs with a public and a private subnet each, a NAT
gateway per AZ, 25 security groups, functions spread over (private subnet,
security group) pairs = 50 Lambda ENI groups, one seeded Lambda ENI per group
(moto never creates Lambda ENIs, so they go straight into its EC2 backend),
100 EC2 ENIs in the private subnets, and 30 days of NAT metrics.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "collect")]

from moto_seed import GIB, client, lambda_eni, put_daily, zip_code  # noqa: E402
from moto_server import MotoServer  # noqa: E402

REGIONS = ("us-east-1", "us-west-2")
SECURITY_GROUPS = 25
EC2_ENIS = 100
NAT_QUERIES, FUNCTION_QUERIES = 6, 2


def seed_region(url: str, region: str, functions: int, now: datetime) -> int:
    """Seed one region; return the number of NAT gateways."""
    ec2, lam, iam, cw = (client(s, region, url) for s in ("ec2", "lambda", "iam", "cloudwatch"))
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    private: list[str] = []
    nats: list[str] = []
    for i, az in enumerate(("a", "b")):
        public = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=region + az)["Subnet"]
        ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public["SubnetId"])
        eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(SubnetId=public["SubnetId"], AllocationId=eip)["NatGateway"]["NatGatewayId"]
        nats.append(nat)
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{16 + i * 16}.0/20",
                                   AvailabilityZone=region + az)["Subnet"]["SubnetId"]
        rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
        private.append(subnet)
    sgs = [ec2.create_security_group(GroupName=f"fn-{i}", Description="fn", VpcId=vpc)["GroupId"]
           for i in range(SECURITY_GROUPS)]
    role = iam.create_role(RoleName=f"bench-{region}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = zip_code()
    groups: set[tuple[str, str]] = set()
    for i in range(functions):
        subnet, sg = private[i % 2], sgs[(i // 2) % SECURITY_GROUPS]
        groups.add((subnet, sg))
        lam.create_function(FunctionName=f"fn-{i:04d}", Runtime="python3.12", Role=role, Handler="app.handler",
                            Code={"ZipFile": code}, VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [sg]})
    for n, (subnet, sg) in enumerate(sorted(groups)):
        base = 16 if subnet == private[0] else 32
        lambda_eni(region, subnet, [sg], f"10.0.{base + n // 200}.{10 + n % 200}", "fn")
    for n in range(EC2_ENIS):
        ec2.create_network_interface(SubnetId=private[n % 2], Groups=[sgs[0]])
    for nat in nats:
        for metric in ("BytesInFromSource", "BytesInFromDestination", "ActiveConnectionCount"):
            put_daily(cw, "AWS/NATGateway", metric, ("NatGatewayId", nat), {d: 1.0 * GIB for d in range(1, 31)}, now)
    return len(nats)


def expected_calls(functions: int, nats: int, regions: int) -> dict[str, int]:
    queries = NAT_QUERIES * nats + FUNCTION_QUERIES * functions
    per_region = {f"ec2:{op}": 1 for op in ("DescribeAddresses", "DescribeInternetGateways", "DescribeNatGateways",
                                            "DescribeNetworkInterfaces", "DescribeRouteTables", "DescribeSubnets",
                                            "DescribeVpcEndpoints", "DescribeVpcs")}
    per_region |= {"lambda:ListFunctions": 1, "lambda:GetFunctionConfiguration": functions,
                   "servicequotas:GetServiceQuota": 1, "cloudwatch:GetMetricData": math.ceil(queries / 500)}
    return {"sts:GetCallerIdentity": 1, **{k: v * regions for k, v in per_region.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=500, help="VPC functions per region")
    parser.add_argument("--workers", type=int, default=32, help="scan --workers (its default: 32)")
    args = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    server = MotoServer()
    server.start()
    try:
        started = time.perf_counter()
        nats = {r: seed_region(server.moto_url, r, args.functions, datetime.now(UTC)) for r in REGIONS}
        print(f"seeded {len(REGIONS)} regions x {args.functions} VPC functions in {time.perf_counter() - started:.1f}s")
        with tempfile.TemporaryDirectory() as out:
            env = {**os.environ, "AWS_ENDPOINT_URL": server.url}
            command = [sys.executable, "-m", "analyzer", "scan", *[a for r in REGIONS for a in ("--region", r)],
                       "--out", out, "--format", "json", "--workers", str(args.workers)]
            started = time.perf_counter()
            run = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - started
            if run.returncode not in (0, 1):
                print(run.stderr, file=sys.stderr)
                return 1
            snapshot = json.loads((Path(out) / "snapshot.json").read_text())
        os.environ["AWS_ENDPOINT_URL"] = server.url
        from analyzer.collect.scan import ScanRequest, run_scan

        started = time.perf_counter()
        run_scan(ScanRequest(regions=REGIONS, workers=args.workers))
        scan_only = time.perf_counter() - started
    finally:
        server.stop()

    calls = snapshot["coverage"]["api_calls"]
    expected = expected_calls(args.functions, nats[REGIONS[0]], len(REGIONS))
    print(f"scan CLI wall time: {wall:.1f}s (exit {run.returncode}, workers {args.workers}, {os.cpu_count()} cores); "
          f"run_scan alone, in-process: {scan_only:.1f}s")
    print(f"functions {len(snapshot['functions'])}, ENIs kept {len(snapshot['network_interfaces'])}, "
          f"series {len(snapshot['metrics'])}, coverage errors {len(snapshot['coverage']['errors'])}")
    print(f"{'operation':40} {'calls':>7} {'per region':>11} {'expected':>9}")
    for op in sorted(set(calls) | set(expected)):
        flag = "" if calls.get(op) == expected.get(op) else "  <-- differs"
        print(f"{op:40} {calls.get(op, 0):>7} {calls.get(op, 0) / len(REGIONS):>11.1f} {expected.get(op, 0):>9}{flag}")
    return 0 if calls == expected else 1


if __name__ == "__main__":
    sys.exit(main())
