"""The network facts a plan states beyond the target keys: internet-gateway tables and route gaps.

Which table a subnet uses and where a route points come from
:mod:`analyzer.routing`; which public subnet each group lands in comes from
:mod:`analyzer.design`. This module only words what moving changes.
"""

from __future__ import annotations

from analyzer.models import RouteTable
from analyzer.routing import DEFAULT_ROUTE, Router, route_destination, route_target_id


def igw_tables(router: Router) -> dict[tuple[str, str, str], RouteTable]:
    """(account, region, VPC) -> a table whose default route goes to an internet gateway (main first, lowest id)."""
    best: dict[tuple[str, str, str], RouteTable] = {}
    for table in router.tables.values():
        default = next((r for r in table.routes if r.destination_cidr_block == DEFAULT_ROUTE), None)
        if default is None or default.state == "blackhole" or not (default.gateway_id or "").startswith("igw-"):
            continue
        key = (table.account_id, table.region, table.vpc_id)
        have = best.get(key)
        if have is None or (not table.is_main, table.route_table_id) < (not have.is_main, have.route_table_id):
            best[key] = table
    return best


def route_gaps(source: RouteTable | None, dest: RouteTable | None) -> tuple[str, ...]:
    """Routes the private table has that the public one lacks (peering, TGW, gateway endpoints, IPv6).

    Why: a function moved to the public subnet loses them, so a peered
    database becomes unreachable, or S3 traffic that was free through a
    gateway endpoint goes out through the Elastic IP instead. Routes to a NAT
    gateway are what the migration replaces, so they are not gaps.
    """
    if source is None or dest is None:
        return ()
    have = {route_destination(r) for r in dest.routes}
    gaps = []
    for route in source.routes:
        dst = route_destination(route)
        if route.gateway_id == "local" or route.nat_gateway_id or dst == DEFAULT_ROUTE or dst in have:
            continue
        gaps.append(f"{dst} -> {route_target_id(route)} (in {source.route_table_id}, not in {dest.route_table_id})")
    return tuple(gaps)
