"""Egress paths, Lambda ENI groups and NAT consumers, from a snapshot.

Everything is joined by key in dictionaries built once (no nested scans), so
the cost is linear in the size of the snapshot.

* Routes resolve through :mod:`analyzer.routing`, the one route lookup:
  explicit association else main table, longest prefix match.
* A subnet's egress is where its egress destination goes: 0.0.0.0/0, or the
  partner addresses given with ``--destination`` (``Settings.destinations``).
* A NAT gateway is used by every subnet whose table has *any* active route to
  it; every ENI there is a consumer. Lambda ENIs whose egress goes through the
  NAT move; the rest (other ENIs, Lambda ENIs of unlisted versions, functions
  that send only some destinations to the NAT) keep it in place.
* Lambda shares one Hyperplane ENI per (subnet, security-group set), so ENIs
  and functions are grouped by that key, never by the ENI description.
* The proposed design (target keys) comes from :mod:`analyzer.design`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from analyzer.design import build_design
from analyzer.models import (
    EipQuota,
    EniGroup,
    FunctionEgress,
    LambdaFunction,
    NatGateway,
    NatView,
    NetworkInterface,
    Settings,
    Snapshot,
    SubnetPath,
    Topology,
    region_key,
    vpc_key,
)
from analyzer.routing import DEFAULT_ROUTE, Router

LAMBDA_INTERFACE_TYPE = "lambda"
# ENI types that never originate traffic through a NAT gateway: the NAT's own
# ENIs, interface endpoints, load balancer nodes (they only answer).
NON_CONSUMER_TYPES = frozenset({"nat_gateway", "vpc_endpoint", "network_load_balancer"})
GATEWAY_ENDPOINT_SERVICES = ("s3", "dynamodb")

GroupKey = tuple[str, str, str, tuple[str, ...]]
SubnetKey = tuple[str, str, str]


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


def sg_set(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(ids)))


# --------------------------------------------------------------------------- paths


class _Paths:
    """Each subnet's egress path for the destinations, resolved once."""

    def __init__(self, router: Router, destinations: tuple[str, ...]) -> None:
        self.router = router
        self.destinations = destinations or (DEFAULT_ROUTE,)
        self._paths: dict[SubnetKey, SubnetPath] = {}

    def __call__(self, account_id: str, region: str, subnet_id: str) -> SubnetPath:
        key = (account_id, region, subnet_id)
        if key not in self._paths:
            self._paths[key] = self._resolve(account_id, region, subnet_id)
        return self._paths[key]

    def _resolve(self, account_id: str, region: str, subnet_id: str) -> SubnetPath:
        subnet = self.router.subnets.get((account_id, region, subnet_id))
        matches = [self.router.resolve(account_id, region, subnet_id, d) for d in self.destinations]
        chosen = (
            next((m for m in matches if m.target_type == "nat"), None)
            or next((m for m in matches if m.target_type == "igw"), None)
            or matches[0]
        )
        return SubnetPath(
            subnet_id=subnet_id,
            availability_zone=subnet.availability_zone if subnet else None,
            route_table_id=chosen.route_table_id,
            route_table_source=chosen.table_source,
            target_type=chosen.target_type,
            target_id=chosen.target_id,
            destination=chosen.destination,
            nat_gateway_ids=self.router.nat_ids_of(account_id, region, subnet_id),
            ipv6_egress=self.router.has_ipv6_default(account_id, region, subnet_id),
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
    if path.target_type in ("none", "blackhole", "private-nat", "local"):
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
    functions: list[LambdaFunction], lambda_enis: list[NetworkInterface], paths: _Paths
) -> dict[GroupKey, EniGroup]:
    fn_by_key: dict[GroupKey, list[str]] = defaultdict(list)
    vpc_by_key: dict[GroupKey, str | None] = {}
    for fn in functions:
        sgs = sg_set(fn.security_group_ids)
        for subnet_id in fn.subnet_ids:
            key = (fn.account_id, fn.region, subnet_id, sgs)
            fn_by_key[key].append(fn.arn)
            vpc_by_key[key] = fn.vpc_id
    enis_by_key: dict[GroupKey, list[NetworkInterface]] = defaultdict(list)
    for eni in lambda_enis:
        if eni.subnet_id:
            key = (eni.account_id, eni.region, eni.subnet_id, sg_set(eni.security_group_ids))
            enis_by_key[key].append(eni)
            vpc_by_key.setdefault(key, eni.vpc_id)

    groups: dict[GroupKey, EniGroup] = {}
    for key in sorted(set(fn_by_key) | set(enis_by_key)):
        account_id, region, subnet_id, sgs = key
        enis = sorted(enis_by_key.get(key, []), key=lambda e: e.network_interface_id)
        path = paths(account_id, region, subnet_id)
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
            requester_managed_eni_ids=tuple(e.network_interface_id for e in enis if e.requester_managed),
        )
    return groups


def _function_view(fn: LambdaFunction, groups: dict[GroupKey, EniGroup], paths: _Paths) -> FunctionEgress:
    sgs = sg_set(fn.security_group_ids)
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
        paths=tuple(paths(fn.account_id, fn.region, s) for s in fn.subnet_ids),
        ipv6_allowed_for_dual_stack=fn.ipv6_allowed_for_dual_stack,
    )


# --------------------------------------------------------------------------- NAT consumers


def _active_azs(nat: NatGateway) -> tuple[str, ...]:
    if nat.availability_mode == "zonal":
        return (nat.availability_zone,) if nat.availability_zone else ()
    zones = {a.availability_zone for a in nat.addresses if a.availability_zone and a.status == "succeeded"}
    return tuple(sorted(str(z) for z in zones))


def _nat_view(
    nat: NatGateway,
    router: Router,
    groups_by_subnet: dict[SubnetKey, list[EniGroup]],
    others_by_subnet: dict[SubnetKey, list[str]],
) -> NatView:
    acct, region, nat_id = nat.account_id, nat.region, nat.nat_gateway_id
    routed = router.subnets_using_nat(acct, region, nat_id)
    here = [g for s in routed for g in groups_by_subnet.get((acct, region, s), [])]
    moving = sorted((g for g in here if g.function_arns and g.nat_gateway_id == nat_id), key=lambda g: g.key)
    # Functions that send only some destinations here (their egress goes elsewhere): they stay.
    partial = [g for g in here if g.function_arns and g.nat_gateway_id != nat_id]
    # Lambda ENIs no listed function uses: published versions behind aliases keep their own VPC
    # config (moving $LATEST leaves them on the NAT), or a function deleted minutes ago.
    unlisted = [e for g in here if not g.function_arns for e in g.eni_ids]
    others = [e for s in routed for e in others_by_subnet.get((acct, region, s), [])]
    cross_az: tuple[str, ...] = ()
    if nat.availability_mode == "zonal" and nat.availability_zone:
        cross_az = tuple(
            s for s in routed
            if (sub := router.subnets.get((acct, region, s))) and sub.availability_zone != nat.availability_zone
        )  # fmt: skip
    moving_arns = {a for g in moving for a in g.function_arns}
    return NatView(
        account_id=acct,
        region=region,
        nat_gateway_id=nat_id,
        vpc_id=nat.vpc_id,
        availability_zone=nat.availability_zone,
        availability_mode=nat.availability_mode,
        connectivity_type=nat.connectivity_type,
        public_ips=nat.public_ips,
        active_azs=_active_azs(nat),
        routed_subnet_ids=routed,
        cross_az_subnet_ids=cross_az,
        function_arns=tuple(sorted(moving_arns)),
        lambda_eni_ids=tuple(sorted({e for g in moving for e in g.eni_ids})),
        other_consumer_eni_ids=tuple(sorted({*others, *unlisted, *(e for g in partial for e in g.eni_ids)})),
        partial_function_arns=tuple(sorted({a for g in partial for a in g.function_arns} - moving_arns)),
        eni_group_keys=tuple(g.key for g in moving),
        requester_managed_eni_ids=tuple(sorted({e for g in moving for e in g.requester_managed_eni_ids})),
        name=nat.name,
    )


def _nat_views(snapshot: Snapshot, groups: dict[GroupKey, EniGroup], router: Router) -> list[NatView]:
    groups_by_subnet: dict[SubnetKey, list[EniGroup]] = defaultdict(list)
    for group in groups.values():
        groups_by_subnet[(group.account_id, group.region, group.subnet_id)].append(group)
    own_enis = {e for n in snapshot.nat_gateways for e in n.network_interface_ids}
    others_by_subnet: dict[SubnetKey, list[str]] = defaultdict(list)
    for eni in snapshot.network_interfaces:
        if is_other_nat_consumer(eni, own_enis):
            others_by_subnet[(eni.account_id, eni.region, str(eni.subnet_id))].append(eni.network_interface_id)
    views = [_nat_view(n, router, groups_by_subnet, others_by_subnet) for n in snapshot.nat_gateways]
    return sorted(views, key=lambda v: (v.account_id, v.region, v.nat_gateway_id))


def _gateway_endpoints(snapshot: Snapshot, router: Router) -> dict[str, tuple[str, ...]]:
    """Every VPC with a public NAT gateway -> the gateway-endpoint services its NAT-routed tables use.

    An endpoint only takes traffic off the NAT when it is attached to a route
    table that also routes to the NAT; one attached elsewhere does not count
    (unless no table routes to a NAT at all).
    """
    public = [n for n in snapshot.nat_gateways if n.connectivity_type == "public"]
    nat_tables: dict[str, set[str]] = defaultdict(set)
    for nat in public:
        for table, _ in router.routes_to_nat(nat.account_id, nat.region, nat.nat_gateway_id):
            nat_tables[vpc_key(table.account_id, table.region, table.vpc_id)].add(table.route_table_id)
    present: dict[str, set[str]] = defaultdict(set)
    for ep in snapshot.vpc_endpoints:
        if ep.endpoint_type.lower() != "gateway" or ep.state.lower() not in ("available", "pending"):
            continue
        service = ep.service_name.rsplit(".", 1)[-1]
        key = vpc_key(ep.account_id, ep.region, ep.vpc_id)
        tables = nat_tables.get(key)
        if service in GATEWAY_ENDPOINT_SERVICES and (not tables or tables & set(ep.route_table_ids)):
            present[key].add(service)
    result = {vpc_key(n.account_id, n.region, n.vpc_id): () for n in public}
    for key in result:
        result[key] = tuple(sorted(present.get(key, ())))
    return dict(sorted(result.items()))


def router_for(snapshot: Snapshot) -> Router:
    """The route lookup over the whole snapshot."""
    return Router(snapshot.subnets, snapshot.route_tables, snapshot.nat_gateways, snapshot.prefix_lists)


def build_topology(snapshot: Snapshot, settings: Settings | None = None) -> Topology:
    settings = settings or Settings()
    router = router_for(snapshot)
    paths = _Paths(router, settings.destinations)
    vpc_functions = [f for f in snapshot.functions if f.in_vpc]
    lambda_enis = [e for e in snapshot.network_interfaces if e.interface_type == LAMBDA_INTERFACE_TYPE]
    groups = _build_groups(vpc_functions, lambda_enis, paths)
    functions = tuple(
        sorted(
            (_function_view(f, groups, paths) for f in vpc_functions),
            key=lambda f: (f.account_id, f.region, f.name),
        )
    )
    eips: dict[str, int] = defaultdict(int)
    for eip in snapshot.elastic_ips:
        eips[region_key(eip.account_id, eip.region)] += 1
    quotas: dict[str, EipQuota] = {region_key(q.account_id, q.region): q for q in snapshot.eip_quotas}
    nats = _nat_views(snapshot, groups, router)
    targets, nats = build_design(snapshot, router, groups, nats, settings)
    return Topology(
        functions=functions,
        # Groups of orphan ENIs (function deleted, or not listed) stay NAT
        # consumers but are not shown as groups.
        eni_groups=tuple(g for g in groups.values() if g.function_arns),
        nats=tuple(nats),
        vpc_gateway_endpoints=_gateway_endpoints(snapshot, router),
        eip_quotas=quotas,
        eips_allocated=dict(eips),
        targets=targets,
    )
