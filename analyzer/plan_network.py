"""Where a migrating ENI group can land: public subnets, their route tables, the gaps.

A migration moves each Lambda ENI group out of its NAT-routed subnet into a
public subnet of the same VPC and the same Availability Zone (so the
function keeps its AZ spread). "Public" means what it means to the VPC
router: the subnet's route table (explicit association, else the VPC's main
table) sends 0.0.0.0/0 to an internet gateway.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from analyzer.models import InternetGateway, Route, RouteTable, Snapshot, Subnet

DEFAULT_ROUTE = "0.0.0.0/0"


class NetworkIndex:
    """Lookups over one account and region's subnets and route tables, each answered by a dict.

    Everything is indexed once here, so a plan's lookups cost nothing in the
    size of the region.
    """

    def __init__(
        self, subnets: Iterable[Subnet], tables: Iterable[RouteTable], igws: Iterable[InternetGateway]
    ) -> None:
        self.subnets = {s.subnet_id: s for s in subnets}
        self.tables = tuple(tables)
        self.explicit = {sid: t for t in self.tables for sid in t.subnet_ids}
        self.main = {t.vpc_id: t for t in self.tables if t.is_main}
        self.igws = {vpc: g.internet_gateway_id for g in igws for vpc in g.vpc_ids}
        # Most free addresses first, ties to the lowest id: the best public subnet per (vpc, az).
        self._public: dict[tuple[str, str], Subnet] = {}
        for s in self.subnets.values():
            best = self._public.get((s.vpc_id, s.availability_zone))
            if (best is None or _free_key(s) < _free_key(best)) and self.is_public(s.subnet_id):
                self._public[(s.vpc_id, s.availability_zone)] = s
        # Main table first, then the lowest id; the first such table wins a tie.
        self._igw_tables: dict[str, RouteTable] = {}
        for t in self.tables:
            best = self._igw_tables.get(t.vpc_id)
            if (best is None or _table_key(t) < _table_key(best)) and igw_of(t):
                self._igw_tables[t.vpc_id] = t
        self._nat_routes: dict[str, list[tuple[str, Route]]] = defaultdict(list)
        for t in sorted(self.tables, key=lambda t: t.route_table_id):
            for r in t.routes:
                if r.nat_gateway_id is not None:
                    self._nat_routes[r.nat_gateway_id].append((t.route_table_id, r))

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
        return None if az is None else self._public.get((vpc_id, az))

    def igw_table(self, vpc_id: str) -> RouteTable | None:
        """A route table of the VPC whose default route goes to an internet gateway (main first)."""
        return self._igw_tables.get(vpc_id)

    def nat_routes(self, nat_gateway_id: str) -> tuple[tuple[str, Route], ...]:
        """Every (route table id, route) that targets the NAT gateway."""
        return tuple(self._nat_routes.get(nat_gateway_id, ()))


def network_indexes(snapshot: Snapshot) -> dict[tuple[str, str], NetworkIndex]:
    """One NetworkIndex per (account, region) that has subnets, route tables or internet gateways."""
    parts: dict[tuple[str, str], tuple[list, list, list]] = defaultdict(lambda: ([], [], []))
    for i, records in enumerate((snapshot.subnets, snapshot.route_tables, snapshot.internet_gateways)):
        for item in records:
            parts[(item.account_id, item.region)][i].append(item)
    return {key: NetworkIndex(*lists) for key, lists in parts.items()}


def _free_key(subnet: Subnet) -> tuple[int, str]:
    return (-(subnet.available_ip_address_count or 0), subnet.subnet_id)


def _table_key(table: RouteTable) -> tuple[bool, str]:
    return (not table.is_main, table.route_table_id)


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
