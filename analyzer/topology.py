"""Egress paths, Lambda ENI groups and NAT consumers, from a snapshot.

Everything is joined by key in dictionaries built once (no nested scans), so
the cost is linear in the size of the snapshot.

* A subnet's route table is its explicit association, else its VPC's main
  table (as Cloud Custodian's ``c7n/filters/vpc.py`` resolves it).
* Its egress is where the IPv4 default route (0.0.0.0/0) points.
* Lambda shares one Hyperplane ENI per (subnet, security-group set), so ENIs
  and functions are grouped by that key, never by the ENI description.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from analyzer.models import (
    EipQuota,
    EniGroup,
    FunctionEgress,
    LambdaFunction,
    NatView,
    NetworkInterface,
    RouteTable,
    Snapshot,
    SubnetPath,
    Topology,
    region_key,
    vpc_key,
)

DEFAULT_ROUTE = "0.0.0.0/0"
LAMBDA_INTERFACE_TYPE = "lambda"
# ENI types that never originate traffic through a NAT gateway: the NAT's own
# ENIs, interface endpoints, load balancer nodes (they only answer).
NON_CONSUMER_TYPES = frozenset({"nat_gateway", "vpc_endpoint", "network_load_balancer"})
GATEWAY_ENDPOINT_SERVICES = ("s3", "dynamodb")

GroupKey = tuple[str, str, str, tuple[str, ...]]


def is_other_nat_consumer(eni: NetworkInterface, nat_own_enis: set[str]) -> bool:
    """A non-Lambda ENI that can send traffic through a NAT its subnet routes to.

    A detached ENI (status "available") sends nothing; everything else of an
    unknown type counts, so a NAT is never called removable on a guess.
    """
    return (
        eni.subnet_id is not None
        and eni.interface_type != LAMBDA_INTERFACE_TYPE
        and eni.interface_type not in NON_CONSUMER_TYPES
        and eni.status != "available"
        and eni.network_interface_id not in nat_own_enis
    )


def _sg_set(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(ids)))


# --------------------------------------------------------------------------- routes


def _route_target(table: RouteTable) -> tuple[str, str | None]:
    """(target_type, target_id) of the table's IPv4 default route."""
    for route in table.routes:
        if route.destination_cidr_block != DEFAULT_ROUTE:
            continue
        if route.state == "blackhole":
            return "blackhole", route.nat_gateway_id or route.gateway_id
        if route.nat_gateway_id:
            return "nat", route.nat_gateway_id  # private NATs are told apart by _Index
        if route.gateway_id and route.gateway_id.startswith("igw-"):
            return "igw", route.gateway_id
        if route.transit_gateway_id:
            return "transit-gateway", route.transit_gateway_id
        if route.vpc_peering_connection_id:
            return "peering", route.vpc_peering_connection_id
        if route.instance_id:
            return "instance", route.instance_id
        if route.network_interface_id:
            return "eni", route.network_interface_id
        return "other", route.gateway_id
    return "none", None


class _Index:
    """Lookups over one snapshot, built once."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.subnets = {(s.account_id, s.region, s.subnet_id): s for s in snapshot.subnets}
        self.table_by_subnet: dict[tuple[str, str, str], RouteTable] = {}
        self.main_table: dict[tuple[str, str, str], RouteTable] = {}
        for table in snapshot.route_tables:
            for subnet_id in table.subnet_ids:
                self.table_by_subnet[(table.account_id, table.region, subnet_id)] = table
            if table.is_main:
                self.main_table[(table.account_id, table.region, table.vpc_id)] = table
        self.nats = {(n.account_id, n.region, n.nat_gateway_id): n for n in snapshot.nat_gateways}
        self._paths: dict[tuple[str, str, str], SubnetPath] = {}

    def path(self, account_id: str, region: str, subnet_id: str) -> SubnetPath:
        key = (account_id, region, subnet_id)
        if key not in self._paths:
            self._paths[key] = self._resolve(key)
        return self._paths[key]

    def _resolve(self, key: tuple[str, str, str]) -> SubnetPath:
        account_id, region, subnet_id = key
        subnet = self.subnets.get(key)
        az = subnet.availability_zone if subnet else None
        table = self.table_by_subnet.get(key)
        source = "explicit"
        if table is None and subnet is not None:
            table = self.main_table.get((account_id, region, subnet.vpc_id))
            source = "main"
        if table is None:
            return SubnetPath(subnet_id=subnet_id, availability_zone=az, route_table_source="missing")
        target_type, target_id = _route_target(table)
        nat = self.nats.get((account_id, region, target_id)) if target_type == "nat" else None
        if nat is not None and nat.connectivity_type == "private":
            target_type = "private-nat"  # reaches other networks, never the internet
        return SubnetPath(
            subnet_id=subnet_id,
            availability_zone=az,
            route_table_id=table.route_table_id,
            route_table_source=source,
            target_type=target_type,
            target_id=target_id,
        )


# --------------------------------------------------------------------------- groups


def _group_egress(path: SubnetPath, enis: list[NetworkInterface]) -> str:
    if path.route_table_source == "missing":
        return "unknown"  # the route table was not collected: we cannot tell
    if path.target_type == "nat":
        return "nat"
    if path.target_type == "igw":
        if enis and all(e.public_ip for e in enis):
            return "igw-eip"
        return "igw-no-public-ip"
    if path.target_type in ("none", "blackhole", "private-nat"):
        return "none"  # no internet egress on this path today
    return "unknown"


def _function_egress(group_egress: list[str]) -> str:
    if not group_egress:
        return "unknown"
    for egress in ("nat", "igw-no-public-ip"):
        if egress in group_egress:
            return egress
    if all(e == "igw-eip" for e in group_egress):
        return "igw-eip"
    if "unknown" in group_egress:
        return "unknown"
    return "none"


def _build_groups(
    functions: list[LambdaFunction], lambda_enis: list[NetworkInterface], index: _Index
) -> dict[GroupKey, EniGroup]:
    fn_by_key: dict[GroupKey, list[str]] = defaultdict(list)
    vpc_by_key: dict[GroupKey, str | None] = {}
    for fn in functions:
        sgs = _sg_set(fn.security_group_ids)
        for subnet_id in fn.subnet_ids:
            key = (fn.account_id, fn.region, subnet_id, sgs)
            fn_by_key[key].append(fn.arn)
            vpc_by_key[key] = fn.vpc_id
    enis_by_key: dict[GroupKey, list[NetworkInterface]] = defaultdict(list)
    for eni in lambda_enis:
        if eni.subnet_id:
            key = (eni.account_id, eni.region, eni.subnet_id, _sg_set(eni.security_group_ids))
            enis_by_key[key].append(eni)
            vpc_by_key.setdefault(key, eni.vpc_id)

    groups: dict[GroupKey, EniGroup] = {}
    for key in sorted(set(fn_by_key) | set(enis_by_key)):
        account_id, region, subnet_id, sgs = key
        enis = sorted(enis_by_key.get(key, []), key=lambda e: e.network_interface_id)
        path = index.path(account_id, region, subnet_id)
        groups[key] = EniGroup(
            account_id=account_id,
            region=region,
            vpc_id=vpc_by_key.get(key),
            subnet_id=subnet_id,
            security_group_ids=sgs,
            eni_ids=tuple(e.network_interface_id for e in enis),
            function_arns=tuple(sorted(fn_by_key.get(key, []))),
            public_ips=tuple(sorted(e.public_ip for e in enis if e.public_ip)),
            eni_ids_without_public_ip=tuple(e.network_interface_id for e in enis if not e.public_ip),
            egress=_group_egress(path, enis),
            nat_gateway_id=path.target_id if path.target_type == "nat" else None,
        )
    return groups


def _function_view(fn: LambdaFunction, groups: dict[GroupKey, EniGroup], index: _Index) -> FunctionEgress:
    sgs = _sg_set(fn.security_group_ids)
    mine = [groups[(fn.account_id, fn.region, s, sgs)] for s in fn.subnet_ids]
    return FunctionEgress(
        account_id=fn.account_id,
        region=fn.region,
        arn=fn.arn,
        name=fn.name,
        vpc_id=fn.vpc_id,
        subnet_ids=fn.subnet_ids,
        security_group_ids=sgs,
        state=fn.state,
        state_reason_code=fn.state_reason_code,
        egress=_function_egress([g.egress for g in mine]),
        nat_gateway_ids=tuple(sorted({g.nat_gateway_id for g in mine if g.nat_gateway_id})),
        eni_ids=tuple(sorted({e for g in mine for e in g.eni_ids})),
        paths=tuple(index.path(fn.account_id, fn.region, s) for s in fn.subnet_ids),
    )


# --------------------------------------------------------------------------- NAT consumers


def _nat_views(snapshot: Snapshot, groups: dict[GroupKey, EniGroup], index: _Index) -> tuple[NatView, ...]:
    routed: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for subnet in snapshot.subnets:
        path = index.path(subnet.account_id, subnet.region, subnet.subnet_id)
        if path.target_type == "nat" and path.target_id:
            routed[(subnet.account_id, subnet.region, path.target_id)].append(subnet.subnet_id)

    groups_by_nat: dict[tuple[str, str, str], list[EniGroup]] = defaultdict(list)
    for group in groups.values():
        if group.nat_gateway_id:
            groups_by_nat[(group.account_id, group.region, group.nat_gateway_id)].append(group)

    own_enis = {e for n in snapshot.nat_gateways for e in n.network_interface_ids}
    others_by_subnet: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for eni in snapshot.network_interfaces:
        if is_other_nat_consumer(eni, own_enis):
            others_by_subnet[(eni.account_id, eni.region, eni.subnet_id)].append(eni.network_interface_id)

    views = []
    for nat in snapshot.nat_gateways:
        key = (nat.account_id, nat.region, nat.nat_gateway_id)
        subnet_ids = sorted(routed.get(key, []))
        all_groups = sorted(groups_by_nat.get(key, []), key=lambda g: g.key)
        nat_groups = [g for g in all_groups if g.function_arns]
        # Lambda ENIs no listed function uses: published versions behind
        # aliases keep their own VPC config (moving $LATEST leaves them on the
        # NAT), or a function deleted minutes ago. They count as other consumers.
        unlisted = [e for g in all_groups if not g.function_arns for e in g.eni_ids]
        cross_az = ()
        if nat.availability_mode == "zonal" and nat.availability_zone:
            cross_az = tuple(
                s
                for s in subnet_ids
                if (sub := index.subnets.get((nat.account_id, nat.region, s)))
                and sub.availability_zone != nat.availability_zone
            )
        views.append(
            NatView(
                account_id=nat.account_id,
                region=nat.region,
                nat_gateway_id=nat.nat_gateway_id,
                vpc_id=nat.vpc_id,
                availability_zone=nat.availability_zone,
                availability_mode=nat.availability_mode,
                connectivity_type=nat.connectivity_type,
                public_ips=nat.public_ips,
                routed_subnet_ids=tuple(subnet_ids),
                cross_az_subnet_ids=cross_az,
                function_arns=tuple(sorted({a for g in nat_groups for a in g.function_arns})),
                lambda_eni_ids=tuple(sorted({e for g in nat_groups for e in g.eni_ids})),
                other_consumer_eni_ids=tuple(
                    sorted(
                        [e for s in subnet_ids for e in others_by_subnet.get((nat.account_id, nat.region, s), [])]
                        + unlisted
                    )
                ),
                eni_group_keys=tuple(g.key for g in nat_groups),
                eips_needed=sum(max(1, len(g.eni_ids)) for g in nat_groups),
                name=nat.name,
            )
        )
    return tuple(sorted(views, key=lambda v: (v.account_id, v.region, v.nat_gateway_id)))


def _gateway_endpoints(snapshot: Snapshot, index: _Index) -> dict[str, tuple[str, ...]]:
    """Every VPC with a public NAT gateway -> the gateway-endpoint services its NAT-routed subnets use.

    An endpoint only takes traffic off the NAT when it is attached to the route
    table of a subnet that routes to the NAT; one attached elsewhere does not
    count (unless no subnet routes to a NAT at all).
    """
    nat_tables: dict[str, set[str]] = defaultdict(set)
    for subnet in snapshot.subnets:
        path = index.path(subnet.account_id, subnet.region, subnet.subnet_id)
        if path.target_type == "nat" and path.route_table_id:
            nat_tables[vpc_key(subnet.account_id, subnet.region, subnet.vpc_id)].add(path.route_table_id)
    present: dict[str, set[str]] = defaultdict(set)
    for ep in snapshot.vpc_endpoints:
        if ep.endpoint_type.lower() != "gateway" or ep.state.lower() not in ("available", "pending"):
            continue
        service = ep.service_name.rsplit(".", 1)[-1]
        key = vpc_key(ep.account_id, ep.region, ep.vpc_id)
        tables = nat_tables.get(key)
        if service in GATEWAY_ENDPOINT_SERVICES and (not tables or tables & set(ep.route_table_ids)):
            present[key].add(service)
    result = {}
    for nat in snapshot.nat_gateways:
        if nat.connectivity_type != "public":
            continue  # a private NAT carries no internet (and so no S3/DynamoDB) traffic
        key = vpc_key(nat.account_id, nat.region, nat.vpc_id)
        result[key] = tuple(sorted(present.get(key, ())))
    return dict(sorted(result.items()))


def build_topology(snapshot: Snapshot) -> Topology:
    index = _Index(snapshot)
    vpc_functions = [f for f in snapshot.functions if f.in_vpc]
    lambda_enis = [e for e in snapshot.network_interfaces if e.interface_type == LAMBDA_INTERFACE_TYPE]
    groups = _build_groups(vpc_functions, lambda_enis, index)
    functions = tuple(
        sorted(
            (_function_view(f, groups, index) for f in vpc_functions),
            key=lambda f: (f.account_id, f.region, f.name),
        )
    )
    eips: dict[str, int] = defaultdict(int)
    for eip in snapshot.elastic_ips:
        eips[region_key(eip.account_id, eip.region)] += 1
    quotas: dict[str, EipQuota] = {region_key(q.account_id, q.region): q for q in snapshot.eip_quotas}
    return Topology(
        functions=functions,
        # Groups of orphan ENIs (function deleted, or not listed) stay NAT
        # consumers but are not shown as groups.
        eni_groups=tuple(g for g in groups.values() if g.function_arns),
        nats=_nat_views(snapshot, groups, index),
        vpc_gateway_endpoints=_gateway_endpoints(snapshot, index),
        eip_quotas=quotas,
        eips_allocated=dict(eips),
    )
