"""The target state of one NAT gateway's migration, and the order that keeps egress announced.

Kept apart from the step text because these are the decisions that must be
right: which public subnet each ENI group lands in, which Elastic IP each
Lambda ENI gets, and which functions move before the maintenance window and
which inside it.

The ordering rests on one AWS constraint: a NAT gateway's *primary* Elastic
IP cannot be disassociated while the gateway exists. Its secondary addresses
can (DisassociateNatGatewayAddress), so they are released and reused before
any window; the primary can be reused only after the NAT is deleted. Groups
that get a new or a secondary address move first; groups that get the
primary move inside a short, announced maintenance window around the NAT
deletion. When the snapshot has no per-address detail (older snapshots)
every NAT address counts as locked. A NAT that also serves non-Lambda ENIs
stays, so nothing is reused and there is no window; a regional NAT whose
addresses AWS manages (auto-provisioned zones or auto-scaling IPs) lends
none either, since they may change under the plan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace

from analyzer.models import EniGroup, FunctionEgress, NatAddress, NatGateway, NatView, Route, region_key
from analyzer.plan_addresses import auto_managed, nat_ips, nat_pools
from analyzer.plan_index import PlanIndex
from analyzer.plan_network import NetworkIndex, route_gaps


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
    """One ENI group in its new home: (public subnet, same security groups)."""

    subnet_id: str  # a real subnet id, or a NewSubnet placeholder
    availability_zone: str | None
    security_group_ids: tuple[str, ...]
    source_subnet_ids: tuple[str, ...]
    function_arns: tuple[str, ...]
    allocations: tuple[str, ...]  # one per ENI: a reused eipalloc-... or "<new-allocation-id-N>"
    warmer: str = ""  # the placeholder function that creates the group's ENI before any real function moves
    in_window: bool = False  # it gets the NAT's primary address, associated inside the maintenance window


@dataclass(frozen=True)
class Move:
    """One function's VPC config change."""

    arn: str
    name: str
    original_subnet_ids: tuple[str, ...]
    target_subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    ipv6_dual_stack: bool
    in_window: bool
    other_nat_ids: tuple[str, ...]  # NATs its other subnets still use


@dataclass(frozen=True)
class Layout:
    account_id: str
    region: str
    vpc_id: str
    nat: NatView
    gateway: NatGateway | None
    targets: tuple[Target, ...]
    moves: tuple[Move, ...]
    reused: tuple[str, ...]  # every NAT allocation a Lambda ENI gets
    new_allocations: tuple[str, ...]
    unused_nat_allocations: tuple[str, ...]  # the NAT's EIPs no ENI needs: release after the window
    new_subnets: tuple[NewSubnet, ...]
    nat_routes: tuple[tuple[str, Route], ...]
    route_gaps: tuple[str, ...]
    nat_ips: tuple[tuple[str, str], ...] = ()  # (allocation id, public IP) of the NAT's EIPs
    eip_quota: int | None = None  # the region's Elastic IP quota, when the scan read it
    eips_allocated: int | None = None
    released: tuple[NatAddress, ...] = ()  # secondary addresses taken off the NAT in phase one (reused early)
    nat_held: tuple[str, ...] = ()  # allocations the NAT still holds when it is deleted
    auto_managed: bool = False  # regional NAT with auto-provisioned zones or auto-scaling IPs

    @property
    def removable(self) -> bool:
        return self.nat.removable

    @property
    def window_reused(self) -> tuple[str, ...]:
        """The reused allocations that only the NAT deletion frees."""
        early = {a.allocation_id for a in self.released}
        return tuple(a for a in self.reused if a not in early)

    def address_of(self, allocation: str) -> str:
        """The public IP behind an allocation, as the partner should read it."""
        ips = dict(self.nat_ips)
        if allocation in ips:
            return f"{ips[allocation]} ({allocation})"
        if allocation.startswith("<new-allocation-id-"):
            return f"the address of new allocation {allocation.rstrip('>').rsplit('-', 1)[-1]}"
        return allocation


def new_allocation(n: int) -> str:
    return f"<new-allocation-id-{n}>"


def warmer_name(place: str, subnet_id: str, sg_ids: tuple[str, ...]) -> str:
    """A stable, valid Lambda function name per (account/region, subnet, SG set): 31 characters."""
    digest = hashlib.sha256(f"{place}|{subnet_id}|{','.join(sg_ids)}".encode()).hexdigest()
    return f"lambda-egress-warmer-{digest[:10]}"


def _source_groups(index: PlanIndex, nat: NatView) -> list[EniGroup]:
    return [index.groups[k] for k in nat.eni_group_keys if k in index.groups]


def _functions(index: PlanIndex, nat: NatView) -> list[FunctionEgress]:
    return [index.functions[a] for a in nat.function_arns if a in index.functions]


def _subnet_map(
    net: NetworkIndex, nat: NatView, groups: list[EniGroup], fns: list[FunctionEgress]
) -> tuple[dict[str, str], dict[str, str | None], list[NewSubnet]]:
    """source subnet -> target subnet id (or placeholder), source -> AZ, subnets to create."""
    azs: dict[str, str | None] = {}
    for fn in fns:
        for path in fn.paths:
            if path.target_type == "nat" and path.target_id == nat.nat_gateway_id:
                azs.setdefault(path.subnet_id, path.availability_zone)
    for group in groups:
        azs.setdefault(group.subnet_id, None)
    mapping: dict[str, str] = {}
    created: dict[str, NewSubnet] = {}
    for sid in azs:
        subnet = net.subnets.get(sid)
        az = subnet.availability_zone if subnet else azs[sid]
        azs[sid] = az
        public = net.public_subnet(nat.vpc_id, az)
        if public is not None:
            mapping[sid] = public.subnet_id
            continue
        where = az or f"az-of-{sid}"
        if where not in created:
            table = net.igw_table(nat.vpc_id)
            created[where] = NewSubnet(
                vpc_id=nat.vpc_id,
                availability_zone=where,
                placeholder=f"<new-public-subnet-id-{where}>",
                igw_route_table_id=table.route_table_id if table else None,
                igw_id=net.igws.get(nat.vpc_id),
            )
        mapping[sid] = created[where].placeholder
    return mapping, azs, list(created.values())


def _assign(slot_counts: list[int], reusable: tuple[str, ...]) -> tuple[list[tuple[str, ...]], list[str]]:
    """Hand out the reusable allocations first, then numbered new ones."""
    pool, new, out = list(reusable), [], []
    for count in slot_counts:
        allocs = []
        for _ in range(count):
            if pool:
                allocs.append(pool.pop(0))
            else:
                new.append(new_allocation(len(new) + 1))
                allocs.append(new[-1])
        out.append(tuple(allocs))
    return out, new


def _targets(
    groups: list[EniGroup],
    mapping: dict[str, str],
    azs: dict[str, str | None],
    reusable: tuple[str, ...],
    place: str,
) -> tuple[list[Target], list[str]]:
    """Merge source groups that land on the same (subnet, SG set); one EIP per existing ENI."""
    merged: dict[tuple[str, tuple[str, ...]], dict] = {}
    for g in groups:
        key = (mapping[g.subnet_id], g.security_group_ids)
        slot = merged.setdefault(key, {"sources": [], "fns": {}, "slots": 0, "az": azs.get(g.subnet_id)})
        slot["sources"].append(g.subnet_id)
        slot["fns"].update(dict.fromkeys(g.function_arns))  # an ordered set
        slot["slots"] += max(1, len(g.eni_ids))
    allocations, new = _assign([m["slots"] for m in merged.values()], reusable)
    targets = [
        Target(
            subnet_id=key[0],
            availability_zone=m["az"],
            security_group_ids=key[1],
            source_subnet_ids=tuple(dict.fromkeys(m["sources"])),
            function_arns=tuple(m["fns"]),
            allocations=allocs,
            warmer=warmer_name(place, key[0], key[1]),
        )
        for (key, m), allocs in zip(merged.items(), allocations, strict=True)
    ]
    return targets, new


def _moves(
    ipv6: Mapping[str, bool],
    nat_id: str,
    fns: list[FunctionEgress],
    mapping: dict[str, str],
    targets: list[Target],
    reused: set[str],
) -> list[Move]:
    """A function moves inside the window when any ENI it lands on gets an address the NAT deletion frees."""
    window_keys = {(t.subnet_id, t.security_group_ids) for t in targets if reused.intersection(t.allocations)}
    moves = []
    for fn in fns:
        sgs = tuple(sorted(set(fn.security_group_ids)))
        new_subnets = tuple(dict.fromkeys(mapping.get(s, s) for s in fn.subnet_ids))
        lands = {(mapping[s], sgs) for s in fn.subnet_ids if s in mapping}
        moves.append(
            Move(
                arn=fn.arn,
                name=fn.name,
                original_subnet_ids=fn.subnet_ids,
                target_subnet_ids=new_subnets,
                security_group_ids=fn.security_group_ids,
                ipv6_dual_stack=ipv6.get(fn.arn, False),
                in_window=bool(lands & window_keys),
                other_nat_ids=tuple(n for n in fn.nat_gateway_ids if n != nat_id),
            )
        )
    return moves


def _mark_window(target: Target, early: set[str], reused: set[str]) -> Target:
    """A group is associated in the window when it gets an address the NAT deletion frees, or when
    every function landing on it moves in the window (a multi-subnet function brings it along).
    ``early`` holds the ARNs of the functions that move before the window."""
    in_window = bool(reused & set(target.allocations)) or bool(
        target.function_arns and not early & set(target.function_arns)
    )
    return replace(target, in_window=in_window)


def build_layout(index: PlanIndex, nat: NatView) -> Layout:
    """The layout of one NAT's migration: every lookup goes through ``index``, nothing scans the snapshot."""
    net = index.network(nat.account_id, nat.region)
    gateway = index.gateway(nat.account_id, nat.region, nat.nat_gateway_id)
    groups, fns = _source_groups(index, nat), _functions(index, nat)
    mapping, azs, new_subnets = _subnet_map(net, nat, groups, fns)
    releasable, locked = nat_pools(gateway, nat.removable)
    nat_allocs = (*(str(a.allocation_id) for a in releasable), *locked)  # secondaries are handed out first
    rkey = region_key(nat.account_id, nat.region)
    targets, new = _targets(groups, mapping, azs, nat_allocs, rkey)
    used = {a for t in targets for a in t.allocations}
    reused = tuple(a for a in nat_allocs if a in used)
    released = tuple(a for a in releasable if a.allocation_id in used)
    window_free = {a.allocation_id for a in released}  # off the NAT before it is deleted
    window = set(reused) - window_free
    moves = _moves(index.ipv6_dual_stack, nat.nat_gateway_id, fns, mapping, targets, window)
    early = {m.arn for m in moves if not m.in_window}
    targets = [_mark_window(t, early, window) for t in targets]
    quota = index.topology.eip_quotas.get(rkey)
    gaps: dict[str, None] = {}
    for source, dest in mapping.items():
        dest_table = net.table_of(dest) if dest in net.subnets else None
        gaps.update(dict.fromkeys(route_gaps(net.table_of(source), dest_table)))
    return Layout(
        account_id=nat.account_id,
        region=nat.region,
        vpc_id=nat.vpc_id,
        nat=nat,
        gateway=gateway,
        targets=tuple(targets),
        moves=tuple(moves),
        reused=reused,
        new_allocations=tuple(new),
        unused_nat_allocations=tuple(a for a in nat_allocs if a not in used),
        released=released,
        nat_held=tuple(a for a in (gateway.allocation_ids if gateway else ()) if a not in window_free),
        auto_managed=auto_managed(gateway),
        new_subnets=tuple(new_subnets),
        nat_routes=net.nat_routes(nat.nat_gateway_id),
        route_gaps=tuple(gaps),
        nat_ips=nat_ips(index.eip_ips, gateway),
        eip_quota=quota.value if quota else None,
        eips_allocated=index.topology.eips_allocated.get(rkey),
    )
