"""Per candidate NAT gateway: its cost lines and the findings about it, in plain words.

Findings are grouped under the NAT the analysis reports them under (``findings[].nat_gateway_id``);
the few about no candidate stand apart. A finding's evidence becomes a short line of key facts
(``eips needed 4 · quota 5``): numbers with separators, ARNs as function names, long lists cut to a
few items, never JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from analyzer.models import SEVERITY_RANK, AnalysisResult, CostComponent, Finding, NatReport
from reports.decisions import Decision
from reports.filters import pct
from reports.names import Names

FACT_ITEMS = 4  # list items shown per fact before "and N more"
SKIP_FACTS = frozenset({"nat_gateway_id"})  # the section already says which NAT
SHARES = frozenset({"lambda_share", "ratio", "warn_ratio", "high_ratio"})  # 0.86 reads as 86%
WORDS = {"eni": "ENI", "enis": "ENIs", "eip": "EIP", "eips": "EIPs", "nat": "NAT", "ip": "IP", "ips": "IPs",
         "az": "AZ", "gb": "GB", "ipv6": "IPv6", "id": "", "ids": "", "arn": "", "arns": ""}


@dataclass(frozen=True)
class Fact:
    label: str
    text: str


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    facts: tuple[Fact, ...]  # the evidence in words (numbers, flags, single ids)
    nat_label: str | None  # for findings shown outside their NAT's section
    fix_shown_before: bool = False  # the same remediation was printed for an earlier finding of the rule

    @property
    def anchor(self) -> str:
        return f"finding-{self.finding.id}"


@dataclass(frozen=True)
class NatSection:
    decision: Decision
    nat: NatReport | None
    functions: tuple[str, ...]
    current: tuple[CostComponent, ...]
    proposed: tuple[CostComponent, ...]
    findings: tuple[FindingView, ...]

    @property
    def anchor(self) -> str:
        return f"nat-{self.decision.scenario.nat_gateway_id}"


def _number(value: float | int | Decimal) -> str:
    if isinstance(value, int) or (isinstance(value, float | Decimal) and value == int(value) and abs(value) < 1e15):
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def fact_text(value: Any, names: Names) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, str):
        return names.short(value)
    if isinstance(value, list | tuple):
        return names.shorts([fact_text(v, names) for v in value], FACT_ITEMS)
    if isinstance(value, dict):
        return "; ".join(f"{names.short(str(k))}: {fact_text(v, names)}" for k, v in value.items())
    return str(value)


def fact_label(key: str) -> str:
    """``lambda_eni_ids`` -> ``lambda ENIs``: the evidence key in words (ids and ARNs show as names)."""
    parts = key.split("_")
    if len(parts) > 1 and parts[-1] in ("ids", "arns") and not parts[-2].endswith("s"):
        parts[-2] += "s"  # eni_ids -> ENIs, function_arns -> functions
    words = [WORDS.get(w, w) for w in parts]
    return " ".join(w for w in words if w) or key


_ID_LIKE = re.compile(r"arn:|[a-z]+-[0-9a-f]{4,}|\d{1,3}(\.\d{1,3}){3}")


def _id_list(value: Any) -> bool:
    """A list of ids, ARNs or addresses: the message and the resource columns already name them."""
    return isinstance(value, list | tuple) and any(isinstance(v, str) and _ID_LIKE.match(v) for v in value)


def facts(finding: Finding, names: Names) -> tuple[Fact, ...]:
    """The evidence as ``label: value`` facts: numbers, flags, words and single ids; not id lists or maps.

    Which facts show depends only on the kind of value, never on its text, so a name cannot change the
    report's shape.
    """
    out = []
    for key, value in finding.evidence.items():
        if key in SKIP_FACTS or value in (None, "", [], {}) or isinstance(value, dict) or _id_list(value):
            continue
        shown = pct(value) if key in SHARES and isinstance(value, int | float) else fact_text(value, names)
        out.append(Fact(fact_label(key), shown))
    return tuple(out)


def _order(f: Finding) -> tuple:
    return (-SEVERITY_RANK.get(f.severity, 0), f.rule_id, f.id)


def finding_views(findings: list[Finding], names: Names, shown: set[tuple[str, str]] | None = None,
                  ) -> tuple[FindingView, ...]:
    """Worst first. ``shown`` collects (rule, remediation) pairs across calls: a fix is printed once."""
    shown = set() if shown is None else shown
    out = []
    for f in sorted(findings, key=_order):
        fix = (f.rule_id, f.remediation)
        out.append(FindingView(f, facts(f, names), names.nat_label(f.nat_gateway_id) if f.nat_gateway_id else None,
                               fix in shown))
        shown.add(fix)
    return tuple(out)


def nat_sections(result: AnalysisResult, rows: list[Decision], names: Names) -> list[NatSection]:
    nats = {(n.account_id, n.region, n.nat_gateway_id): n for n in result.nat_gateways}
    grouped: dict[tuple[str, str, str], list[Finding]] = {}
    for f in result.findings:
        if not f.suppressed and f.nat_gateway_id:
            grouped.setdefault((f.account_id, f.region, f.nat_gateway_id), []).append(f)
    out, shown = [], set()
    for d in rows:
        s = d.scenario
        key = (s.account_id, s.region, s.nat_gateway_id)
        nat = nats.get(key)
        out.append(NatSection(
            decision=d, nat=nat, functions=tuple(names.function(a) for a in (nat.function_arns if nat else ())),
            current=tuple(c for c in s.components if c.design == "current"),
            proposed=tuple(c for c in s.components if c.design == "proposed"),
            findings=finding_views(grouped.get(key, []), names, shown),
        ))
    return out


def other_findings(result: AnalysisResult, names: Names) -> tuple[FindingView, ...]:
    """Unsuppressed findings about no candidate NAT gateway (a function without egress, say)."""
    return finding_views([f for f in result.findings if not f.suppressed and not f.nat_gateway_id], names)


def suppressed_findings(result: AnalysisResult, names: Names) -> tuple[FindingView, ...]:
    return finding_views([f for f in result.findings if f.suppressed], names)
