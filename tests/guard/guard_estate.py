"""A moto estate for the handler tests, and a way to run the handler on it.

moto never creates Lambda Hyperplane ENIs and ignores ``InterfaceType`` on
CreateNetworkInterface, so Lambda ENIs are seeded straight into moto's EC2
backend with ``interface_type = "lambda"`` and a Lambda-shaped description
(``moto_seed.lambda_eni``, the collector tests' helper).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import boto3
from guard_report import ACCOUNT, REGION, plan, report, target
from moto_seed import lambda_eni

from analyzer.guard.mapping import mapping_document
from analyzer.guard.runtime import handler
from analyzer.guard.source import guard_targets, select_plans

CONTEXT = SimpleNamespace(function_name="lambda-egress-guard",
                          invoked_function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:lambda-egress-guard")
SCHEDULED = {"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}


def eni_event(eni_id: str, subnet_id: str) -> dict[str, Any]:
    """An EventBridge "AWS API Call via CloudTrail" event for Lambda's CreateNetworkInterface."""
    return {
        "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2",
        "detail": {"eventSource": "ec2.amazonaws.com", "eventName": "CreateNetworkInterface",
                   "sourceIPAddress": "lambda.amazonaws.com",
                   "requestParameters": {"subnetId": subnet_id},
                   "responseElements": {"networkInterface": {"networkInterfaceId": eni_id, "subnetId": subnet_id}}},
    }


@dataclass
class Estate:
    ec2: Any
    vpc: str = ""
    public: str = ""
    other: str = ""
    sg_app: str = ""
    sg_web: str = ""
    allocs: list[str] = field(default_factory=list)
    ips: dict[str, str] = field(default_factory=dict)

    def allocate(self, n: int) -> list[str]:
        new = []
        for _ in range(n):
            eip = self.ec2.allocate_address(Domain="vpc")
            self.ips[eip["AllocationId"]] = eip["PublicIp"]
            new.append(eip["AllocationId"])
        self.allocs += new
        return new

    def lambda_eni(self, subnet: str | None = None, sgs: list[str] | None = None, ip: str = "10.0.0.30") -> str:
        return lambda_eni(REGION, subnet or self.public, sgs or [self.sg_app], ip, "orders")

    def public_ip(self, eni_id: str) -> str | None:
        found = self.ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
        return (found.get("Association") or {}).get("PublicIp")

    def allocation_of(self, alloc: str) -> str | None:
        found = self.ec2.describe_addresses(AllocationIds=[alloc])["Addresses"][0]
        return found.get("NetworkInterfaceId") or None


def seed() -> Estate:
    ec2 = boto3.client("ec2", region_name=REGION)
    estate = Estate(ec2=ec2)
    estate.vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet
    estate.public = subnet(VpcId=estate.vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="us-east-1a")["Subnet"][
        "SubnetId"]
    estate.other = subnet(VpcId=estate.vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"][
        "SubnetId"]
    sg = ec2.create_security_group
    estate.sg_app = sg(GroupName="app", Description="app", VpcId=estate.vpc)["GroupId"]
    estate.sg_web = sg(GroupName="web", Description="web", VpcId=estate.vpc)["GroupId"]
    return estate


def mapping_for(*plans: dict[str, Any], allowed: tuple[str, ...] = ()) -> handler.Mapping:
    """The handler's mapping, built from a report.json through the real guard code path."""
    grouped = guard_targets(select_plans(report(*plans), ()), {}, {})
    document = mapping_document(ACCOUNT, REGION, grouped[(ACCOUNT, REGION)])
    document["allowed_ips"] = sorted({*document["allowed_ips"], *allowed})
    return handler.Mapping(json.loads(json.dumps(document)))


def simple_mapping(estate: Estate, allocs: list[str], *, sgs: tuple[str, ...] | None = None,
                   nat: str = "nat-0aaa1111", reused: tuple[str, ...] = (), in_window: bool = False
                   ) -> handler.Mapping:
    t = target(estate.public, sgs or (estate.sg_app,), tuple(allocs), nat_ids=(nat,), in_window=in_window)
    return mapping_for(plan(nat, [t], reused=reused))


def run(estate: Estate, mapping: handler.Mapping, capsys: Any, event: dict[str, Any] | None = None
        ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Invoke the handler; (its return value, the JSON log lines it printed)."""
    result = handler.handler(event or SCHEDULED, CONTEXT, ec2=estate.ec2, mapping=mapping)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    return result, lines


def decisions(lines: list[dict[str, Any]]) -> list[tuple[str, str, str | None, str | None]]:
    return [(d["action"], d["reason"], d["eni_id"], d["allocation_id"]) for d in lines if d["action"] != "summary"]
