"""Where a migrating ENI group can land: public subnets, their route tables, the gaps.

A migration moves each Lambda ENI group out of its NAT-routed subnet into a
public subnet of the same VPC and the same Availability Zone (so the
function keeps its AZ spread). "Public" means what it means to the VPC
router: the subnet's route table (explicit association, else the VPC's main
table) sends 0.0.0.0/0 to an internet gateway.
"""

from __future__ import annotations

from analyzer.models import Route, RouteTable, Snapshot, Subnet

DEFAULT_ROUTE = "0.0.0.0/0"


class NetworkIndex:
    """Lookups over one snapshot's subnets and route tables, scoped to one account and region."""

    def __init__(self, snapshot: Snapshot, account_id: str, region: str) -> None:
        def here(item: Subnet | RouteTable) -> bool:
            return item.account_id == account_id and item.region == region

        self.subnets = {s.subnet_id: s for s in snapshot.subnets if here(s)}
        self.tables = tuple(t for t in snapshot.route_tables if here(t))
        self.explicit = {sid: t for t in self.tables for sid in t.subnet_ids}
        self.main = {t.vpc_id: t for t in self.tables if t.is_main}
        self.igws = {
            vpc: g.internet_gateway_id
            for g in snapshot.internet_gateways
            if g.account_id == account_id and g.region == region
            for vpc in g.vpc_ids
        }

    def table_of(self, subnet_id: str) -> RouteTable | None:
        """The route table the VPC router uses for this subnet."""
        if subnet_id in self.explicit:
            return self.explicit[subnet_id]
        subnet = self.subnets.get(subnet_id)
        return self.main.get(subnet.vpc_id) if subnet else None

    def is_public(self, subnet_id: str) -> bool:
        table = self.table_of(subnet_id)
        return table is not None and igw_of(table) is not None

    def public_subnet(self, vpc_id: str, az: str | None) -> Subnet | None:
        """The public subnet in this VPC and AZ with the most free addresses (ties: lowest id)."""
        if az is None:
            return None
        found = [
            s
            for s in self.subnets.values()
            if s.vpc_id == vpc_id and s.availability_zone == az and self.is_public(s.subnet_id)
        ]
        found.sort(key=lambda s: (-(s.available_ip_address_count or 0), s.subnet_id))
        return found[0] if found else None

    def igw_table(self, vpc_id: str) -> RouteTable | None:
        """A route table of the VPC whose default route goes to an internet gateway (main first)."""
        tables = [t for t in self.tables if t.vpc_id == vpc_id and igw_of(t)]
        tables.sort(key=lambda t: (not t.is_main, t.route_table_id))
        return tables[0] if tables else None

    def nat_routes(self, nat_gateway_id: str) -> tuple[tuple[str, Route], ...]:
        """Every (route table id, route) that targets the NAT gateway."""
        return tuple(
            (t.route_table_id, r)
            for t in sorted(self.tables, key=lambda t: t.route_table_id)
            for r in t.routes
            if r.nat_gateway_id == nat_gateway_id
        )


def igw_of(table: RouteTable) -> str | None:
    """The internet gateway the table's active IPv4 default route points at, if any."""
    for route in table.routes:
        if route.destination_cidr_block == DEFAULT_ROUTE and route.state != "blackhole":
            gateway = route.gateway_id or ""
            return gateway if gateway.startswith("igw-") else None
    return None


def destination(route: Route) -> str:
    return (
        route.destination_cidr_block
        or route.destination_ipv6_cidr_block
        or route.destination_prefix_list_id
        or "?"
    )


def target(route: Route) -> str:
    return (
        route.gateway_id
        or route.nat_gateway_id
        or route.transit_gateway_id
        or route.vpc_peering_connection_id
        or route.network_interface_id
        or route.instance_id
        or route.egress_only_internet_gateway_id
        or "?"
    )


def route_gaps(source: RouteTable | None, dest: RouteTable | None) -> tuple[str, ...]:
    """Routes the private table has that the public one lacks (peering, TGW, gateway endpoints).

    Why: a function moved to the public subnet loses them, so a peered
    database becomes unreachable, or S3 traffic that was free through a
    gateway endpoint goes out through the Elastic IP instead.
    """
    if source is None or dest is None:
        return ()
    have = {destination(r) for r in dest.routes}
    gaps = []
    for route in source.routes:
        dst = destination(route)
        if route.gateway_id == "local" or route.nat_gateway_id or dst == DEFAULT_ROUTE or dst in have:
            continue
        gaps.append(f"{dst} -> {target(route)} (in {source.route_table_id}, not in {dest.route_table_id})")
    return tuple(gaps)
