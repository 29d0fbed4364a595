"""shared-eni: several functions behind one Hyperplane ENI.

Lambda creates one ENI per (subnet, security-group set) and every function
with that combination shares it. An EIP on that ENI is every one of those
functions' egress address; giving one function another SG set moves it to a
different ENI that has no EIP.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.models import Finding, Settings, Topology, Usage
from analyzer.rules.base import (
    EXPOSED_EGRESS,
    NETWORKING_DOC,
    VPC_DOC,
    Rule,
    group_evidence,
    group_resources,
    names_text,
)


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    for group in topology.eni_groups:
        count = len(group.function_arns)
        if count < 2 or group.egress not in EXPOSED_EGRESS:
            continue
        sgs = ",".join(group.security_group_ids)
        yield rule.finding(
            account_id=group.account_id,
            region=group.region,
            resource_ids=group_resources(group),
            message=(
                f"{count} functions share ENI group {group.subnet_id} / {sgs} "
                f"({names_text(group.function_arns)}): an EIP on its ENI applies to all of them, and "
                "changing one function's subnets or security groups moves it to a new ENI without the EIP."
            ),
            evidence=group_evidence(group, function_count=count, egress=group.egress),
        )


RULE = Rule(
    id="shared-eni",
    severity="medium",
    title="ENI group shared by several functions",
    rationale=(
        "Lambda shares one Hyperplane ENI across every function with the same subnet and security-group "
        "set. An Elastic IP on that ENI becomes the egress address of all of them, and a change to one "
        "function's VPC config silently moves it to another ENI without the EIP."
    ),
    remediation=(
        "Decide whether every function in the group may use the same egress address. Give a function that "
        "must not its own security group (a separate ENI group), and treat any change to these functions' "
        "subnets or security groups as an egress change that needs a new EIP association."
    ),
    references=(NETWORKING_DOC, VPC_DOC),
    check=_check,
)
