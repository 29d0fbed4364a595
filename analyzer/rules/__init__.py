"""The risk-rule registry, keyed by rule id (Cloud Custodian style).

Rule ids are contract: reports, suppression files and ``--fail-on`` refer to
them. The registry keeps DESIGN.md's table order so listings read the same as
the design; findings come out in a fixed order so reports and diffs are stable.
"""

from __future__ import annotations

from analyzer.models import SEVERITY_RANK, Finding, Settings, Topology, Usage
from analyzer.rules import (
    allowlist_change,
    connection_limit,
    cross_az_nat,
    eip_quota,
    eni_not_persistent,
    idle_nat,
    idle_reclamation,
    ipv6_egress,
    nat_port_capacity,
    nat_shared,
    no_gateway_endpoint,
    public_subnet_no_eip,
    shared_eni,
    unsupported_pattern,
)
from analyzer.rules.base import Rule

__all__ = ["RULES", "Rule", "evaluate_all", "finding_order"]

RULES: dict[str, Rule] = {
    module.RULE.id: module.RULE
    for module in (
        public_subnet_no_eip,
        shared_eni,
        connection_limit,
        idle_reclamation,
        eni_not_persistent,
        nat_shared,
        cross_az_nat,
        eip_quota,
        allowlist_change,
        idle_nat,
        no_gateway_endpoint,
        unsupported_pattern,
        nat_port_capacity,
        ipv6_egress,
    )
}


def finding_order(f: Finding) -> tuple[int, str, str, str, tuple[str, ...]]:
    """Sort key: severity (critical first), then rule id, account, region, resource ids."""
    return (-SEVERITY_RANK[f.severity], f.rule_id, f.account_id, f.region, f.resource_ids)


def evaluate_all(topology: Topology, usage: Usage, settings: Settings | None = None) -> tuple[Finding, ...]:
    """Every rule's findings over one topology, in a deterministic order."""
    settings = settings or Settings()
    findings = [f for rule in RULES.values() for f in rule.evaluate(topology, usage, settings)]
    return tuple(sorted(findings, key=finding_order))
