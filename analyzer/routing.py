"""The one route lookup: which table a subnet uses, where a destination goes, which subnets use a NAT.

Written once (as Cloud Custodian's ``c7n/resources/vpc.py`` resolves it) and
called by the topology, the migration plans and the collector's ENI
selection, so the three can never disagree:

* A subnet uses its explicit route-table association, else its VPC's main
  table.
* A destination goes where the **longest matching prefix** of that table
  points, as the VPC router decides it; a prefix-list route matches through
  any of the list's CIDRs (only when the snapshot holds the list's entries).
  On equal prefixes a CIDR route wins over a prefix-list route.
* A subnet **uses** a NAT gateway when *any* active route of its table
  targets it, whatever the destination: a partner's ``/24`` sent to the NAT
  keeps the NAT in use even when the default route goes elsewhere.

Pure: it reads snapshot records (``analyzer.models``) and nothing else, so the
collector may import it without reaching into the analysis.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from analyzer.models import NatGateway, PrefixList, Route, RouteTable, Subnet, TargetType

DEFAULT_ROUTE = "0.0.0.0/0"
DEFAULT_ROUTE_V6 = "::/0"

TableSource = Literal["explicit", "main", "missing"]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

Place = tuple[str, str]  # (account_id, region)


def route_target(route: Route) -> tuple[TargetType, str | None]:
    """(kind, id) of what a route points at. Private NAT gateways are told apart by :class:`Router`."""
    if route.state == "blackhole":
        return "blackhole", route.nat_gateway_id or route.gateway_id or route.network_interface_id
    if route.nat_gateway_id:
        return "nat", route.nat_gateway_id
    gateway = route.gateway_id or ""
    if gateway == "local":
        return "local", "local"
    if gateway.startswith("igw-"):
        return "igw", gateway
    if gateway.startswith("vgw-"):
        return "vgw", gateway
    if gateway.startswith("vpce-"):
        return "gateway-endpoint", gateway
    if route.egress_only_internet_gateway_id:
        return "egress-only-igw", route.egress_only_internet_gateway_id
    if route.transit_gateway_id:
        return "transit-gateway", route.transit_gateway_id
    if route.vpc_peering_connection_id:
        return "peering", route.vpc_peering_connection_id
    if route.instance_id:
        return "instance", route.instance_id
    if route.network_interface_id:
        return "eni", route.network_interface_id
    return "other", gateway or None


def route_destination(route: Route) -> str:
    """The route's destination as the console shows it: a CIDR or a prefix-list id."""
    return route.destination_cidr_block or route.destination_ipv6_cidr_block or route.destination_prefix_list_id or "?"


def route_target_id(route: Route) -> str:
    """The id a route points at, for messages ("?" when the record names none)."""
    return route_target(route)[1] or "?"


def _network(text: str | None) -> Network | None:
    if not text:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def parse_destination(text: str) -> Network:
    """A ``--destination`` value (an IPv4/IPv6 address or CIDR); ValueError with the reason otherwise."""
    network = _network(text.strip())
    if network is None:
        raise ValueError(f"{text!r} is not an IP address or CIDR")
    return network


@dataclass(frozen=True)
class Match:
    """Where one destination goes from one subnet."""

    subnet_id: str
    destination: str
    route_table_id: str | None
    table_source: TableSource
    target_type: TargetType
    target_id: str | None
    prefix: str | None = None  # the matching route's destination (CIDR or prefix-list id)
    # Prefix-list routes whose entries the snapshot lacks: they might have matched.
    unknown_prefix_lists: tuple[str, ...] = ()


class Router:
    """Every lookup over the subnets and route tables of one snapshot (or one scan unit), built once."""

    def __init__(
        self,
        subnets: Iterable[Subnet],
        route_tables: Iterable[RouteTable],
        nat_gateways: Iterable[NatGateway] = (),
        prefix_lists: Iterable[PrefixList] = (),
    ) -> None:
        self.subnets: dict[tuple[str, str, str], Subnet] = {
            (s.account_id, s.region, s.subnet_id): s for s in subnets
        }
        self.tables: dict[tuple[str, str, str], RouteTable] = {}
        self._explicit: dict[tuple[str, str, str], RouteTable] = {}
        self._main: dict[tuple[str, str, str], RouteTable] = {}
        for table in route_tables:
            self.tables[(table.account_id, table.region, table.route_table_id)] = table
            for subnet_id in table.subnet_ids:
                self._explicit[(table.account_id, table.region, subnet_id)] = table
            if table.is_main:
                self._main[(table.account_id, table.region, table.vpc_id)] = table
        self._private_nats = {
            (n.account_id, n.region, n.nat_gateway_id) for n in nat_gateways if n.connectivity_type == "private"
        }
        self._prefix_lists: dict[tuple[str, str, str], tuple[Network, ...]] = {
            (p.account_id, p.region, p.prefix_list_id): tuple(n for c in p.cidrs if (n := _network(c)))
            for p in prefix_lists
        }
        # NAT gateway -> every (table, route) that targets it with an active route.
        self._nat_routes: dict[tuple[str, str, str], list[tuple[RouteTable, Route]]] = defaultdict(list)
        for table in sorted(self.tables.values(), key=lambda t: t.route_table_id):
            for route in table.routes:
                if route.nat_gateway_id and route.state != "blackhole":
                    key = (table.account_id, table.region, route.nat_gateway_id)
                    self._nat_routes[key].append((table, route))
        self._subnets_of_nat: dict[tuple[str, str, str], list[str]] | None = None
        self._main_users: dict[tuple[str, str, str], list[str]] | None = None

    # ------------------------------------------------------------------ tables

    def table_of(self, account_id: str, region: str, subnet_id: str) -> tuple[RouteTable | None, TableSource]:
        """The table the VPC router uses for the subnet: explicit association, else the VPC's main table."""
        table = self._explicit.get((account_id, region, subnet_id))
        if table is not None:
            return table, "explicit"
        subnet = self.subnets.get((account_id, region, subnet_id))
        if subnet is not None:
            table = self._main.get((account_id, region, subnet.vpc_id))
            if table is not None:
                return table, "main"
        return None, "missing"

    def subnets_of_table(self, table: RouteTable) -> tuple[str, ...]:
        """Subnets that use the table: its explicit associations, plus (main table) every unassociated subnet."""
        ids = set(table.subnet_ids)
        if table.is_main:
            ids.update(self._unassociated().get((table.account_id, table.region, table.vpc_id), ()))
        return tuple(sorted(ids))

    def _unassociated(self) -> dict[tuple[str, str, str], list[str]]:
        """(account, region, VPC) -> its subnets without an explicit association (they use the main table)."""
        if self._main_users is None:
            found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
            for key, s in self.subnets.items():
                if key not in self._explicit:
                    found[(s.account_id, s.region, s.vpc_id)].append(s.subnet_id)
            self._main_users = found
        return self._main_users

    # ------------------------------------------------------------------ destinations

    def _kind(self, account_id: str, region: str, route: Route) -> tuple[TargetType, str | None]:
        kind, target = route_target(route)
        if kind == "nat" and (account_id, region, target) in self._private_nats:
            return "private-nat", target  # reaches other networks, never the internet
        return kind, target

    def _route_prefix(self, table: RouteTable, route: Route, dest: Network) -> int | None:
        """The prefix length by which the route matches ``dest``, or None."""
        cidr = _network(route.destination_cidr_block or route.destination_ipv6_cidr_block)
        if cidr is not None:
            return cidr.prefixlen if cidr.version == dest.version and dest.subnet_of(cidr) else None
        entries = self._prefix_lists.get((table.account_id, table.region, route.destination_prefix_list_id or ""))
        lengths = [n.prefixlen for n in entries or () if n.version == dest.version and dest.subnet_of(n)]
        return max(lengths) if lengths else None

    def resolve(self, account_id: str, region: str, subnet_id: str, destination: str = DEFAULT_ROUTE) -> Match:
        """Where traffic from the subnet to ``destination`` goes (longest prefix match)."""
        dest = parse_destination(destination)
        table, source = self.table_of(account_id, region, subnet_id)
        if table is None:
            return Match(subnet_id, destination, None, source, "none", None)
        best: tuple[int, int, Route] | None = None  # (prefix length, CIDR beats prefix list, route)
        unknown: list[str] = []
        for route in table.routes:
            plid = route.destination_prefix_list_id
            if plid and not (route.destination_cidr_block or route.destination_ipv6_cidr_block) and (
                (table.account_id, table.region, plid) not in self._prefix_lists
            ):
                unknown.append(plid)
                continue
            length = self._route_prefix(table, route, dest)
            if length is None:
                continue
            rank = (length, 0 if plid and not route.destination_cidr_block else 1)
            if best is None or rank > best[:2]:
                best = (*rank, route)
        if best is None:
            return Match(subnet_id, destination, table.route_table_id, source, "none", None,
                         unknown_prefix_lists=tuple(unknown))
        route = best[2]
        kind, target = self._kind(account_id, region, route)
        return Match(subnet_id, destination, table.route_table_id, source, kind, target,
                     prefix=route_destination(route), unknown_prefix_lists=tuple(unknown))

    def default_target(self, account_id: str, region: str, subnet_id: str) -> Match:
        return self.resolve(account_id, region, subnet_id, DEFAULT_ROUTE)

    def is_public(self, account_id: str, region: str, subnet_id: str) -> bool:
        """The subnet's IPv4 default route goes to an internet gateway."""
        return self.default_target(account_id, region, subnet_id).target_type == "igw"

    def has_ipv6_default(self, account_id: str, region: str, subnet_id: str) -> bool:
        """The subnet's ``::/0`` goes to an internet or egress-only gateway (IPv6 leaves the VPC directly)."""
        kind = self.resolve(account_id, region, subnet_id, DEFAULT_ROUTE_V6).target_type
        return kind in ("igw", "egress-only-igw")

    # ------------------------------------------------------------------ NAT gateways

    def nat_ids_of(self, account_id: str, region: str, subnet_id: str) -> tuple[str, ...]:
        """Every NAT gateway an active route of the subnet's table targets, for any destination."""
        table, _ = self.table_of(account_id, region, subnet_id)
        if table is None:
            return ()
        return tuple(sorted({r.nat_gateway_id for r in table.routes if r.nat_gateway_id and r.state != "blackhole"}))

    def routes_to_nat(self, account_id: str, region: str, nat_gateway_id: str) -> tuple[tuple[RouteTable, Route], ...]:
        """Every (table, active route) that targets the NAT gateway, tables in id order."""
        return tuple(self._nat_routes.get((account_id, region, nat_gateway_id), ()))

    def subnets_using_nat(self, account_id: str, region: str, nat_gateway_id: str) -> tuple[str, ...]:
        """Subnets whose table sends any destination to the NAT gateway."""
        if self._subnets_of_nat is None:
            found: dict[tuple[str, str, str], set[str]] = defaultdict(set)
            for (acct, region_, subnet_id) in self.subnets:
                for nat_id in self.nat_ids_of(acct, region_, subnet_id):
                    found[(acct, region_, nat_id)].add(subnet_id)
            self._subnets_of_nat = {k: sorted(v) for k, v in found.items()}
        return tuple(self._subnets_of_nat.get((account_id, region, nat_gateway_id), ()))

    def nat_destinations(self, account_id: str, region: str, subnet_id: str, nat_gateway_id: str) -> tuple[str, ...]:
        """The destinations the subnet's table sends to the NAT gateway (CIDRs or prefix-list ids)."""
        table, _ = self.table_of(account_id, region, subnet_id)
        if table is None:
            return ()
        return tuple(
            route_destination(r) for r in table.routes if r.nat_gateway_id == nat_gateway_id and r.state != "blackhole"
        )
