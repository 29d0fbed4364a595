"""connection-limit: peak NAT connections near the 65,000-per-ENI limit.

After a migration one Hyperplane ENI carries the Lambda traffic the NAT
carries today. Past about 65,000 connections Lambda adds ENIs on its own,
and those come up without an EIP: that traffic loses its allow-listed address.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from analyzer.models import Finding, NatUsage, NatView, Settings, Severity, Topology, Usage
from analyzer.rules.base import NETWORKING_DOC, Rule, candidate_nats, num, percent


def _severity(ratio: Decimal, settings: Settings) -> Severity | None:
    if ratio >= settings.connection_high_ratio:
        return "high"
    if ratio >= settings.connection_warn_ratio:
        return "medium"
    return None


def _finding(rule: Rule, nat: NatView, nat_usage: NatUsage, settings: Settings) -> Finding | None:
    peak = Decimal(str(nat_usage.peak_active_connections))
    lambda_peak = peak * nat_usage.lambda_share
    ratio = lambda_peak / Decimal(settings.eni_connection_limit)
    severity = _severity(ratio, settings)
    if severity is None:
        return None
    return rule.finding(
        account_id=nat.account_id,
        region=nat.region,
        resource_ids=[nat.nat_gateway_id, *nat.lambda_eni_ids],
        severity=severity,
        message=(
            f"{nat.nat_gateway_id} peaked at {float(peak):,.0f} active connections; the Lambda share "
            f"({percent(nat_usage.lambda_share)}) is about {float(lambda_peak):,.0f}, "
            f"{percent(ratio)} of the {settings.eni_connection_limit:,} connections one ENI carries. "
            "Past that Lambda adds ENIs, which come up without an EIP."
        ),
        evidence={
            "peak_active_connections": num(peak, 0),
            "lambda_share": num(nat_usage.lambda_share),
            "lambda_peak_connections": num(lambda_peak, 0),
            "limit": settings.eni_connection_limit,
            "ratio": num(ratio),
            "warn_ratio": num(settings.connection_warn_ratio),
            "high_ratio": num(settings.connection_high_ratio),
            "lambda_eni_ids": list(nat.lambda_eni_ids),
        },
    )


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    for nat in candidate_nats(topology):
        nat_usage = usage.nats.get(nat.nat_gateway_id)
        if nat_usage is None or nat_usage.peak_active_connections is None:
            continue
        finding = _finding(rule, nat, nat_usage, settings)
        if finding is not None:
            yield finding


RULE = Rule(
    id="connection-limit",
    severity="medium",
    title="Peak connections near the per-ENI connection limit",
    rationale=(
        "A Hyperplane ENI carries up to 65,000 connections. After the migration one ENI may carry all the "
        "Lambda connections the NAT carries today; past the limit Lambda creates more ENIs, and those come "
        "up without an Elastic IP, so part of the traffic leaves with no allow-listed address (or none)."
    ),
    remediation=(
        "Keep this traffic on the NAT gateway, or spread the functions over more ENI groups (extra subnets "
        "or security groups, each with its own EIP) so no single ENI nears the limit, and alarm on the NAT's "
        "ActiveConnectionCount and the function's connection errors."
    ),
    references=(NETWORKING_DOC,),
    check=_check,
)
