"""The data files for spreadsheets and pandas: decisions.csv, findings.csv, costs.csv.

Every row carries ``collected_at``, the account's and the NAT gateway's names beside their ids, and
(findings) the stable finding id, so months line up in a spreadsheet. Text cells, ids included, are
quoted and numbers are not (``QUOTE_NONNUMERIC``): an account id ``012345678901`` stays text for a reader
that honours quotes, and the README's pandas line keeps it a string with ``dtype=``. Resource ids are one
column per concept (``;`` between several), evidence one column per common field. Every cell goes through
``csv_cell`` (no spreadsheet formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from analyzer.models import AnalysisResult, Finding
from reports.filters import compact_json, csv_cell
from reports.names import Names
from reports.runbooks import runbook_path

SEP = ";"  # between several ids in one cell
DECISIONS_COLUMNS = (
    "collected_at", "account_id", "account_name", "region", "vpc_id", "nat_gateway_id", "nat_name", "verdict",
    "verdict_reasons", "current_monthly_usd", "lambda_attributable_monthly_usd", "proposed_monthly_usd",
    "monthly_savings_usd", "eips_needed", "new_eips", "allowlist_add", "allowlist_remove", "nat_removable",
    "window_minutes", "plan_id", "runbook",
)  # fmt: skip
EVIDENCE_FIELDS = (
    "eips_needed", "new_addresses", "nat_removable", "peak_active_connections", "lambda_share", "state",
    "idle_days", "last_active", "error_port_allocation", "function_count", "quota", "ratio", "monthly_gb",
)  # fmt: skip
RESOURCE_COLUMNS = ("nat_gateway_ids", "vpc_ids", "subnet_ids", "eni_ids", "function_arns", "other_resource_ids")
FINDINGS_COLUMNS = (
    "finding_id", "collected_at", "account_id", "account_name", "region", "nat_gateway_id", "nat_name", "rule_id",
    "severity", "title", "message", *RESOURCE_COLUMNS, "function_names", *(f"evidence_{k}" for k in EVIDENCE_FIELDS),
    "evidence", "remediation", "references", "suppressed", "suppression_reason",
)  # fmt: skip
COSTS_COLUMNS = (
    "collected_at", "account_id", "account_name", "region", "nat_gateway_id", "nat_name", "verdict", "plan_id",
    "design", "component", "price_key", "quantity", "unit", "unit_price_usd", "monthly_usd", "counted", "note",
)  # fmt: skip
PREFIXES = {"nat-": "nat_gateway_ids", "vpc-": "vpc_ids", "subnet-": "subnet_ids", "eni-": "eni_ids",
            "arn:aws:lambda:": "function_arns"}


def _number(value: Decimal) -> int | float:
    """A Decimal as a plain number cell (``10.95``, ``730``): never ``1E+1``, never quoted."""
    return int(value) if value == value.to_integral_value() else float(value)


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _number(value)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = SEP.join(str(v) for v in value)
    return csv_cell(value) if isinstance(value, str) else value


def write_csv(rows: Iterable[Mapping[str, Any]], columns: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def render_decisions_csv(result: AnalysisResult) -> str:
    names, when = Names.of(result), result.collected_at.isoformat()
    plans = {(p.account_id, p.region, p.plan_id): p for p in result.plans}
    rows = []
    for s in result.scenarios:
        plan = plans.get((s.account_id, s.region, s.plan_id or ""))
        rows.append({
            **s.model_dump(include=set(DECISIONS_COLUMNS)), "collected_at": when,
            "account_name": names.accounts.get(s.account_id), "nat_name": names.nats.get(s.nat_gateway_id),
            "verdict_reasons": list(s.verdict_reasons), "allowlist_remove": list(s.allowlist_remove),
            "window_minutes": plan.window_minutes if plan else None,
            "runbook": runbook_path(plan.plan_id) if plan else None,
        })
    return write_csv(rows, DECISIONS_COLUMNS)


def _resources(finding: Finding, names: Names) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {c: [] for c in RESOURCE_COLUMNS}
    for rid in finding.resource_ids:
        column = next((c for p, c in PREFIXES.items() if rid.startswith(p)), "other_resource_ids")
        out[column].append(rid)
    return {**out, "function_names": [names.function(a) for a in out["function_arns"]]}


def render_findings_csv(result: AnalysisResult) -> str:
    """findings.csv: one row per finding, suppressed ones included and flagged."""
    names, when = Names.of(result), result.collected_at.isoformat()
    rows = []
    for f in result.findings:
        rows.append({
            **f.model_dump(include={"rule_id", "severity", "title", "account_id", "region", "message",
                                    "remediation", "suppressed", "suppression_reason", "nat_gateway_id"}),
            "finding_id": f.id, "collected_at": when, "account_name": names.accounts.get(f.account_id),
            "nat_name": names.nats.get(f.nat_gateway_id or ""), **_resources(f, names),
            **{f"evidence_{k}": f.evidence.get(k) for k in EVIDENCE_FIELDS},
            "evidence": compact_json(f.evidence), "references": list(f.references),
        })
    return write_csv(rows, FINDINGS_COLUMNS)


def render_costs_csv(result: AnalysisResult) -> str:
    """costs.csv: one row per cost line, so every total can be rebuilt in a spreadsheet."""
    names, when = Names.of(result), result.collected_at.isoformat()
    rows = [
        {**c.model_dump(), "component": c.name, "collected_at": when, "account_id": s.account_id,
         "account_name": names.accounts.get(s.account_id), "region": s.region, "nat_gateway_id": s.nat_gateway_id,
         "nat_name": names.nats.get(s.nat_gateway_id), "verdict": s.verdict, "plan_id": s.plan_id}
        for s in result.scenarios
        for c in s.components
    ]
    return write_csv(rows, COSTS_COLUMNS)


def render_csvs(result: AnalysisResult) -> dict[str, str]:
    return {"decisions.csv": render_decisions_csv(result), "findings.csv": render_findings_csv(result),
            "costs.csv": render_costs_csv(result)}
