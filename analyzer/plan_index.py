"""Every lookup the migration plans need, built once per ``build_plans`` call.

A plan is about one NAT gateway, but the records it needs (its functions, ENI
groups, gateway, Elastic IPs, findings, the region's subnets and route tables)
are spread over the whole snapshot and topology. Scanning them per NAT makes
planning quadratic in the size of the estate; indexing them here once makes
each plan cost only what its NAT owns.

The index is read-only: its maps are ``MappingProxyType`` views and it is a
frozen dataclass. Where the snapshot could hold duplicates, each map keeps the
record the per-NAT scans used to pick (noted per field).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from analyzer.models import EniGroup, Finding, FunctionEgress, NatGateway, Snapshot, Topology
from analyzer.plan_network import NetworkIndex, network_indexes

GroupKey = tuple[str, str, str, tuple[str, ...]]
Place = tuple[str, str]  # (account_id, region)

_EMPTY_NETWORK = NetworkIndex((), (), ())


@dataclass(frozen=True)
class PlanIndex:
    topology: Topology
    functions: Mapping[str, FunctionEgress]  # topology functions by ARN (last wins)
    groups: Mapping[GroupKey, EniGroup]  # topology ENI groups by key (last wins)
    ipv6_dual_stack: Mapping[str, bool]  # snapshot functions' flag by ARN (last wins)
    gateways: Mapping[tuple[str, str, str], NatGateway]  # by (account, region, NAT id) (first wins)
    eip_ips: Mapping[tuple[str, str, str], str]  # public IP by (account, region, allocation id) (last wins)
    rule_ids: Mapping[tuple[str, str, str], frozenset[str]]  # unsuppressed rules by (account, region, resource)
    networks: Mapping[Place, NetworkIndex]

    @classmethod
    def build(cls, snapshot: Snapshot, topology: Topology, findings: Sequence[Finding]) -> PlanIndex:
        gateways: dict[tuple[str, str, str], NatGateway] = {}
        for g in snapshot.nat_gateways:
            gateways.setdefault((g.account_id, g.region, g.nat_gateway_id), g)
        rules: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for f in findings:
            if not f.suppressed:
                for rid in f.resource_ids:
                    rules[(f.account_id, f.region, rid)].add(f.rule_id)
        return cls(
            topology=topology,
            functions=_frozen({f.arn: f for f in topology.functions}),
            groups=_frozen({g.key: g for g in topology.eni_groups}),
            ipv6_dual_stack=_frozen({f.arn: f.ipv6_allowed_for_dual_stack for f in snapshot.functions}),
            gateways=_frozen(gateways),
            eip_ips=_frozen({(e.account_id, e.region, e.allocation_id): e.public_ip for e in snapshot.elastic_ips}),
            rule_ids=_frozen({k: frozenset(v) for k, v in rules.items()}),
            networks=_frozen(network_indexes(snapshot)),
        )

    def network(self, account_id: str, region: str) -> NetworkIndex:
        return self.networks.get((account_id, region), _EMPTY_NETWORK)

    def gateway(self, account_id: str, region: str, nat_gateway_id: str) -> NatGateway | None:
        return self.gateways.get((account_id, region, nat_gateway_id))

    def rules_about(self, account_id: str, region: str, resource_ids: Sequence[str]) -> tuple[str, ...]:
        """Sorted rule ids of the unsuppressed findings in this account and region naming any resource."""
        found: set[str] = set()
        for rid in resource_ids:
            found.update(self.rule_ids.get((account_id, region, rid), ()))
        return tuple(sorted(found))


def _frozen(mapping: dict) -> Mapping:
    return MappingProxyType(mapping)
