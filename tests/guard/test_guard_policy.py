"""The guard's role is least privilege, provably: every call the handler makes is in the template's policy.

Calls are recorded with the botocore ``before-call`` hook on every client that
tests/collect/test_policy.py uses for the scan while the handler runs its
behaviours on moto; the policy is read back from the rendered CloudFormation
and Terraform files, not from the Python that builds it.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from guard_estate import eni_event, run, seed, simple_mapping
from guard_report import ACCOUNT, REGION, plan, report, target

from analyzer.guard.mapping import mapping_document
from analyzer.guard.render import guard_files
from analyzer.guard.source import guard_targets, select_plans


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, ...) read as plain values."""


CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: {suffix: (
    loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else
    loader.construct_mapping(node) if isinstance(node, yaml.MappingNode) else loader.construct_scalar(node))})


def load_cfn(text: str) -> dict[str, Any]:
    return yaml.load(text, Loader=CfnLoader)  # a SafeLoader subclass


def statements(policy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in policy["Statement"]}


def actions(policy: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for s in policy["Statement"]:
        found.update([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    return found


def rendered_policies(subnet: str, allocs: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    grouped = guard_targets(select_plans(report(plan("nat-0aaa1111", [target(subnet, ("sg-0app",), allocs)])), ()),
                            {}, {})
    files = guard_files(mapping_document(ACCOUNT, REGION, grouped[(ACCOUNT, REGION)]))
    cfn = load_cfn(files["cloudformation.yaml"].decode())
    cfn_policy = cfn["Resources"]["GuardRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    return cfn_policy, json.loads(files["terraform/policy.json"])


def test_every_call_the_handler_makes_is_in_the_policy_and_only_associate_writes(aws, recorded, capsys) -> None:
    estate = seed()
    first, second = estate.allocate(2)
    nat_alloc, = estate.allocate(1)
    nat_id = estate.ec2.create_nat_gateway(SubnetId=estate.other, AllocationId=nat_alloc)["NatGateway"][
        "NatGatewayId"]
    eni = estate.lambda_eni()
    estate.lambda_eni(ip="10.0.0.31")
    recorded.clear()  # seeding calls are not the handler's

    run(estate, simple_mapping(estate, [first, second]), capsys, eni_event(eni, estate.public))
    run(estate, simple_mapping(estate, [nat_alloc], nat=nat_id, reused=(nat_alloc,), in_window=True), capsys)

    cfn_policy, tf_policy = rendered_policies(estate.public, (first, second))
    assert cfn_policy == tf_policy, "CloudFormation and Terraform grant the same"
    assert recorded == {"ec2:DescribeAddresses", "ec2:DescribeNatGateways", "ec2:DescribeNetworkInterfaces",
                        "ec2:AssociateAddress"}
    assert recorded - actions(cfn_policy) == set()
    # nothing granted that the handler does not call, but the Lambda runtime's own log writes
    assert actions(cfn_policy) - recorded == {"logs:CreateLogStream", "logs:PutLogEvents"}


def test_associate_is_scoped_to_the_mapped_allocations_and_the_guarded_subnets() -> None:
    policy, _ = rendered_policies("subnet-0pub1111", ("eipalloc-0aaa1111", "eipalloc-0bbb2222"))
    by_sid = statements(policy)
    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}"

    assert by_sid["AssociateOnlyTheMappedAllocations"]["Resource"] == [
        f"{arn}:elastic-ip/eipalloc-0aaa1111", f"{arn}:elastic-ip/eipalloc-0bbb2222"]
    enis = by_sid["AssociateOnlyWithEnisInGuardedSubnets"]
    assert enis["Resource"] == f"{arn}:network-interface/*"
    assert enis["Condition"] == {"StringEquals": {"ec2:Subnet": [f"{arn}:subnet/subnet-0pub1111"]}}
    assert by_sid["ReadNetworkState"]["Resource"] == "*"
    assert all(a.split(":")[1].startswith("Describe") for a in by_sid["ReadNetworkState"]["Action"])
    assert by_sid["WriteOwnLogs"]["Resource"] == [
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/lambda-egress-guard:*"]
    assert not any("*" in a for a in actions(policy))
    assert "ec2:DisassociateAddress" not in actions(policy)
