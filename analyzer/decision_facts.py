"""What a review board reads beside each verdict, attached to the result once (pure, no I/O).

* each candidate's partner allow-list change (addresses to add, NAT addresses that can leave the list),
  from the one computation the ``allowlist-change`` rule words (``allowlist_delta``);
* each finding's NAT gateway: the candidate it is reported under. A finding that names a candidate NAT
  goes under it; else under the first candidate (biggest saving first) whose functions, ENIs or subnets
  it names, the same resources the verdict judged it by (``analyzer.verdicts.about_nats``); else none.
"""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.models import Finding, Scenario, Topology
from analyzer.rules.allowlist_change import allowlist_delta
from analyzer.rules.base import targets_by_nat
from analyzer.verdicts import about_nats

Key = tuple[str, str, str]  # (account, region, id)


def with_allowlist(scenarios: Sequence[Scenario], topology: Topology) -> tuple[Scenario, ...]:
    nats = {(n.account_id, n.region, n.nat_gateway_id): n for n in topology.nats}
    owned = targets_by_nat(topology, owner=True)
    out = []
    for s in scenarios:
        nat = nats.get((s.account_id, s.region, s.nat_gateway_id))
        if nat is None:
            out.append(s)
            continue
        delta = allowlist_delta(topology, nat, owned)
        out.append(s.model_copy(update={"allowlist_add": delta.new, "allowlist_remove": delta.dropped}))
    return tuple(out)


def _owners(scenarios: Sequence[Scenario], topology: Topology) -> dict[Key, str]:
    """(account, region, resource id) -> the first candidate NAT (in scenario order) a finding on it is about."""
    about = about_nats(topology)
    owner: dict[Key, str] = {}
    for s in scenarios:
        key = (s.account_id, s.region, s.nat_gateway_id)
        for rid in sorted(about.get(key, {s.nat_gateway_id})):
            owner.setdefault((s.account_id, s.region, rid), s.nat_gateway_id)
    return owner


def group_findings(findings: Sequence[Finding], scenarios: Sequence[Scenario],
                   topology: Topology) -> tuple[Finding, ...]:
    """Every finding (suppressed ones too) with ``nat_gateway_id`` set to the candidate it is reported under."""
    candidates = {(s.account_id, s.region, s.nat_gateway_id) for s in scenarios}
    owner = _owners(scenarios, topology)
    out = []
    for f in findings:
        keys = [(f.account_id, f.region, r) for r in f.resource_ids]
        nat = next((k[2] for k in keys if k in candidates), None)
        nat = nat or next((owner[k] for k in keys if k in owner), None)
        out.append(f if nat == f.nat_gateway_id else f.model_copy(update={"nat_gateway_id": nat}))
    return tuple(out)
