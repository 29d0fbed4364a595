"""Seed a moto account (in-process ``mock_aws`` or a ``ThreadedMotoServer``) with a Lambda estate.

One VPC: a public subnet (0.0.0.0/0 -> internet gateway) holding a zonal NAT
gateway with one Elastic IP, and a private subnet (0.0.0.0/0 -> the NAT).
Functions: ``orders`` and ``billing`` in the private subnet with the same
security group (one shared ENI group), ``webhook`` in the public subnet whose
ENI has an Elastic IP, ``poller`` in the public subnet whose ENI has none,
and ``plain`` outside any VPC.

moto never creates Lambda Hyperplane ENIs and ignores ``InterfaceType`` on
CreateNetworkInterface, so the Lambda ENIs are created through moto's EC2
backend and marked ``interface_type = "lambda"``, ``status = "in-use"`` by hand.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto.ec2.models import ec2_backends

ACCOUNT = "123456789012"
GIB = 2**30


def client(service: str, region: str, endpoint_url: str | None = None, account: str = ACCOUNT) -> Any:
    """A client of the default account, or of another one (through moto's AssumeRole, which maps keys to it)."""
    if account == ACCOUNT:
        return boto3.client(service, region_name=region, endpoint_url=endpoint_url)
    creds = boto3.client("sts", region_name=region, endpoint_url=endpoint_url).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="seed")["Credentials"]
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url,
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])


def zip_code() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return None\n")
    return buf.getvalue()


def lambda_eni(region: str, subnet_id: str, sg_ids: list[str], ip: str, creator: str, account: str = ACCOUNT) -> str:
    """A Lambda Hyperplane ENI, seeded straight into moto's EC2 backend (see module docstring)."""
    backend = ec2_backends[account][region]
    eni = backend.create_network_interface(
        subnet_id, ip, group_ids=sg_ids, description=f"AWS Lambda VPC ENI-{creator}-0f1e2d3c"
    )
    eni.interface_type = "lambda"
    eni.status = "in-use"
    return eni.id


@dataclass
class Estate:
    region: str
    vpc_id: str = ""
    public_subnet: str = ""
    private_subnet: str = ""
    igw_id: str = ""
    nat_id: str = ""
    nat_public_ip: str = ""
    nat_eni: str = ""
    sg_app: str = ""
    sg_web: str = ""
    arns: dict[str, str] = field(default_factory=dict)
    enis: dict[str, str] = field(default_factory=dict)  # "private", "webhook", "poller", "ec2"
    webhook_eip: str = ""


def seed_network(estate: Estate, ec2: Any, az: str) -> None:
    estate.vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    vpc = estate.vpc_id
    estate.public_subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone=az)[
        "Subnet"
    ]["SubnetId"]
    estate.private_subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=az)[
        "Subnet"
    ]["SubnetId"]
    estate.igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=estate.igw_id, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=estate.igw_id)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=estate.public_subnet)
    nat_eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=estate.public_subnet, AllocationId=nat_eip["AllocationId"])["NatGateway"]
    estate.nat_id = nat["NatGatewayId"]
    estate.nat_public_ip = nat_eip["PublicIp"]
    estate.nat_eni = nat["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    private_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=estate.nat_id)
    ec2.associate_route_table(RouteTableId=private_rt, SubnetId=estate.private_subnet)
    estate.sg_app = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    estate.sg_web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]


def seed_functions(estate: Estate, lam: Any, iam: Any) -> None:
    role = iam.create_role(RoleName=f"fn-{estate.region}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    placement = {
        "orders": (estate.private_subnet, estate.sg_app),
        "billing": (estate.private_subnet, estate.sg_app),
        "webhook": (estate.public_subnet, estate.sg_web),
        "poller": (estate.public_subnet, estate.sg_app),
        "plain": (None, None),
    }
    for name, (subnet, sg) in placement.items():
        extra = {"VpcConfig": {"SubnetIds": [subnet], "SecurityGroupIds": [sg]}} if subnet else {}
        created = lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
            Code={"ZipFile": zip_code()}, **extra,
        )
        estate.arns[name] = created["FunctionArn"]


def seed_estate(region: str, endpoint_url: str | None = None, other_consumer: bool = False,
                account: str = ACCOUNT) -> Estate:
    """The estate of the module docstring in ``account``; ``other_consumer`` adds an EC2 ENI in the private subnet."""
    estate = Estate(region=region)
    ec2 = client("ec2", region, endpoint_url, account)
    seed_network(estate, ec2, f"{region}a")
    seed_functions(estate, client("lambda", region, endpoint_url, account), client("iam", region, endpoint_url,
                                                                                   account))
    for key, subnet, sg, ip, creator in (("private", estate.private_subnet, estate.sg_app, "10.0.1.10", "orders"),
                                         ("webhook", estate.public_subnet, estate.sg_web, "10.0.0.20", "webhook"),
                                         ("poller", estate.public_subnet, estate.sg_app, "10.0.0.30", "poller")):
        estate.enis[key] = lambda_eni(region, subnet, [sg], ip, creator, account)
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=estate.enis["webhook"])
    estate.webhook_eip = eip["PublicIp"]
    if other_consumer:
        estate.enis["ec2"] = ec2.create_network_interface(SubnetId=estate.private_subnet, Groups=[estate.sg_app])[
            "NetworkInterface"
        ]["NetworkInterfaceId"]
    return estate


def midnight(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def put_daily(cw: Any, namespace: str, metric: str, dim: tuple[str, str], values: dict[int, float],
              now: datetime) -> None:
    """One datapoint per day, at 01:00 UTC ``offset`` days before ``now``'s midnight."""
    base = midnight(now)
    data = [
        {"MetricName": metric, "Dimensions": [{"Name": dim[0], "Value": dim[1]}],
         "Timestamp": base - timedelta(days=offset) + timedelta(hours=1), "Value": value}
        for offset, value in values.items()
    ]
    for start in range(0, len(data), 500):
        cw.put_metric_data(Namespace=namespace, MetricData=data[start : start + 500])


def seed_metrics(estate: Estate, now: datetime, endpoint_url: str | None = None) -> None:
    """24 days of NAT traffic (2 GiB in from source + 1 GiB in from destination a day) and invocations.

    ``billing`` last ran 20 days ago; the others ran every one of the last 24 days.
    """
    cw = client("cloudwatch", estate.region, endpoint_url)
    days = range(1, 25)
    nat = ("NatGatewayId", estate.nat_id)
    put_daily(cw, "AWS/NATGateway", "BytesInFromSource", nat, {d: 2.0 * GIB for d in days}, now)
    put_daily(cw, "AWS/NATGateway", "BytesInFromDestination", nat, {d: 1.0 * GIB for d in days}, now)
    put_daily(cw, "AWS/NATGateway", "BytesOutToDestination", nat, {d: 2.0 * GIB for d in days}, now)
    put_daily(cw, "AWS/NATGateway", "BytesOutToSource", nat, {d: 1.0 * GIB for d in days}, now)
    put_daily(cw, "AWS/NATGateway", "ActiveConnectionCount", nat, {d: 120.0 for d in days}, now)
    for name in ("orders", "webhook", "poller"):
        put_daily(cw, "AWS/Lambda", "Invocations", ("FunctionName", name), {d: 100.0 for d in days}, now)
        put_daily(cw, "AWS/Lambda", "ConcurrentExecutions", ("FunctionName", name), {d: 3.0 for d in days}, now)
    put_daily(cw, "AWS/Lambda", "Invocations", ("FunctionName", "billing"), {20: 7.0, 22: 5.0}, now)


def deny_assume_role(monkeypatch: Any, account_id: str) -> None:
    """Make AssumeRole into ``account_id`` fail with AccessDenied, as a missing role does (moto's never refuses)."""
    from botocore.exceptions import ClientError

    from analyzer.collect import accounts as accounts_module

    real_assume = accounts_module.assume_role

    def assume(factory: Any, account: str, role_name: str) -> Any:
        if account == account_id:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "AssumeRole")
        return real_assume(factory, account, role_name)

    monkeypatch.setattr(accounts_module, "assume_role", assume)
