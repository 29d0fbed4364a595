"""public-subnet-no-eip: a function routed to an internet gateway through an ENI with no public IP.

Lambda never gives its ENIs a public IP. A function in a public subnet has
internet egress only while an Elastic IP sits on its ENI; an ENI without one
(or a group whose ENI was reclaimed and will come back bare) has none.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.models import EniGroup, Finding, Settings, Topology, Usage
from analyzer.rules.base import NETWORKING_DOC, VPC_DOC, Rule, ids_text, names_text, plural


def _message(group: EniGroup, missing: int) -> str:
    sgs = ",".join(group.security_group_ids)
    fns = f"{plural(len(group.function_arns), 'function')} ({names_text(group.function_arns)})"
    if not group.eni_ids:
        return (
            f"Subnet {group.subnet_id} routes to an internet gateway but ENI group "
            f"{group.subnet_id} / {sgs} has no Lambda ENI now; the ENI Lambda creates next comes up "
            f"without a public IP, so {fns} will have no internet egress."
        )
    return (
        f"Subnet {group.subnet_id} routes to an internet gateway but ENI group {group.subnet_id} / {sgs} "
        f"has {missing} of {plural(len(group.eni_ids), 'Lambda ENI')} ({ids_text(group.eni_ids)}) "
        f"without a public IP: {fns} have no internet egress through them."
    )


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    for group in topology.eni_groups:
        if group.egress != "igw-no-public-ip":
            continue
        eni_ids = list(group.eni_ids_without_public_ip)
        missing = len(eni_ids)
        yield rule.finding(
            account_id=group.account_id,
            region=group.region,
            resource_ids=[group.subnet_id, *eni_ids, *group.function_arns],
            message=_message(group, missing),
            evidence={
                "subnet_id": group.subnet_id,
                "security_group_ids": list(group.security_group_ids),
                "eni_ids_without_public_ip": eni_ids,
                "enis_without_public_ip": missing,
                "eni_count": len(group.eni_ids),
                "public_ips": list(group.public_ips),
                "function_arns": list(group.function_arns),
            },
        )


RULE = Rule(
    id="public-subnet-no-eip",
    severity="high",
    title="Function in a public subnet without a public IP on its ENI",
    rationale=(
        "Lambda ENIs never receive a public IP. A function whose subnet routes 0.0.0.0/0 to an "
        "internet gateway reaches the internet only through an Elastic IP on its Hyperplane ENI; "
        "without one, every outbound call times out."
    ),
    remediation=(
        "Associate an Elastic IP with each listed ENI (aws ec2 associate-address --allocation-id "
        "<eipalloc> --network-interface-id <eni>) and deploy a guard that re-associates it when Lambda "
        "recreates the ENI, or move the function to a private subnet routed to a NAT gateway."
    ),
    references=(VPC_DOC, NETWORKING_DOC),
    check=_check,
)
