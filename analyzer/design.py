"""The proposed design, computed once on target keys: (account, region, public subnet, security-group set).

Lambda creates one Hyperplane ENI per (subnet, security-group set) in an
account and every function with that pair shares it. So the EIP-on-ENI design
is decided by where each moving ENI group *lands*, not by where it comes from:
two private subnets of one AZ with the same security groups, moving to that
AZ's public subnet, end on ONE ENI with ONE Elastic IP, whatever NAT gateway
they used. Costs, rules and plans all read the targets built here.

1. Each moving group (Lambda ENIs whose egress goes through a public NAT) lands
   in the public subnet of its VPC and AZ with the most free addresses (ties:
   lowest id), or in a subnet the plan creates.
2. Groups landing on one key merge. The key keeps as many ENIs as its busiest
   source has (Lambda adds ENIs only past 65,000 connections), or as it
   already holds when functions are there today.
3. NAT gateways joined by a function or by a target form one plan, so each
   function moves exactly once, to all of its target subnets.
4. Each ENI gets an address: one it already has; a removable NAT's secondary
   address (taken off the running NAT first, no downtime); with
   ``Settings.reuse_nat_addresses`` the NAT's other addresses, freed only by
   deleting it (a maintenance window); else a new allocation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from analyzer.models import (
    EniGroup,
    NatGateway,
    NatView,
    NetworkInterface,
    Settings,
    Snapshot,
    Subnet,
    TargetAddress,
    TargetEni,
)
from analyzer.nat_addresses import nat_ips, nat_pools, primary_first
from analyzer.routing import Router

GroupKey = tuple[str, str, str, tuple[str, ...]]
NatKey = tuple[str, str, str]  # (account, region, NAT id)


def new_subnet_placeholder(vpc_id: str, az: str) -> str:
    """Stands for the id of a public subnet the plan creates (unique per account and region)."""
    return f"<new-public-subnet-{vpc_id}-{az}>"


def new_allocation_placeholder(n: int) -> str:
    """Stands for the n-th Elastic IP the migration allocates in an account and region."""
    return f"<new-allocation-id-{n}>"


def public_subnets(subnets: Iterable[Subnet], router: Router) -> dict[tuple[str, str, str, str], Subnet]:
    """(account, region, VPC, AZ) -> the public subnet with the most free addresses (ties: lowest id)."""
    best: dict[tuple[str, str, str, str], Subnet] = {}
    for s in subnets:
        if not router.is_public(s.account_id, s.region, s.subnet_id):
            continue
        key = (s.account_id, s.region, s.vpc_id, s.availability_zone)
        have = best.get(key)
        if have is None or _free(s) < _free(have):
            best[key] = s
    return best


def _free(subnet: Subnet) -> tuple[int, str]:
    return (-(subnet.available_ip_address_count or 0), subnet.subnet_id)


@dataclass
class _Draft:
    """A target while it is being built."""

    account_id: str
    region: str
    vpc_id: str
    subnet_id: str
    az: str | None
    new_subnet: bool
    sgs: tuple[str, ...]
    sources: dict[str, None] = field(default_factory=dict)  # ordered set of source subnets
    functions: dict[str, None] = field(default_factory=dict)
    nats: set[str] = field(default_factory=set)
    slots: int = 1


class _Units:
    """Union-find over NAT gateways: the ones a function or a target joins are planned together."""

    def __init__(self) -> None:
        self.parent: dict[NatKey, NatKey] = {}

    def find(self, key: NatKey) -> NatKey:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def join(self, keys: Iterable[NatKey]) -> None:
        keys = list(keys)
        for other in keys[1:]:
            self.parent[self.find(other)] = self.find(keys[0])

    def plan_ids(self, keys: Iterable[NatKey]) -> dict[NatKey, str]:
        members: dict[NatKey, list[str]] = defaultdict(list)
        keys = list(keys)
        for key in keys:
            members[self.find(key)].append(key[2])
        return {key: "+".join(sorted(members[self.find(key)])) for key in keys}


def _drafts(
    moving: list[tuple[NatView, EniGroup]], router: Router, public: dict[tuple[str, str, str, str], Subnet]
) -> dict[GroupKey, _Draft]:
    drafts: dict[GroupKey, _Draft] = {}
    for nat, group in moving:
        subnet = router.subnets.get((group.account_id, group.region, group.subnet_id))
        az = subnet.availability_zone if subnet else None
        vpc = nat.vpc_id
        found = public.get((group.account_id, group.region, vpc, az)) if az else None
        target = found.subnet_id if found else new_subnet_placeholder(vpc, az or f"az-of-{group.subnet_id}")
        key = (group.account_id, group.region, target, group.security_group_ids)
        draft = drafts.setdefault(
            key,
            _Draft(group.account_id, group.region, vpc, target, az, found is None, group.security_group_ids),
        )
        draft.sources[group.subnet_id] = None
        draft.functions.update(dict.fromkeys(group.function_arns))
        draft.nats.add(nat.nat_gateway_id)
        draft.slots = max(draft.slots, len(group.eni_ids))
    return drafts


class _Pools:
    """Per NAT gateway, the addresses its targets may take, in the order they are handed out."""

    def __init__(self, snapshot: Snapshot, candidates: dict[NatKey, NatView], settings: Settings) -> None:
        gateways: dict[NatKey, NatGateway] = {}
        for g in snapshot.nat_gateways:
            gateways.setdefault((g.account_id, g.region, g.nat_gateway_id), g)
        eip_ips = {(e.account_id, e.region, e.allocation_id): e.public_ip for e in snapshot.elastic_ips}
        self.free: dict[NatKey, list[TargetAddress]] = {}
        for key, nat in candidates.items():
            gateway = gateways.get(key)
            early, locked = nat_pools(gateway, nat.removable)
            ips = dict(nat_ips(eip_ips, gateway))
            pool = [TargetAddress(allocation_id=str(a.allocation_id), public_ip=ips.get(str(a.allocation_id)),
                                  origin="nat-secondary", nat_gateway_id=key[2]) for a in early]
            if settings.reuse_nat_addresses:
                pool += [TargetAddress(allocation_id=a, public_ip=ips.get(a), origin="nat-held", nat_gateway_id=key[2])
                         for a in primary_first(gateway, locked)]
            self.free[key] = pool

    def take(self, key: NatKey) -> TargetAddress | None:
        pool = self.free.get(key)
        return pool.pop(0) if pool else None


def _existing(
    key: GroupKey, groups: dict[GroupKey, EniGroup], enis: dict[tuple[str, str, str], NetworkInterface]
) -> tuple[EniGroup | None, list[TargetAddress]]:
    """The ENI group already on the target key, and the addresses its ENIs hold."""
    group = groups.get(key)
    if group is None:
        return None, []
    held = []
    for eni_id in group.eni_ids:
        eni = enis.get((key[0], key[1], eni_id))
        if eni is not None and eni.public_ip:
            held.append(TargetAddress(allocation_id=eni.allocation_id or f"<address-on-{eni_id}>",
                                      public_ip=eni.public_ip, origin="existing"))
    return group, held


def build_design(
    snapshot: Snapshot, router: Router, groups: dict[GroupKey, EniGroup], nats: list[NatView], settings: Settings
) -> tuple[tuple[TargetEni, ...], list[NatView]]:
    """The target ENIs of every candidate NAT, and the NAT views with their share of them filled in."""
    candidates = {(n.account_id, n.region, n.nat_gateway_id): n for n in nats
                  if n.function_arns and n.connectivity_type == "public"}  # fmt: skip
    moving = [(nat, groups[k]) for nat in candidates.values() for k in nat.eni_group_keys if k in groups]
    drafts = _drafts(moving, router, public_subnets(snapshot.subnets, router))

    units = _Units()
    nats_of_function: dict[str, list[NatKey]] = defaultdict(list)
    for key, nat in candidates.items():
        units.find(key)
        for arn in nat.function_arns:
            nats_of_function[arn].append(key)
    for keys in nats_of_function.values():
        units.join(keys)
    for d in drafts.values():
        units.join((d.account_id, d.region, n) for n in sorted(d.nats))
    plan_of = units.plan_ids(candidates)

    enis = {(e.account_id, e.region, e.network_interface_id): e for e in snapshot.network_interfaces}
    pools = _Pools(snapshot, candidates, settings)
    counters: dict[tuple[str, str], int] = defaultdict(int)
    ordered = sorted(drafts.items(), key=lambda kv: (
        kv[0][0], kv[0][1], plan_of[(kv[0][0], kv[0][1], min(kv[1].nats))], min(kv[1].nats),
        kv[1].az or "", kv[0][2], kv[0][3]))  # fmt: skip
    targets: list[TargetEni] = []
    for key, d in ordered:
        owner = min(d.nats)
        existing, addresses = _existing(key, groups, enis)
        slots = max(d.slots, len(existing.eni_ids) if existing else 0)
        for nat_id in [owner, *sorted(d.nats - {owner})]:
            while len(addresses) < slots and (taken := pools.take((d.account_id, d.region, nat_id))):
                addresses.append(taken)
        while len(addresses) < slots:
            counters[(d.account_id, d.region)] += 1
            addresses.append(TargetAddress(
                allocation_id=new_allocation_placeholder(counters[(d.account_id, d.region)]), origin="new"))
        targets.append(TargetEni(
            account_id=d.account_id, region=d.region, vpc_id=d.vpc_id, subnet_id=d.subnet_id,
            availability_zone=d.az, new_subnet=d.new_subnet, security_group_ids=d.sgs,
            has_ipv6_cidr=bool((sub := router.subnets.get(key[:3])) and sub.ipv6_cidr_blocks),
            source_subnet_ids=tuple(d.sources), function_arns=tuple(d.functions),
            existing_function_arns=existing.function_arns if existing else (),
            existing_eni_ids=existing.eni_ids if existing else (),
            nat_gateway_ids=tuple(sorted(d.nats)), owner_nat_gateway_id=owner,
            plan_id=plan_of[(d.account_id, d.region, owner)], addresses=tuple(addresses),
        ))  # fmt: skip

    owned: dict[NatKey, list[TargetEni]] = defaultdict(list)
    for t in targets:
        owned[(t.account_id, t.region, t.owner_nat_gateway_id)].append(t)
    views = []
    for nat in nats:
        key = (nat.account_id, nat.region, nat.nat_gateway_id)
        if key not in candidates:
            views.append(nat)
            continue
        mine = [a for t in owned.get(key, []) for a in t.addresses]
        views.append(nat.model_copy(update={
            "eips_needed": sum(1 for a in mine if a.origin != "existing"),
            "new_eips": sum(1 for a in mine if a.origin == "new"),
            "plan_id": plan_of[key],
        }))  # fmt: skip
    return tuple(targets), views
