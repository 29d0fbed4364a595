"""End to end: issue 7's routing and design decisions through the real ``lambda-egress scan`` on a moto server.

Two VPCs in one region (us-east-1):

* ``multi``: AZ a has a public subnet and two private subnets (a1, a2) behind nat-a;
  AZ b has a public subnet and a private subnet (b) behind nat-b. ``pay`` runs in a1 and b
  (security group app), ``refund`` in a2 (app). So pay and refund land on ONE ENI in
  public-a (one Elastic IP for two private subnets), and pay, spread over both NATs, moves
  once, in the one plan that covers nat-a and nat-b.
* ``partner``: ``ledger`` in private c behind nat-c; subnet "tgw" sends 0.0.0.0/0 to a
  transit gateway and only the partner's 198.51.100.0/24 to nat-c, and an EC2 ENI sits
  there. nat-c is in use through that route: not removable, nat-shared, no route deleted.

moto never creates Lambda Hyperplane ENIs, so they are seeded into its EC2 backend
(``moto_seed.lambda_eni``, as in the other end-to-end tests).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from moto.ec2.models import ec2_backends
from moto_seed import ACCOUNT, client, lambda_eni, zip_code
from moto_server import MotoServer
from test_e2e_scan import cli

pytestmark = pytest.mark.e2e
REGION = "us-east-1"


def _subnet(ec2: Any, vpc: str, cidr: str, az: str) -> str:
    return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]


def _table(ec2: Any, vpc: str, subnets: list[str], **default: str) -> str:
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    if default:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", **default)
    for subnet in subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    return table


def _nat(ec2: Any, subnet: str) -> str:
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    return ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]["NatGatewayId"]


def _function(lam: Any, role: str, name: str, subnets: list[str], sg: str) -> str:
    return lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                               Code={"ZipFile": zip_code()},
                               VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": [sg]})["FunctionArn"]


def seed(url: str) -> dict[str, str]:
    ec2, lam, iam = (client(s, REGION, url) for s in ("ec2", "lambda", "iam"))
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    ids: dict[str, str] = {}

    vpc = ids["multi"] = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    for name, cidr, az in (("pub-a", "10.1.0.0/24", "a"), ("pub-b", "10.1.1.0/24", "b"), ("a1", "10.1.10.0/24", "a"),
                           ("a2", "10.1.11.0/24", "a"), ("b", "10.1.20.0/24", "b")):
        ids[name] = _subnet(ec2, vpc, cidr, f"{REGION}{az}")
    _table(ec2, vpc, [ids["pub-a"], ids["pub-b"]], GatewayId=igw)
    ids["nat-a"], ids["nat-b"] = _nat(ec2, ids["pub-a"]), _nat(ec2, ids["pub-b"])
    _table(ec2, vpc, [ids["a1"], ids["a2"]], NatGatewayId=ids["nat-a"])
    _table(ec2, vpc, [ids["b"]], NatGatewayId=ids["nat-b"])
    sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    ids["pay"] = _function(lam, role, "pay", [ids["a1"], ids["b"]], sg)
    ids["refund"] = _function(lam, role, "refund", [ids["a2"]], sg)
    lambda_eni(REGION, ids["a1"], [sg], "10.1.10.10", "pay")
    lambda_eni(REGION, ids["b"], [sg], "10.1.20.10", "pay")
    lambda_eni(REGION, ids["a2"], [sg], "10.1.11.10", "refund")

    vpc = ids["partner"] = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ids["pub-c"] = _subnet(ec2, vpc, "10.2.0.0/24", f"{REGION}a")
    ids["c"] = _subnet(ec2, vpc, "10.2.10.0/24", f"{REGION}a")
    ids["tgw-subnet"] = _subnet(ec2, vpc, "10.2.20.0/24", f"{REGION}a")
    _table(ec2, vpc, [ids["pub-c"]], GatewayId=igw)
    ids["nat-c"] = _nat(ec2, ids["pub-c"])
    _table(ec2, vpc, [ids["c"]], NatGatewayId=ids["nat-c"])
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    ids["tgw-table"] = _table(ec2, vpc, [ids["tgw-subnet"]], TransitGatewayId=tgw)
    ec2.create_route(RouteTableId=ids["tgw-table"], DestinationCidrBlock="198.51.100.0/24",
                     NatGatewayId=ids["nat-c"])
    sg = ec2.create_security_group(GroupName="ledger", Description="ledger", VpcId=vpc)["GroupId"]
    ids["ledger"] = _function(lam, role, "ledger", [ids["c"]], sg)
    lambda_eni(REGION, ids["c"], [sg], "10.2.10.10", "ledger")
    ids["batch"] = ec2.create_network_interface(SubnetId=ids["tgw-subnet"], Groups=[sg])["NetworkInterface"][
        "NetworkInterfaceId"]
    # An attached ENI (an EC2 batch host): moto leaves a created ENI "available" (detached, sends nothing).
    ec2_backends[ACCOUNT][REGION].get_network_interface(ids["batch"]).status = "in-use"
    return ids


@pytest.fixture
def report(moto_server: MotoServer, tmp_path: Path) -> tuple[dict, dict[str, str]]:
    ids = seed(moto_server.url)
    run = cli(moto_server, "scan", "--region", REGION, "--out", str(tmp_path), "--format", "json")
    assert run.returncode == 0, run.stderr
    return json.loads((tmp_path / "report.json").read_text()), ids


def test_two_private_subnets_of_one_az_end_on_one_eip_and_a_function_behind_two_nats_moves_once(report):
    data, ids = report
    [plan] = [p for p in data["plans"] if ids["nat-a"] in p["nat_gateway_ids"]]
    assert sorted(plan["nat_gateway_ids"]) == sorted([ids["nat-a"], ids["nat-b"]])
    targets = {t["subnet_id"]: t for t in plan["targets"]}
    assert set(targets) == {ids["pub-a"], ids["pub-b"]}
    assert sorted(targets[ids["pub-a"]]["source_subnet_ids"]) == sorted([ids["a1"], ids["a2"]])
    assert [len(t["allocation_ids"]) for t in targets.values()] == [1, 1]  # 2 EIPs, not 3
    eips = {s["nat_gateway_id"]: s["eips_needed"] for s in data["scenarios"]}
    assert eips[ids["nat-a"]] + eips[ids["nat-b"]] == 2
    updates = [c for s in plan["steps"] for c in s["commands"] if "update-function-configuration" in c]
    pay = [c for c in updates if "--function-name pay " in c]
    assert len(pay) == 1  # moved once, to both public subnets
    moved_to = pay[0].split("SubnetIds=")[1].split(",SecurityGroupIds=")[0].split(",")
    assert sorted(moved_to) == sorted([ids["pub-a"], ids["pub-b"]])


def test_a_nat_used_only_through_a_partner_route_is_kept(report):
    data, ids = report
    nats = {n["nat_gateway_id"]: n for n in data["nat_gateways"]}
    nat = nats[ids["nat-c"]]
    assert ids["tgw-subnet"] in nat["routed_subnet_ids"]
    assert nat["other_consumer_eni_ids"] == [ids["batch"]]
    [scenario] = [s for s in data["scenarios"] if s["nat_gateway_id"] == ids["nat-c"]]
    assert scenario["nat_removable"] is False
    assert any(f["rule_id"] == "nat-shared" and ids["nat-c"] in f["resource_ids"] for f in data["findings"])
    [plan] = [p for p in data["plans"] if ids["nat-c"] in p["nat_gateway_ids"]]
    commands = [c for s in plan["steps"] for c in s["commands"]]
    assert not any("delete-route" in c or "delete-nat-gateway" in c for c in commands)
