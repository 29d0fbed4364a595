"""The view model: the few derived values templates need, computed once in Python.

Templates only lay out; anything that sorts, groups, counts or words a
sentence lives here as a small pure function over the ``AnalysisResult``.
Numbers are never recomputed: they come from the result as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analyzer.models import (
    SEVERITIES,
    SEVERITY_RANK,
    AnalysisResult,
    CostComponent,
    Finding,
    MigrationPlan,
    NatReport,
    Scenario,
)
from reports.filters import money

if TYPE_CHECKING:  # matplotlib loads only when charts are drawn
    from reports.charts import Chart

TOP_ACTIONS = 3

SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Executive summary"),
    ("charts", "Charts"),
    ("scenarios", "Per-NAT scenarios"),
    ("plans", "Migration plans"),
    ("alternatives", "Alternatives"),
    ("findings", "Findings"),
    ("functions", "Functions"),
    ("eni-groups", "ENI groups"),
    ("nat-gateways", "NAT gateways"),
    ("billing", "Billed vs modelled"),
    ("assumptions", "Assumptions"),
    ("coverage", "Coverage"),
)

ATTRIBUTION_NOTES: dict[str, str] = {
    "sole-consumer": "Every ENI routed to the NAT gateway is a Lambda ENI, so all its bytes are Lambda's.",
    "flow-logs": "VPC Flow Logs on the NAT gateway's ENI attribute bytes to each source ENI (medium confidence "
    "when over 10% of them come from addresses no scanned ENI has).",
    "eni-share": "No flow logs: the Lambda share is the Lambda fraction of the consumer ENIs "
    "(low confidence).",
    "no-lambda": "No Lambda function routes to the NAT gateway; no bytes are attributed to Lambda.",
}


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True)
class ScenarioView:
    scenario: Scenario
    nat: NatReport | None
    components: tuple[CostComponent, ...]  # current first, then proposed
    function_count: int


@dataclass(frozen=True)
class Risk:
    rule_id: str
    severity: str | None  # worst active severity seen for this rule in the plan's region
    title: str | None


@dataclass(frozen=True)
class PlanView:
    plan: MigrationPlan
    nat_name: str | None
    function_names: tuple[str, ...]
    risks: tuple[Risk, ...]


def sections(charts: list[Chart], billing: bool = False) -> list[Section]:
    """Section ids and titles in report order; Charts only with charts, Billed vs modelled only with a CUR."""
    return [Section(i, t) for i, t in SECTIONS if (i != "charts" or charts) and (i != "billing" or billing)]


def severity_counts(result: AnalysisResult) -> list[tuple[str, int]]:
    return [(s, result.summary.findings_by_severity.get(s, 0)) for s in SEVERITIES]


def coverage_gaps(result: AnalysisResult) -> list[str]:
    """One plain sentence per account/region that failed, listing what failed there."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for err in result.coverage.errors:
        grouped.setdefault((err.account_id, err.region), []).append(f"{err.error_code} on {err.operation}")
    return [f"Not scanned: {acct} / {region} ({'; '.join(why)})" for (acct, region), why in grouped.items()]


def _finding_key(f: Finding) -> tuple[Any, ...]:
    return (-SEVERITY_RANK.get(f.severity, 0), f.rule_id, f.account_id, f.region, f.resource_ids)


def active_findings(result: AnalysisResult) -> list[Finding]:
    """Unsuppressed findings, worst first."""
    return sorted((f for f in result.findings if not f.suppressed), key=_finding_key)


def suppressed_findings(result: AnalysisResult) -> list[Finding]:
    return sorted((f for f in result.findings if f.suppressed), key=_finding_key)


def _nat_index(result: AnalysisResult) -> dict[str, NatReport]:
    return {n.nat_gateway_id: n for n in result.nat_gateways}


def _nat_label(nat_id: str, nat: NatReport | None) -> str:
    return f"{nat_id} ({nat.name})" if nat and nat.name else nat_id


def top_actions(result: AnalysisResult) -> list[str]:
    """The biggest-saving candidates first, then the worst open risks, at most three."""
    nats = _nat_index(result)
    actions: list[str] = []
    for s in sorted(result.scenarios, key=lambda s: s.monthly_savings_usd, reverse=True):
        if s.monthly_savings_usd <= 0 or len(actions) == TOP_ACTIONS:
            break
        nat = nats.get(s.nat_gateway_id)
        count = len(nat.function_arns) if nat else 0
        fate = "the NAT gateway can be removed" if s.nat_removable else "the NAT gateway stays for other traffic"
        actions.append(
            f"Move the {count} Lambda function(s) behind {_nat_label(s.nat_gateway_id, nat)} "
            f"({s.account_id} / {s.region}) to Elastic IPs on their ENIs: saves "
            f"{money(s.monthly_savings_usd)}/month with {s.eips_needed} EIP(s); {fate}."
        )
    for f in active_findings(result):
        if len(actions) == TOP_ACTIONS or SEVERITY_RANK[f.severity] < SEVERITY_RANK["high"]:
            break
        actions.append(f"Address {f.severity} risk {f.rule_id} ({f.title}): {f.remediation}")
    return actions


def scenario_views(result: AnalysisResult) -> list[ScenarioView]:
    """Scenarios with their NAT, biggest saving first, components current-then-proposed."""
    nats = _nat_index(result)
    order = {"current": 0, "proposed": 1}
    views = []
    for s in sorted(result.scenarios, key=lambda s: (-s.monthly_savings_usd, s.nat_gateway_id)):
        nat = nats.get(s.nat_gateway_id)
        comps = tuple(sorted(s.components, key=lambda c: order[c.design]))
        views.append(ScenarioView(s, nat, comps, len(nat.function_arns) if nat else 0))
    return views


# Plans shown in full in HTML and Markdown; report.json always has all of them.
# Past this a human report is a book nobody reads, and rendering stays linear.
MAX_PLANS_SHOWN = 25


def _worst_by_rule(result: AnalysisResult) -> dict[tuple[str, str, str], Finding]:
    """(rule id, account, region) -> the worst active finding, built once (active_findings is worst-first)."""
    worst: dict[tuple[str, str, str], Finding] = {}
    for f in active_findings(result):
        worst.setdefault((f.rule_id, f.account_id, f.region), f)
    return worst


def plan_views(result: AnalysisResult, fname: Callable[[str], str]) -> list[PlanView]:
    """The biggest-saving plans (result.plans is in scenario order), each with the risks next to it."""
    nats = _nat_index(result)
    worst = _worst_by_rule(result)
    views = []
    for p in result.plans[:MAX_PLANS_SHOWN]:
        nat = nats.get(p.nat_gateway_id)
        names = tuple(fname(a) for a in p.function_arns)
        risks = []
        for rule_id in p.finding_rule_ids:
            hit = worst.get((rule_id, p.account_id, p.region))
            risks.append(Risk(rule_id, hit.severity if hit else None, hit.title if hit else None))
        views.append(PlanView(p, nat.name if nat else None, names, tuple(risks)))
    return views


def function_namer(result: AnalysisResult) -> Callable[[str], str]:
    """ARN -> function name, falling back to the ARN for functions not in the result."""
    names = {f.arn: f.name for f in result.functions}
    return lambda arn: names.get(arn, arn)


def account_rows(result: AnalysisResult) -> list[tuple[str, str | None]]:
    """Scanned accounts with their names (None when unknown)."""
    names = {a.account_id: a.name for a in result.accounts}
    ids = result.coverage.accounts or tuple(names)
    return [(a, names.get(a)) for a in ids]


def gb_bytes(bytes_per_gb: int) -> str:
    """The GB definition in words: ``2^30 (1,073,741,824)`` rather than a bare number."""
    power = bytes_per_gb.bit_length() - 1
    exact = bytes_per_gb > 0 and bytes_per_gb == 2**power
    return f"2^{power} ({bytes_per_gb:,})" if exact else f"{bytes_per_gb:,}"


def settings_rows(result: AnalysisResult) -> list[tuple[str, str]]:
    """Every setting the model used, as (name, value) text, so no assumption is hidden."""
    rows = []
    for name, value in result.settings.model_dump().items():
        text = gb_bytes(value) if name == "bytes_per_gb" else str(value)
        rows.append((name.replace("_", " "), text))
    return rows


def build_context(result: AnalysisResult, charts: list[Chart]) -> dict[str, Any]:
    """Everything a template reads, in one flat dict."""
    fname = function_namer(result)
    return {
        "r": result,
        "s": result.summary,
        "charts": charts,
        "sections": sections(charts, result.billing is not None),
        "severity_counts": severity_counts(result),
        "coverage_gaps": coverage_gaps(result),
        "actions": top_actions(result),
        "scenarios": scenario_views(result),
        "plans": plan_views(result, fname),
        "plans_not_shown": max(0, len(result.plans) - MAX_PLANS_SHOWN),
        "findings": active_findings(result),
        "suppressed": suppressed_findings(result),
        "fnames": lambda arns: [fname(a) for a in arns],
        "accounts": account_rows(result),
        "api_calls": sorted(result.coverage.api_calls.items()),
        "attribution_notes": ATTRIBUTION_NOTES,
        "sev_rank": SEVERITY_RANK,
        "settings_rows": settings_rows(result),
        "gb_bytes": gb_bytes(result.settings.bytes_per_gb),
    }
