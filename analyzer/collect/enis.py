"""Which ENIs a snapshot keeps: Lambda ENIs, NAT ENIs and everything else that uses a NAT.

The scan reads every ENI of a region in one paginated call and keeps only the
ones the analysis needs, so the snapshot stays small in accounts with large
EC2 fleets, while non-Lambda consumers of a NAT are still seen (they decide
whether the NAT can be removed).
"""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.models import NatGateway, NetworkInterface, RouteTable, Subnet

LAMBDA_INTERFACE_TYPE = "lambda"
NAT_INTERFACE_TYPE = "nat_gateway"


def effective_tables(
    route_tables: Iterable[RouteTable], subnets: Iterable[Subnet]
) -> dict[str, RouteTable]:
    """subnet id -> the route table that governs it (explicit association, else the VPC's main table)."""
    tables = list(route_tables)
    main = {t.vpc_id: t for t in tables if t.is_main}
    explicit = {sid: t for t in tables for sid in t.subnet_ids}
    governed: dict[str, RouteTable] = {}
    for subnet in subnets:
        table = explicit.get(subnet.subnet_id) or main.get(subnet.vpc_id)
        if table is not None:
            governed[subnet.subnet_id] = table
    return governed


def nat_routed_subnets(
    route_tables: Iterable[RouteTable], subnets: Iterable[Subnet], nat_ids: set[str]
) -> set[str]:
    """Subnets whose route table sends any destination to one of the NAT gateways."""
    routed: set[str] = set()
    for subnet_id, table in effective_tables(route_tables, subnets).items():
        if any(r.nat_gateway_id in nat_ids for r in table.routes if r.nat_gateway_id):
            routed.add(subnet_id)
    return routed


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
    routed = nat_routed_subnets(route_tables or [], subnets or [], {n.nat_gateway_id for n in nats})

    def uses_nat(eni: NetworkInterface) -> bool:
        return eni.subnet_id in routed if routing_known else eni.vpc_id in nat_vpcs

    return [
        e
        for e in enis
        if e.interface_type in (LAMBDA_INTERFACE_TYPE, NAT_INTERFACE_TYPE)
        or e.network_interface_id in nat_enis
        or uses_nat(e)
    ]
