"""The view model: what the review report's templates read, computed once in Python.

Templates only lay out; anything that sorts, groups, counts or words a sentence lives here (and in
``decisions``, ``nat_view``, ``names``) as small pure functions over the ``AnalysisResult``. Numbers are
never recomputed: they come from the result as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analyzer.models import SEVERITIES, Alternative, AnalysisResult
from reports.decisions import decisions, top_actions
from reports.names import Names
from reports.nat_view import nat_sections, other_findings, suppressed_findings
from reports.settings_view import settings_rows

if TYPE_CHECKING:  # matplotlib loads only when charts are drawn
    from reports.charts import Chart

SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary and decisions"),
    ("charts", "Charts"),
    ("nats", "Per NAT gateway: costs and findings"),
    ("other-findings", "Other findings"),
    ("alternatives", "Alternatives"),
    ("billing", "Billed vs modelled"),
    ("functions", "Functions"),
    ("assumptions", "Assumptions and settings"),
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
class AlternativeRow:
    """Alternatives that differ only in their NAT gateways and amounts, shown once with every member."""

    kind: str
    summary: str
    trade_offs: str
    members: tuple[Alternative, ...]


def sections(charts: list[Chart], billing: bool = False, others: bool = True) -> list[Section]:
    """Section ids and titles in report order; Charts only with charts, Billed vs modelled only with a CUR."""
    skip = {"charts"} if not charts else set()
    skip |= {"billing"} if not billing else set()
    skip |= {"other-findings"} if not others else set()
    return [Section(i, t) for i, t in SECTIONS if i not in skip]


def severity_counts(result: AnalysisResult) -> list[tuple[str, int]]:
    return [(s, result.summary.findings_by_severity.get(s, 0)) for s in SEVERITIES]


def coverage_gaps(result: AnalysisResult) -> list[str]:
    """One plain sentence per account/region that failed, listing what failed there."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for err in result.coverage.errors:
        grouped.setdefault((err.account_id, err.region), []).append(f"{err.error_code} on {err.operation}")
    return [f"Not scanned: {acct} / {region} ({'; '.join(why)})" for (acct, region), why in grouped.items()]


def _generic(a: Alternative) -> str:
    text = a.summary
    for nat in a.nat_gateway_ids:
        text = text.replace(f"{nat}'s", "each NAT gateway's").replace(nat, "each NAT gateway")
    return text


def alternative_rows(result: AnalysisResult) -> list[AlternativeRow]:
    """Identical alternatives (same kind, same words but for the NAT ids) collapsed into one row."""
    rows: dict[tuple[str, str, str], list[Alternative]] = {}
    for a in result.alternatives:
        rows.setdefault((a.kind, _generic(a), a.trade_offs), []).append(a)
    return [AlternativeRow(kind, members[0].summary if len(members) == 1 else summary, trade, tuple(members))
            for (kind, summary, trade), members in rows.items()]


def account_rows(result: AnalysisResult) -> list[tuple[str, str | None]]:
    """Scanned accounts with their names (None when unknown)."""
    names = {a.account_id: a.name for a in result.accounts}
    ids = result.coverage.accounts or tuple(names)
    return [(a, names.get(a)) for a in ids]


def build_context(result: AnalysisResult, charts: list[Chart], runbooks: bool = True) -> dict[str, Any]:
    """Everything a template reads, in one flat dict."""
    names = Names.of(result)
    rows = decisions(result, names, runbooks)
    others = other_findings(result, names)
    return {
        "r": result,
        "s": result.summary,
        "names": names,
        "charts": charts,
        "sections": sections(charts, result.billing is not None, bool(others)),
        "severity_counts": severity_counts(result),
        "coverage_gaps": coverage_gaps(result),
        "decisions": rows,
        "actions": top_actions(rows, names),
        "nat_sections": nat_sections(result, rows, names),
        "other_findings": others,
        "suppressed": suppressed_findings(result, names),
        "alternatives": alternative_rows(result),
        "changes": result.changes,
        "accounts": account_rows(result),
        "api_calls": sorted(result.coverage.api_calls.items()),
        "attribution_notes": ATTRIBUTION_NOTES,
        "settings_rows": settings_rows(result.settings),
        "runbooks": runbooks,
        "rows_shown": None,  # every decision row (summary.md shows fewer)
    }
