"""Which ENIs a snapshot keeps: Lambda ENIs, NAT ENIs and everything else that uses a NAT.

The scan reads every ENI of a region in one paginated call and keeps only the
ones the analysis needs (which subnets use a NAT comes from ``analyzer.routing``,
the lookup the topology uses too), so the snapshot stays small in accounts with large
EC2 fleets, while non-Lambda consumers of a NAT are still seen (they decide
whether the NAT can be removed).
"""

from __future__ import annotations

from analyzer.models import NatGateway, NetworkInterface, RouteTable, Subnet
from analyzer.routing import Router

LAMBDA_INTERFACE_TYPE = "lambda"
NAT_INTERFACE_TYPE = "nat_gateway"


def select_enis(
    enis: list[NetworkInterface],
    nats: list[NatGateway] | None,
    route_tables: list[RouteTable] | None,
    subnets: list[Subnet] | None,
) -> list[NetworkInterface]:
    """Keep Lambda ENIs, the NATs' own ENIs, and every ENI in a subnet routed to a NAT.

    When route tables or subnets are unknown (their call failed) every ENI in a
    VPC that has a NAT is kept: better a few extra records than a hidden consumer.
    """
    nats = nats or []
    nat_enis = {eni for n in nats for eni in n.network_interface_ids}
    routing_known = route_tables is not None and subnets is not None
    nat_vpcs = {n.vpc_id for n in nats}
    # Any route to a NAT counts (analyzer.routing), not only 0.0.0.0/0: a partner /24 keeps it in use.
    router = Router(subnets or [], route_tables or [])
    routed = {
        subnet_id
        for n in nats
        for subnet_id in router.subnets_using_nat(n.account_id, n.region, n.nat_gateway_id)
    }

    def uses_nat(eni: NetworkInterface) -> bool:
        return eni.subnet_id in routed if routing_known else eni.vpc_id in nat_vpcs

    return [
        e
        for e in enis
        if e.interface_type in (LAMBDA_INTERFACE_TYPE, NAT_INTERFACE_TYPE)
        or e.network_interface_id in nat_enis
        or uses_nat(e)
    ]
