"""One decision per candidate NAT gateway: go, go with guard, blocked, or not worth it.

A review board reads the verdict first, so it must be the conservative
reading of the same findings, plan and settings the report shows:

* **blocked**: something stops the plan as laid out: the Elastic IP quota
  (``eip-quota``), Lambda ENIs that report ``RequesterManaged: true``
  (``unsupported-pattern`` high), a NAT already out of source ports
  (``nat-port-capacity`` high), any critical finding, or a NAT that stays for
  other consumers while moving saves nothing;
* **not worth it**: saves less than ``Settings.min_savings_usd`` a month;
* **go with guard**: a risk the guard and the plan must actively carry (ENI
  scale-out or reclamation, a shared ENI, port capacity, cross-AZ traffic,
  IPv6 bypassing the allow-list, a NAT that stays) or a maintenance window;
* **go**: only what every candidate carries (the partner allow-list change the
  plan schedules, the undocumented pattern, the guard the plan installs).

The reasons are the stable ids of the findings behind the verdict and the
settings it was judged against, so a reader (or a script) can trace it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from analyzer.models import SEVERITY_RANK, Finding, MigrationPlan, Scenario, Settings, Topology

BLOCKING = {"eip-quota": "high", "unsupported-pattern": "high", "nat-port-capacity": "high"}
CONDITIONING = frozenset({
    "connection-limit", "idle-reclamation", "shared-eni", "nat-port-capacity", "cross-az-nat", "ipv6-egress",
    "nat-shared",
})  # fmt: skip
ORDER = ("blocked", "not-worth-it", "go-with-guard", "go")


def about_nats(topology: Topology) -> dict[tuple[str, str, str], set[str]]:
    """(account, region, NAT id) -> the resource ids a finding may name to be about that NAT's migration."""
    groups = {g.key: g for g in topology.eni_groups}
    out: dict[tuple[str, str, str], set[str]] = {}
    for nat in topology.nats:
        ids = {nat.nat_gateway_id, *nat.function_arns, *nat.lambda_eni_ids, *(k[2] for k in nat.eni_group_keys)}
        ids.update(e for k in nat.eni_group_keys if k in groups for e in groups[k].eni_ids)
        out[(nat.account_id, nat.region, nat.nat_gateway_id)] = ids
    return out


def _findings_by_resource(findings: Sequence[Finding]) -> dict[tuple[str, str, str], list[Finding]]:
    index: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if not f.suppressed:
            for rid in f.resource_ids:
                index[(f.account_id, f.region, rid)].append(f)
    return index


def verdict(scenario: Scenario, findings: Sequence[Finding], plan: MigrationPlan | None,
            settings: Settings) -> tuple[str, tuple[str, ...]]:
    """(verdict, reasons) for one scenario from the unsuppressed findings about it."""
    blocking = [f for f in findings if f.severity == "critical"
                or (f.rule_id in BLOCKING and SEVERITY_RANK[f.severity] >= SEVERITY_RANK[BLOCKING[f.rule_id]])]
    if not scenario.nat_removable and scenario.monthly_savings_usd <= 0:
        stays = [f.id for f in findings if f.rule_id == "nat-shared"]
        return "blocked", (*(f.id for f in blocking), *stays, "nat-stays-and-saves-nothing")
    if blocking:
        return "blocked", tuple(f.id for f in blocking)
    if scenario.monthly_savings_usd < settings.min_savings_usd:
        return "not-worth-it", (f"min_savings_usd={settings.min_savings_usd}",)
    conditions = [f.id for f in findings if f.rule_id in CONDITIONING and f.severity != "info"]
    if plan is not None and plan.window_minutes:
        conditions.append(f"window_minutes={plan.window_minutes}")
    if conditions:
        return "go-with-guard", tuple(conditions)
    return "go", ()


def apply_verdicts(scenarios: Sequence[Scenario], findings: Sequence[Finding], plans: Sequence[MigrationPlan],
                   topology: Topology, settings: Settings) -> tuple[Scenario, ...]:
    """Every scenario with its verdict, its reasons and the ids of every unsuppressed finding judged (worst first)."""
    about = about_nats(topology)
    index = _findings_by_resource(findings)
    plan_of = {(p.account_id, p.region, p.plan_id): p for p in plans}
    out = []
    for s in scenarios:
        key = (s.account_id, s.region, s.nat_gateway_id)
        seen: dict[str, Finding] = {}
        for rid in sorted(about.get(key, {s.nat_gateway_id})):
            for f in index.get((s.account_id, s.region, rid), []):
                seen.setdefault(f.id, f)
        mine = sorted(seen.values(), key=lambda f: (-SEVERITY_RANK[f.severity], f.rule_id, f.id))
        value, reasons = verdict(s, mine, plan_of.get((s.account_id, s.region, s.plan_id or "")), settings)
        out.append(s.model_copy(update={"verdict": value, "verdict_reasons": reasons,
                                        "finding_ids": tuple(f.id for f in mine)}))
    return tuple(out)
