"""Month-over-month comparison of two runs (report.json or snapshot files).

A finding is identified by its rule id and primary resource (the first of its
resource ids), so a finding whose message or numbers changed is "still open",
not "resolved + new".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from analyzer.errors import SnapshotError
from analyzer.models import REPORT_SCHEMA_VERSION, AnalysisResult, Finding
from analyzer.snapshot import describe_validation_error, load_json, parse_snapshot


def load_result(path: Path, prices: Path | None = None) -> AnalysisResult:
    """A report.json as it is, or a snapshot analyzed with the given (or bundled) prices."""
    data = load_json(path)
    if "summary" in data and "scenarios" in data:
        if str(data.get("schema_version")) != REPORT_SCHEMA_VERSION:
            raise SnapshotError(f"{path}: report schema_version {data.get('schema_version')!r} is not supported")
        try:
            return AnalysisResult.model_validate(data)
        except ValidationError as exc:
            raise SnapshotError(f"{path}: invalid report.json: {describe_validation_error(exc)}") from None
    from analyzer.pricing import load_price_book
    from analyzer.result import analyze

    snapshot = parse_snapshot(data, source=str(path))
    return analyze(snapshot, load_price_book(prices))


def _finding_key(f: Finding) -> str:
    return f"{f.rule_id} {f.resource_ids[0] if f.resource_ids else f.account_id + '/' + f.region}"


def _money(old: AnalysisResult, new: AnalysisResult) -> dict[str, dict[str, float]]:
    out = {}
    for field in ("current_monthly_usd", "proposed_monthly_usd", "monthly_savings_usd"):
        a, b = getattr(old.summary, field), getattr(new.summary, field)
        out[field] = {"old": float(a), "new": float(b), "change": float(b - a)}
    return out


def diff_results(old: AnalysisResult, new: AnalysisResult) -> dict[str, Any]:
    old_nats = {n.nat_gateway_id for n in old.nat_gateways}
    new_nats = {n.nat_gateway_id for n in new.nat_gateways}
    old_f = {_finding_key(f): f for f in old.findings if not f.suppressed}
    new_f = {_finding_key(f): f for f in new.findings if not f.suppressed}
    old_fn = {f.arn: f.egress for f in old.functions}
    new_fn = {f.arn: f.egress for f in new.functions}
    return {
        "old": {"collected_at": old.collected_at.isoformat(), "tool_version": old.tool_version},
        "new": {"collected_at": new.collected_at.isoformat(), "tool_version": new.tool_version},
        "money": _money(old, new),
        "nat_gateways": {"added": sorted(new_nats - old_nats), "removed": sorted(old_nats - new_nats)},
        "findings": {
            "new": [{"key": k, "severity": new_f[k].severity, "message": new_f[k].message}
                    for k in sorted(new_f.keys() - old_f.keys())],
            "resolved": [{"key": k, "severity": old_f[k].severity} for k in sorted(old_f.keys() - new_f.keys())],
            "still_open": len(new_f.keys() & old_f.keys()),
        },
        "functions": {
            "added": sorted(new_fn.keys() - old_fn.keys()),
            "removed": sorted(old_fn.keys() - new_fn.keys()),
            "egress_changed": [{"arn": a, "old": old_fn[a], "new": new_fn[a]}
                               for a in sorted(old_fn.keys() & new_fn.keys()) if old_fn[a] != new_fn[a]],
        },
    }


def render_diff_text(change: dict[str, Any]) -> str:
    lines = [f"Comparing {change['old']['collected_at']} -> {change['new']['collected_at']}", ""]
    labels = {"current_monthly_usd": "Current", "proposed_monthly_usd": "Proposed",
              "monthly_savings_usd": "Savings"}
    for field, label in labels.items():
        m = change["money"][field]
        lines.append(f"{label + ' $/month:':<20} {m['old']:>12,.2f} -> {m['new']:>12,.2f}  ({m['change']:+,.2f})")
    nats, findings, fns = change["nat_gateways"], change["findings"], change["functions"]
    lines += ["", f"NAT gateways: +{len(nats['added'])} -{len(nats['removed'])}"]
    lines += [f"  + {n}" for n in nats["added"]] + [f"  - {n}" for n in nats["removed"]]
    lines += ["", f"Findings: {len(findings['new'])} new, {len(findings['resolved'])} resolved, "
                  f"{findings['still_open']} still open"]
    lines += [f"  new      [{f['severity']}] {f['key']}" for f in findings["new"]]
    lines += [f"  resolved [{f['severity']}] {f['key']}" for f in findings["resolved"]]
    lines += ["", f"Functions: +{len(fns['added'])} -{len(fns['removed'])}, "
                  f"{len(fns['egress_changed'])} changed egress"]
    lines += [f"  {c['arn']}: {c['old']} -> {c['new']}" for c in fns["egress_changed"]]
    return "\n".join(lines)
