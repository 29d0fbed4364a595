"""eni-not-persistent: EIP-on-ENI egress needs a guard because Lambda ENIs are not persistent.

Lambda creates and replaces Hyperplane ENIs on its own (scaling, health,
load balancing, idle reclamation). A design that pins an EIP to an ENI must
watch for new ENIs and re-associate the EIP automatically.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.models import Finding, Settings, Topology, Usage
from analyzer.rules.base import (
    NETWORKING_DOC,
    VPC_DOC,
    Rule,
    candidate_nats,
    group_evidence,
    group_resources,
    ids_text,
    plural,
)


def _groups(rule: Rule, topology: Topology) -> Iterator[Finding]:
    """Groups that already rely on an EIP on their ENI: medium."""
    for group in topology.eni_groups:
        if group.egress != "igw-eip":
            continue
        sgs = ",".join(group.security_group_ids)
        yield rule.finding(
            account_id=group.account_id,
            region=group.region,
            resource_ids=group_resources(group),
            message=(
                f"ENI group {group.subnet_id} / {sgs} already egresses through public IP(s) "
                f"{ids_text(group.public_ips)} on {plural(len(group.eni_ids), 'ENI')} "
                f"({ids_text(group.eni_ids)}) serving {plural(len(group.function_arns), 'function')}; "
                "Lambda may replace these ENIs at any time and the new ones come up without the EIP."
            ),
            evidence=group_evidence(group, public_ips=list(group.public_ips)),
        )


def _nats(rule: Rule, topology: Topology) -> Iterator[Finding]:
    """Candidate NATs: the migration will need the guard; info."""
    for nat in candidate_nats(topology):
        yield rule.finding(
            account_id=nat.account_id,
            region=nat.region,
            severity="info",
            resource_ids=[nat.nat_gateway_id, *nat.lambda_eni_ids, *nat.function_arns],
            message=(
                f"Moving the {plural(len(nat.function_arns), 'function')} behind {nat.nat_gateway_id} to "
                f"EIP-on-ENI egress puts {plural(nat.eips_needed, 'EIP')} on Lambda-managed ENIs; the "
                "migration needs an automated re-association guard before cutover."
            ),
            evidence={
                "nat_gateway_id": nat.nat_gateway_id,
                "lambda_eni_ids": list(nat.lambda_eni_ids),
                "function_arns": list(nat.function_arns),
                "eips_needed": nat.eips_needed,
            },
        )


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    yield from _groups(rule, topology)
    yield from _nats(rule, topology)


RULE = Rule(
    id="eni-not-persistent",
    severity="medium",
    title="EIP-on-ENI egress needs an automated re-association guard",
    rationale=(
        "Lambda creates, replaces and reclaims Hyperplane ENIs by itself and its guide advises against "
        "relying on ENI persistence. An Elastic IP is associated with one ENI; when Lambda swaps the ENI, "
        "the function loses its fixed egress address until someone re-associates the EIP."
    ),
    remediation=(
        "Deploy a guard before relying on the pattern: an EventBridge rule on EC2 CreateNetworkInterface "
        "(interface type lambda) plus a scheduled check that associates the group's EIP with any Lambda ENI "
        "in the subnet/SG set that has none, and alarm when an ENI stays without it "
        "(`lambda-egress verify` reports the drift)."
    ),
    references=(NETWORKING_DOC, VPC_DOC),
    check=_check,
)
