"""nat-port-capacity: a NAT gateway's addresses (and port errors) versus one address per Lambda ENI.

A NAT address gives about 55,000 simultaneous connections to one destination
(IP, port, protocol); a NAT carries several addresses to get more, and
``ErrorPortAllocation`` counts the connections it could not open for want of
ports. After the migration each Lambda ENI leaves from its one Elastic IP, so
traffic that needed several NAT addresses to one partner endpoint squeezes
through fewer ports per destination.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from analyzer.models import Finding, Settings, Severity, Topology, Usage
from analyzer.rules.base import NAT_PRICING_DOC, Rule, candidate_nats, num, percent, plural, targets_by_nat

NAT_LIMITS_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html"


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    landing = targets_by_nat(topology)
    for nat in candidate_nats(topology):
        nu = usage.nats.get(nat.nat_gateway_id)
        errors = (nu.error_port_allocation if nu else None) or 0
        addresses = len(nat.public_ips)
        if errors <= 0 and addresses <= 1:
            continue
        targets = landing.get((nat.account_id, nat.region, nat.nat_gateway_id), [])
        enis = max(1, sum(len(t.addresses) for t in targets))
        peak = Decimal(str(nu.peak_active_connections)) if nu and nu.peak_active_connections is not None else None
        per_eni = peak * nu.lambda_share / enis if peak is not None and nu else None
        ratio = per_eni / Decimal(settings.nat_ports_per_destination) if per_eni is not None else None
        severity: Severity = "high" if errors > 0 else ("medium" if ratio is not None and ratio >= Decimal("0.5")
                                                          else "low")  # fmt: skip
        load = (
            f"its Lambda peak of about {float(peak * nu.lambda_share):,.0f} connections over "
            f"{plural(enis, 'target ENI')} is {float(per_eni):,.0f} each, {percent(ratio)} of the "
            f"{settings.nat_ports_per_destination:,} ports one address has per destination"
            if per_eni is not None and ratio is not None and nu
            else "its peak connections are unknown (no ActiveConnectionCount data)"
        )
        errors_text = (f"{errors:,.0f} ErrorPortAllocation in the window: it already ran out of source ports; "
                       if errors > 0 else "")  # fmt: skip
        yield rule.finding(
            account_id=nat.account_id,
            region=nat.region,
            severity=severity,
            resource_ids=[nat.nat_gateway_id, *nat.lambda_eni_ids],
            message=(
                f"{nat.nat_gateway_id} has {plural(addresses, 'address', 'es')}; {errors_text}after the migration "
                f"each Lambda ENI leaves from one Elastic IP, and {load}. Connections to one busy partner endpoint "
                "that needed several NAT addresses can fail to get a port."
            ),
            evidence={
                "nat_gateway_id": nat.nat_gateway_id,
                "error_port_allocation": num(errors, 0),
                "nat_addresses": addresses,
                "peak_active_connections": num(peak, 0),
                "target_enis": enis,
                "connections_per_target_eni": num(per_eni, 0),
                "ports_per_destination": settings.nat_ports_per_destination,
            },
        )


RULE = Rule(
    id="nat-port-capacity",
    severity="medium",
    title="NAT addresses or port errors suggest one address per Lambda ENI is not enough",
    rationale=(
        "Each NAT gateway address supports about 55,000 simultaneous connections to one destination; NATs carry "
        "extra addresses for port capacity, and ErrorPortAllocation counts connections refused for want of ports. "
        "With an Elastic IP per Lambda ENI, connections to one destination share that one address's ports."
    ),
    remediation=(
        "Before migrating, look at ErrorPortAllocation and connections per destination: spread busy functions over "
        "more security-group sets (more ENIs, each with its own address), reuse connections (keep-alive, pooling), "
        "or keep the NAT gateway for that traffic."
    ),
    references=(NAT_LIMITS_DOC, NAT_PRICING_DOC),
    check=_check,
)
