"""Runbooks: one per migration plan, ``runbooks/<plan id>.md`` for people and ``.sh`` for the shell.

A plan covers one or more NAT gateways whose functions move together (``plans[].plan_id`` is their ids
joined by ``+``, so a single NAT's runbook is ``runbooks/<nat id>.md``). The runbook lays out the plan's
steps as they are, in their order, with each step's commands and rollback; around them it adds what the
report knows: the verdict of each of its NATs, the findings about them, the targets the guard enforces.

The ``.sh`` never runs anything by accident: every step and every rollback is a shell function, nothing
but definitions is at the top level, so executing the file without arguments, or sourcing it (whole or
cut short), runs no command. ``bash runbooks/X.sh step_03_allocate`` runs exactly one stage, with
``set -euo pipefail``, from the report folder (where report.json is, as the guard step expects).
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from dataclasses import dataclass

from analyzer.models import AnalysisResult, Finding, MigrationPlan, PlanStep, PlanTarget, Scenario
from analyzer.plan.commands import safe_file_name
from reports.jinja import render
from reports.names import Names

FOLDER = "runbooks"
MAX_NAME = 120  # file names stay well under the 255 bytes file systems allow
DETAIL_WIDTH = 100


def runbook_stem(plan_id: str) -> str:
    """The runbook's file name without extension: the plan id, made safe (and bounded) as a file name."""
    safe = safe_file_name(plan_id)
    if len(safe) <= MAX_NAME:
        return safe
    return f"{safe[:MAX_NAME - 13]}-{hashlib.sha256(plan_id.encode()).hexdigest()[:12]}"


def runbook_path(plan_id: str, ext: str = "md") -> str:
    """``runbooks/<plan id>.md``, relative to the report folder (the review report links it)."""
    return f"{FOLDER}/{runbook_stem(plan_id)}.{ext}"


@dataclass(frozen=True)
class Stage:
    number: int
    step: PlanStep
    function: str  # step_03_allocate
    rollback: str  # rollback_03_allocate
    detail_lines: tuple[str, ...]  # the detail wrapped for shell comments
    runs: bool  # the step has a command that is not a comment
    undoes: bool  # its rollback has one


@dataclass(frozen=True)
class NatLine:
    nat_gateway_id: str
    label: str
    verdict: str
    reasons: tuple[str, ...]
    savings_usd: object


@dataclass(frozen=True)
class TargetLine:
    target: PlanTarget
    functions: tuple[str, ...]


@dataclass(frozen=True)
class Runbook:
    plan: MigrationPlan
    title: str
    stem: str
    nats: tuple[NatLine, ...]
    functions: tuple[str, ...]
    targets: tuple[TargetLine, ...]
    findings: tuple[Finding, ...]
    stages: tuple[Stage, ...]


def _function_name(kind: str, number: int, stage: str) -> str:
    return f"{kind}_{number:02d}_{re.sub(r'[^a-z0-9]+', '_', stage.lower()).strip('_') or 'step'}"


def _runs(lines: tuple[str, ...]) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in lines)


def stages(plan: MigrationPlan) -> tuple[Stage, ...]:
    out = []
    for i, step in enumerate(plan.steps, start=1):
        wrapped = textwrap.wrap(step.detail, DETAIL_WIDTH, break_on_hyphens=False, break_long_words=False)
        out.append(Stage(i, step, _function_name("step", i, step.stage), _function_name("rollback", i, step.stage),
                         tuple(wrapped) or ("",), _runs(step.commands), _runs(step.rollback)))
    return tuple(out)


@dataclass(frozen=True)
class Index:
    """The result's findings and scenarios by key, built once for every runbook of a run."""

    findings: dict[str, Finding]
    scenarios: dict[tuple[str, str, str], Scenario]

    @classmethod
    def of(cls, result: AnalysisResult) -> Index:
        return cls({f.id: f for f in result.findings},
                   {(s.account_id, s.region, s.nat_gateway_id): s for s in result.scenarios})

    def scenarios_of(self, plan: MigrationPlan) -> list[Scenario]:
        keys = ((plan.account_id, plan.region, n) for n in plan.nat_gateway_ids or (plan.nat_gateway_id,))
        return [self.scenarios[k] for k in keys if k in self.scenarios]


def _nat_lines(index: Index, plan: MigrationPlan, names: Names) -> tuple[NatLine, ...]:
    from reports.decisions import VERDICTS, reasons

    out = []
    for s in index.scenarios_of(plan):
        verdict = VERDICTS.get(s.verdict or "go", s.verdict or "go")
        why = tuple(r.finding.title if r.finding else r.text for r in reasons(s, index.findings))
        out.append(NatLine(s.nat_gateway_id, names.nat_label(s.nat_gateway_id), verdict, why, s.monthly_savings_usd))
    return tuple(out)


def _findings(index: Index, plan: MigrationPlan) -> tuple[Finding, ...]:
    """Every unsuppressed finding the verdicts of the plan's NATs judged, each once, in their order."""
    ids = [i for s in index.scenarios_of(plan) for i in s.finding_ids]
    return tuple(index.findings[i] for i in dict.fromkeys(ids) if i in index.findings)


def runbook(index: Index, plan: MigrationPlan, names: Names) -> Runbook:
    labels = [names.nat_label(n) for n in plan.nat_gateway_ids or (plan.nat_gateway_id,)]
    return Runbook(
        plan=plan, title=" + ".join(labels), stem=runbook_stem(plan.plan_id or plan.nat_gateway_id),
        nats=_nat_lines(index, plan, names), functions=tuple(names.function(a) for a in plan.function_arns),
        targets=tuple(TargetLine(t, tuple(names.function(a) for a in t.function_arns)) for t in plan.targets),
        findings=_findings(index, plan), stages=stages(plan),
    )


def render_runbooks(result: AnalysisResult) -> dict[str, str]:
    """``runbooks/<plan>.md`` and ``.sh`` for every plan, in plan order."""
    names, index = Names.of(result), Index.of(result)
    files: dict[str, str] = {}
    for plan in result.plans:
        book = runbook(index, plan, names)
        context = {"r": result, "book": book, "names": names}
        files[f"{FOLDER}/{book.stem}.md"] = render("runbook.md.j2", context)
        files[f"{FOLDER}/{book.stem}.sh"] = render("runbook.sh.j2", context)
    return files
