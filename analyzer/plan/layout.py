"""The layout of one plan: its target ENIs, each function's one move, each NAT gateway's cutover.

A plan covers the NAT gateways ``analyzer.design`` joined (a function or a
target ENI in common), so every function moves exactly once, to all of its
target subnets. The decisions that must be right live here, apart from the
step text:

* Which target each function lands on, and whether its move waits for the
  maintenance window: it does only when a target it lands on gets an address
  that deleting a NAT frees (``nat-held``, with ``--reuse-nat-addresses``).
* A target is associated inside the window when it gets such an address, or
  when every function landing on it moves in the window.
* Per NAT gateway: its routes (with the subnets that use them), the
  secondary addresses taken off it before anything moves, the allocations it
  still holds when deleted, and the ones no ENI needs (released at the end).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from analyzer.models import (
    FunctionEgress,
    NatAddress,
    NatGateway,
    NatView,
    Route,
    Settings,
    TargetAddress,
    TargetEni,
    region_key,
)
from analyzer.nat_addresses import auto_managed, nat_ips
from analyzer.plan.index import PlanIndex
from analyzer.plan.network import route_gaps
from analyzer.topology import sg_set


@dataclass(frozen=True)
class NewSubnet:
    """A public subnet the plan has to create first: none exists in that AZ."""

    vpc_id: str
    availability_zone: str
    placeholder: str  # stands for the new subnet id in later commands
    igw_route_table_id: str | None
    igw_id: str | None


@dataclass(frozen=True)
class Target:
    """One target ENI key in the plan, with the placeholder function that creates its ENI."""

    eni: TargetEni
    warmer: str  # empty when the key already has an ENI (functions use it today)
    in_window: bool

    @property
    def subnet_id(self) -> str:
        return self.eni.subnet_id

    @property
    def availability_zone(self) -> str | None:
        return self.eni.availability_zone

    @property
    def security_group_ids(self) -> tuple[str, ...]:
        return self.eni.security_group_ids

    @property
    def function_arns(self) -> tuple[str, ...]:
        return self.eni.function_arns

    @property
    def allocations(self) -> tuple[str, ...]:
        """Every allocation on the key's ENIs once the plan is done."""
        return tuple(a.allocation_id for a in self.eni.addresses)

    @property
    def to_associate(self) -> tuple[TargetAddress, ...]:
        """The addresses the plan associates (the ones already on an ENI stay)."""
        return tuple(a for a in self.eni.addresses if a.origin != "existing")


@dataclass(frozen=True)
class Move:
    """One function's VPC config change: every subnet that moves, in one update."""

    arn: str
    name: str
    original_subnet_ids: tuple[str, ...]
    target_subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    ipv6_dual_stack: bool
    in_window: bool
    nat_gateway_ids: tuple[str, ...]  # the NAT gateways it leaves
    ipv6_missing: tuple[str, ...] = ()  # target subnets without an IPv6 CIDR (dual-stack functions)


@dataclass(frozen=True)
class RouteToNat:
    table_id: str
    route: Route
    subnet_ids: tuple[str, ...]  # the subnets that use the table


@dataclass(frozen=True)
class NatCutover:
    """What happens to one NAT gateway of the plan."""

    nat: NatView
    gateway: NatGateway | None
    routes: tuple[RouteToNat, ...]
    released: tuple[NatAddress, ...]  # secondary addresses taken off the running NAT for Lambda ENIs
    held: tuple[str, ...]  # allocations the NAT still holds when it is deleted
    unused: tuple[str, ...]  # its allocations no ENI gets: released after the NAT is deleted
    auto_managed: bool

    @property
    def removable(self) -> bool:
        return self.nat.removable

    @property
    def nat_gateway_id(self) -> str:
        return self.nat.nat_gateway_id


@dataclass(frozen=True)
class Layout:
    account_id: str
    region: str
    vpc_id: str
    plan_id: str
    cutovers: tuple[NatCutover, ...]
    targets: tuple[Target, ...]
    moves: tuple[Move, ...]
    new_subnets: tuple[NewSubnet, ...]
    route_gaps: tuple[str, ...]
    nat_ips: dict[str, str]  # allocation id -> public IP, for every NAT address of the plan
    settings: Settings
    eip_quota: int | None = None  # the region's Elastic IP quota, when the scan read it
    eips_allocated: int | None = None

    @property
    def nat_ids(self) -> tuple[str, ...]:
        return tuple(c.nat_gateway_id for c in self.cutovers)

    @cached_property
    def addresses(self) -> tuple[TargetAddress, ...]:
        return tuple(a for t in self.targets for a in t.eni.addresses)

    @property
    def new_allocations(self) -> tuple[str, ...]:
        return tuple(a.allocation_id for a in self.addresses if a.origin == "new")

    @property
    def reused(self) -> tuple[str, ...]:
        """The NAT addresses Lambda ENIs take over (secondaries early, held ones in the window)."""
        return tuple(a.allocation_id for a in self.addresses if a.origin in ("nat-secondary", "nat-held"))

    @property
    def window_reused(self) -> tuple[str, ...]:
        return tuple(a.allocation_id for a in self.addresses if a.origin == "nat-held")

    @property
    def has_window(self) -> bool:
        return any(t.in_window for t in self.targets) or any(m.in_window for m in self.moves)

    @property
    def removable(self) -> tuple[NatCutover, ...]:
        return tuple(c for c in self.cutovers if c.removable)

    @property
    def kept(self) -> tuple[NatCutover, ...]:
        return tuple(c for c in self.cutovers if not c.removable)

    def address_of(self, allocation: str) -> str:
        """The public IP behind an allocation, as the partner should read it."""
        known = {a.allocation_id: a.public_ip for a in self.addresses if a.public_ip}
        ip = known.get(allocation) or self.nat_ips.get(allocation)
        if ip:
            return f"{ip} ({allocation})"
        if allocation.startswith("<new-allocation-id-"):
            return f"the address of new allocation {allocation.rstrip('>').rsplit('-', 1)[-1]}"
        return allocation


def warmer_name(place: str, subnet_id: str, sg_ids: tuple[str, ...]) -> str:
    """A stable, valid Lambda function name per (account/region, subnet, SG set): 31 characters."""
    digest = hashlib.sha256(f"{place}|{subnet_id}|{','.join(sg_ids)}".encode()).hexdigest()
    return f"lambda-egress-warmer-{digest[:10]}"


def _moves(index: PlanIndex, targets: list[TargetEni], nats: list[NatView]) -> list[Move]:
    """Each function of the plan once: every source subnet mapped to its target subnet, the rest kept."""
    lands: dict[tuple[str, tuple[str, ...]], TargetEni] = {}
    for t in targets:
        for source in t.source_subnet_ids:
            lands[(source, t.security_group_ids)] = t
    ours = {n.nat_gateway_id for n in nats}
    arns = dict.fromkeys(a for n in nats for a in n.function_arns)
    moves = []
    for arn in arns:
        fn: FunctionEgress | None = index.functions.get(arn)
        if fn is None:
            continue
        sgs = sg_set(fn.security_group_ids)
        landed = [lands.get((s, sgs)) for s in fn.subnet_ids]
        new_subnets = tuple(dict.fromkeys(t.subnet_id if t else s for s, t in zip(fn.subnet_ids, landed, strict=True)))
        missing = ()
        if fn.ipv6_allowed_for_dual_stack:
            missing = tuple(
                t.subnet_id for t in dict.fromkeys(x for x in landed if x)
                if t.new_subnet or not ((sub := index.subnet(t.account_id, t.region, t.subnet_id))
                                        and sub.ipv6_cidr_blocks)
            )  # fmt: skip
        moves.append(Move(
            arn=fn.arn, name=fn.name, original_subnet_ids=fn.subnet_ids, target_subnet_ids=new_subnets,
            security_group_ids=fn.security_group_ids, ipv6_dual_stack=fn.ipv6_allowed_for_dual_stack,
            in_window=any(t is not None and t.in_window for t in landed),
            nat_gateway_ids=tuple(n for n in fn.nat_gateway_ids if n in ours), ipv6_missing=missing,
        ))  # fmt: skip
    return moves


def _cutover(index: PlanIndex, nat: NatView, addresses: list[TargetAddress]) -> NatCutover:
    gateway = index.gateway(nat.account_id, nat.region, nat.nat_gateway_id)
    mine = {a.allocation_id: a.origin for a in addresses if a.nat_gateway_id == nat.nat_gateway_id}
    detail = {a.allocation_id: a for a in (gateway.addresses if gateway else ())}
    released = tuple(detail[a] for a, origin in mine.items() if origin == "nat-secondary" and a in detail)
    allocations = gateway.allocation_ids if gateway else ()
    managed = auto_managed(gateway)
    routes = tuple(
        RouteToNat(table.route_table_id, route, index.router.subnets_of_table(table))
        for table, route in index.router.routes_to_nat(nat.account_id, nat.region, nat.nat_gateway_id)
    )
    return NatCutover(
        nat=nat, gateway=gateway, routes=routes, released=released,
        held=tuple(a for a in allocations if mine.get(a) != "nat-secondary"),
        unused=() if managed or not nat.removable else tuple(a for a in allocations if a not in mine),
        auto_managed=managed,
    )  # fmt: skip


def _new_subnets(index: PlanIndex, targets: list[TargetEni]) -> list[NewSubnet]:
    out: dict[str, NewSubnet] = {}
    for t in targets:
        if t.new_subnet and t.subnet_id not in out:
            table = index.igw_tables.get((t.account_id, t.region, t.vpc_id))
            igw = index.igws.get((t.account_id, t.region, t.vpc_id))
            out[t.subnet_id] = NewSubnet(
                vpc_id=t.vpc_id, availability_zone=t.availability_zone or t.subnet_id, placeholder=t.subnet_id,
                igw_route_table_id=table.route_table_id if table else None,
                igw_id=igw.internet_gateway_id if igw else None,
            )  # fmt: skip
    return list(out.values())


def _gaps(index: PlanIndex, targets: list[TargetEni]) -> tuple[str, ...]:
    gaps: dict[str, None] = {}
    for t in targets:
        dest = None if t.new_subnet else index.router.table_of(t.account_id, t.region, t.subnet_id)[0]
        for source in t.source_subnet_ids:
            src = index.router.table_of(t.account_id, t.region, source)[0]
            gaps.update(dict.fromkeys(route_gaps(src, dest)))
    return tuple(gaps)


def build_layout(index: PlanIndex, plan_id: str, nats: list[NatView], settings: Settings) -> Layout:
    """One plan's layout; every lookup goes through ``index``, nothing scans the snapshot."""
    first = nats[0]
    designed = list(index.targets.get((first.account_id, first.region, plan_id), ()))
    moves = _moves(index, designed, nats)
    early = {m.arn for m in moves if not m.in_window}
    place = region_key(first.account_id, first.region)
    targets = [
        Target(
            eni=t,
            warmer="" if t.existing_eni_ids else warmer_name(place, t.subnet_id, t.security_group_ids),
            in_window=t.in_window or bool(t.function_arns and not early & set(t.function_arns)),
        )
        for t in designed
    ]
    addresses = [a for t in designed for a in t.addresses]
    cutovers = tuple(_cutover(index, n, addresses) for n in nats)
    quota = index.topology.eip_quotas.get(place)
    ips: dict[str, str] = {}
    for c in cutovers:
        ips.update(nat_ips(index.eip_ips, c.gateway))
    return Layout(
        account_id=first.account_id, region=first.region, vpc_id=first.vpc_id, plan_id=plan_id,
        cutovers=cutovers, targets=tuple(targets), moves=tuple(moves),
        new_subnets=tuple(_new_subnets(index, designed)), route_gaps=_gaps(index, designed), nat_ips=ips,
        settings=settings, eip_quota=quota.value if quota else None,
        eips_allocated=index.topology.eips_allocated.get(place),
    )  # fmt: skip
