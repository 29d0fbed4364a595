"""connection-limit: Lambda connections per ENI near the 65,000-per-ENI limit.

After a migration the NAT's Lambda traffic leaves through the Lambda ENIs
that carry it today (``NatView.lambda_eni_ids``). The per-ENI load is
estimated as the NAT's peak ActiveConnectionCount x the Lambda share / the
number of those ENIs: an average, since one busy ENI group can carry more
than the others. Past about 65,000 connections on one ENI Lambda adds ENIs on
its own, and those come up without an EIP: that traffic loses its
allow-listed address.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from analyzer.models import Finding, NatUsage, NatView, Settings, Severity, Topology, Usage
from analyzer.rules.base import NETWORKING_DOC, Rule, candidate_nats, num, percent, plural


def _severity(ratio: Decimal, settings: Settings) -> Severity | None:
    if ratio >= settings.connection_high_ratio:
        return "high"
    if ratio >= settings.connection_warn_ratio:
        return "medium"
    return None


def _finding(rule: Rule, nat: NatView, nat_usage: NatUsage, settings: Settings) -> Finding | None:
    peak = Decimal(str(nat_usage.peak_active_connections))
    lambda_peak = peak * nat_usage.lambda_share
    # Traffic already spread over several Lambda ENIs stays spread after the move.
    eni_count = max(1, len(set(nat.lambda_eni_ids)))
    per_eni = lambda_peak / eni_count
    ratio = per_eni / Decimal(settings.eni_connection_limit)
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
            f"({percent(nat_usage.lambda_share)}) is about {float(lambda_peak):,.0f} over "
            f"{plural(eni_count, 'Lambda ENI')}, on average {float(per_eni):,.0f} per ENI: "
            f"{percent(ratio)} of the {settings.eni_connection_limit:,} connections one ENI carries. "
            "This is an average; one busy ENI group can carry more. Past the limit Lambda adds ENIs, "
            "which come up without an EIP."
        ),
        evidence={
            "peak_active_connections": num(peak, 0),
            "lambda_share": num(nat_usage.lambda_share),
            "lambda_peak_connections": num(lambda_peak, 0),
            "lambda_eni_count": eni_count,
            "per_eni_connections": num(per_eni, 0),
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
    title="Peak connections per Lambda ENI near the per-ENI connection limit",
    rationale=(
        "A Hyperplane ENI carries up to 65,000 connections. The NAT's peak Lambda connections, divided over "
        "the Lambda ENIs that carry them today, estimate each ENI's load after the migration (an average: "
        "one busy ENI group can carry more). Past the limit Lambda creates more ENIs, and those come up "
        "without an Elastic IP, so part of the traffic leaves with no allow-listed address (or none)."
    ),
    remediation=(
        "Expect Lambda to add ENIs to the busiest groups. Keep one spare Elastic IP per ENI group, already on "
        "the partner's allow-list, for the guard that associates an EIP with every new Lambda ENI; or split "
        "the functions across more security-group sets (more ENI groups, each with its own EIP) so no ENI "
        "nears the limit. Alarm on the NAT's ActiveConnectionCount and the functions' connection errors, "
        "and keep NAT egress for traffic that cannot tolerate a gap."
    ),
    references=(NETWORKING_DOC,),
    check=_check,
)
