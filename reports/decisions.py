"""The decision table and the top actions: page 1 of the review report, drawn from the verdicts.

One row per candidate NAT gateway, in the result's order (biggest saving first): its verdict, the
findings and settings behind it (``verdict_reasons``), the money, the new Elastic IPs, the partner's
allow-list change, the downtime, and the runbook of its plan. Nothing here decides anything: the verdicts
come from ``analyzer.verdicts``; this only words them.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.models import AnalysisResult, Finding, MigrationPlan, Scenario
from reports.filters import money
from reports.names import Names
from reports.runbooks import runbook_path

TOP_ACTIONS = 3
VERDICTS = {"go": "Go", "go-with-guard": "Go with guard", "blocked": "Blocked", "not-worth-it": "Not worth it"}
GOING = ("go", "go-with-guard")


@dataclass(frozen=True)
class Reason:
    """One verdict reason: a rule's findings (linked by the first one's stable id) or a setting, in words."""

    text: str
    finding: Finding | None = None
    count: int = 1  # findings of this rule behind the verdict


@dataclass(frozen=True)
class Action:
    text: str
    runbook: str | None = None  # linked beside the text


@dataclass(frozen=True)
class Decision:
    scenario: Scenario
    label: str  # the NAT's name, else its id
    functions: int
    verdict: str  # the code (go, go-with-guard, ...)
    verdict_label: str
    reasons: tuple[Reason, ...]
    plan: MigrationPlan | None
    runbook: str | None  # runbooks/<plan>.md when the runbooks are written
    together: tuple[str, ...]  # the other NATs of the same plan (one runbook)


def _setting(reason: str) -> str:
    name, _, value = reason.partition("=")
    if name == "min_savings_usd":
        return f"saves under {money(value)}/month (--min-savings)"
    if name == "window_minutes":
        return f"a window of about {value} minutes without internet egress"
    if reason == "nat-stays-and-saves-nothing":
        return "the NAT stays for other traffic and moving saves nothing"
    return reason


def reasons(scenario: Scenario, by_id: dict[str, Finding]) -> tuple[Reason, ...]:
    """The verdict's reasons in their order, one per rule (with how many of its findings) or setting."""
    out: dict[str, Reason] = {}
    for r in scenario.verdict_reasons:
        finding = by_id.get(r)
        text = finding.rule_id if finding else _setting(r)
        seen = out.get(text)
        out[text] = Reason(text, finding) if seen is None else Reason(text, seen.finding, seen.count + 1)
    return tuple(out.values())


def decisions(result: AnalysisResult, names: Names, runbooks: bool) -> list[Decision]:
    by_id = {f.id: f for f in result.findings}
    plans = {(p.account_id, p.region, p.plan_id): p for p in result.plans}
    functions = {n.nat_gateway_id: len(n.function_arns) for n in result.nat_gateways}
    rows = []
    for s in result.scenarios:
        plan = plans.get((s.account_id, s.region, s.plan_id or ""))
        verdict = s.verdict or "go"
        rows.append(Decision(
            scenario=s, label=names.nat(s.nat_gateway_id), functions=functions.get(s.nat_gateway_id, 0),
            verdict=verdict, verdict_label=VERDICTS.get(verdict, verdict), reasons=reasons(s, by_id), plan=plan,
            runbook=runbook_path(plan.plan_id) if plan is not None and runbooks else None,
            together=tuple(names.nat(n) for n in (plan.nat_gateway_ids if plan else ()) if n != s.nat_gateway_id),
        ))
    return rows


def _each(rows: list[Decision], value) -> str:
    """One number per NAT of a plan, ``3 + 2``: the parts as the result has them, never summed here."""
    return " + ".join(str(value(d.scenario)) for d in rows)


def _go(rows: list[Decision], names: Names) -> Action:
    d, s = rows[0], rows[0].scenario
    who = " and ".join(x.label for x in rows)
    conditions = dict.fromkeys(r.text for x in rows for r in x.reasons)
    carry = "; the guard and the plan carry " + ", ".join(conditions) if conditions else ""
    label = VERDICTS["go-with-guard"] if any(x.verdict == "go-with-guard" for x in rows) else d.verdict_label
    return Action(f"{label}: move the functions behind {who} ({_where(s, names)}) to Elastic IPs on their "
                  f"ENIs: saves {_each(rows, lambda x: money(x.monthly_savings_usd))}/month with "
                  f"{_each(rows, lambda x: x.new_eips)} new EIP(s); the partner adds "
                  f"{_each(rows, lambda x: x.allowlist_add)} address(es){carry}.", d.runbook)


def _where(s: Scenario, names: Names) -> str:
    return f"{names.account(s.account_id)} / {s.region}"


def _unblock(d: Decision, names: Names) -> Action:
    blocker = next((r.finding for r in d.reasons if r.finding is not None), None)
    how = f"{blocker.title}: {blocker.remediation}" if blocker else "; ".join(r.text for r in d.reasons)
    return Action(f"Unblock {d.label} ({_where(d.scenario, names)}), {money(d.scenario.monthly_savings_usd)}/month "
                  f"at stake: {how}")


def top_actions(rows: list[Decision], names: Names) -> list[Action]:
    """The candidates that can go, biggest saving first (one action per plan, its NATs together), then the
    blocked ones worth most."""
    rows = sorted(rows, key=lambda d: -d.scenario.monthly_savings_usd)
    going: dict[str, list[Decision]] = {}  # plan -> its NATs that can go, biggest saving first
    for d in rows:
        if d.verdict in GOING:
            going.setdefault(d.scenario.plan_id or d.scenario.nat_gateway_id, []).append(d)
    actions = [_go(group, names) for group in going.values() if group[0].scenario.monthly_savings_usd > 0]
    for d in rows:
        if d.verdict == "blocked" and d.scenario.monthly_savings_usd > 0:
            actions.append(_unblock(d, names))
    return actions[:TOP_ACTIONS]
