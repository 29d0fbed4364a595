"""Every lookup the migration plans need, built once per ``build_plans`` call.

A plan is about one group of NAT gateways, but the records it needs (their
functions, ENI groups, gateways, Elastic IPs, targets, findings, the route
tables) are spread over the whole snapshot and topology. Scanning them per
plan makes planning quadratic in the size of the estate; indexing them here
once makes each plan cost only what it owns.

The index is read-only: its maps are ``MappingProxyType`` views and it is a
frozen dataclass. Where the snapshot could hold duplicates, the first record
wins for gateways and the last for the others (noted per field).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from analyzer.models import (
    EniGroup,
    Finding,
    FunctionEgress,
    InternetGateway,
    NatGateway,
    RouteTable,
    Snapshot,
    Subnet,
    TargetEni,
    Topology,
)
from analyzer.plan.network import igw_tables
from analyzer.routing import Router
from analyzer.topology import router_for

GroupKey = tuple[str, str, str, tuple[str, ...]]
Key3 = tuple[str, str, str]  # (account_id, region, id)


@dataclass(frozen=True)
class PlanIndex:
    topology: Topology
    router: Router
    functions: Mapping[str, FunctionEgress]  # topology functions by ARN (last wins)
    groups: Mapping[GroupKey, EniGroup]  # topology ENI groups by key (last wins)
    gateways: Mapping[Key3, NatGateway]  # by (account, region, NAT id) (first wins)
    eip_ips: Mapping[Key3, str]  # public IP by (account, region, allocation id) (last wins)
    rule_ids: Mapping[Key3, frozenset[str]]  # unsuppressed rules by (account, region, resource)
    targets: Mapping[Key3, tuple[TargetEni, ...]]  # by (account, region, plan id), in design order
    igw_tables: Mapping[Key3, RouteTable]  # by (account, region, VPC)
    igws: Mapping[Key3, InternetGateway]  # by (account, region, VPC)

    @classmethod
    def build(cls, snapshot: Snapshot, topology: Topology, findings: Sequence[Finding]) -> PlanIndex:
        gateways: dict[Key3, NatGateway] = {}
        for g in snapshot.nat_gateways:
            gateways.setdefault((g.account_id, g.region, g.nat_gateway_id), g)
        rules: dict[Key3, set[str]] = defaultdict(set)
        for f in findings:
            if not f.suppressed:
                for rid in f.resource_ids:
                    rules[(f.account_id, f.region, rid)].add(f.rule_id)
        targets: dict[Key3, list[TargetEni]] = defaultdict(list)
        for t in topology.targets:
            targets[(t.account_id, t.region, t.plan_id)].append(t)
        router = router_for(snapshot)
        return cls(
            topology=topology,
            router=router,
            functions=_frozen({f.arn: f for f in topology.functions}),
            groups=_frozen({g.key: g for g in topology.eni_groups}),
            gateways=_frozen(gateways),
            eip_ips=_frozen({(e.account_id, e.region, e.allocation_id): e.public_ip for e in snapshot.elastic_ips}),
            rule_ids=_frozen({k: frozenset(v) for k, v in rules.items()}),
            targets=_frozen({k: tuple(v) for k, v in targets.items()}),
            igw_tables=_frozen(igw_tables(router)),
            igws=_frozen({(g.account_id, g.region, vpc): g for g in snapshot.internet_gateways for vpc in g.vpc_ids}),
        )

    def gateway(self, account_id: str, region: str, nat_gateway_id: str) -> NatGateway | None:
        return self.gateways.get((account_id, region, nat_gateway_id))

    def subnet(self, account_id: str, region: str, subnet_id: str) -> Subnet | None:
        return self.router.subnets.get((account_id, region, subnet_id))

    def rules_about(self, account_id: str, region: str, resource_ids: Sequence[str]) -> tuple[str, ...]:
        """Sorted rule ids of the unsuppressed findings in this account and region naming any resource."""
        found: set[str] = set()
        for rid in resource_ids:
            found.update(self.rule_ids.get((account_id, region, rid), ()))
        return tuple(sorted(found))


def _frozen(mapping: dict) -> Mapping:
    return MappingProxyType(mapping)
