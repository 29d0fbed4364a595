"""cross-az-nat: subnets routed to a NAT gateway in another Availability Zone.

Traffic from those subnets pays cross-AZ data transfer on top of NAT
processing, and fails when the NAT's zone fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.models import Finding, Settings, Topology, Usage
from analyzer.rules.base import NAT_PRICING_DOC, Rule, ids_text, num, plural


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    for nat in topology.nats:
        if nat.availability_mode != "zonal" or not nat.cross_az_subnet_ids:
            continue
        nu = usage.nats.get(nat.nat_gateway_id)
        gb = num(nu.monthly_gb_cross_az, 2) if nu is not None and nu.has_metrics else None
        volume = f" (about {gb:,.2f} GB/month crosses zones)" if gb is not None else ""
        subnets = nat.cross_az_subnet_ids
        verb = "routes" if len(subnets) == 1 else "route"
        zone = nat.availability_zone or "another zone"
        yield rule.finding(
            account_id=nat.account_id,
            region=nat.region,
            resource_ids=[nat.nat_gateway_id, *nat.cross_az_subnet_ids],
            message=(
                f"{plural(len(subnets), 'subnet')} ({ids_text(subnets)}) {verb} to {nat.nat_gateway_id} "
                f"in {zone}{volume}: "
                "cross-AZ transfer is billed each way and those subnets lose egress if that zone fails."
            ),
            evidence={
                "nat_gateway_id": nat.nat_gateway_id,
                "nat_availability_zone": nat.availability_zone,
                "cross_az_subnet_ids": list(nat.cross_az_subnet_ids),
                "monthly_gb_cross_az": gb,
            },
        )


RULE = Rule(
    id="cross-az-nat",
    severity="medium",
    title="Subnet routed to a NAT gateway in another Availability Zone",
    rationale=(
        "Traffic from a subnet to a NAT gateway in another zone pays cross-AZ data transfer in each "
        "direction on top of the NAT processing fee, and the subnet loses internet egress if the NAT's "
        "zone has an outage."
    ),
    remediation=(
        "Route each subnet to a NAT gateway in its own zone (one per AZ), or, if the hours cost more than "
        "the cross-AZ transfer, accept the dependency knowingly; the report's single-NAT-per-VPC "
        "alternative prices both."
    ),
    references=(NAT_PRICING_DOC,),
    check=_check,
)
