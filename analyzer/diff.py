"""Month-over-month comparison of two runs (report.json or snapshot files).

A finding is identified by its rule id, account, region and resource ids, so
one whose message or numbers changed is "still open", not "resolved + new".
Both sides are read in report.json shape: the contract, not today's model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analyzer.errors import SnapshotError
from analyzer.models import READABLE_REPORT_SCHEMAS
from analyzer.snapshot import load_json, parse_snapshot


def load_result(path: Path, prices: Path | None = None) -> dict[str, Any]:
    """A run in report.json shape: a report.json as it is, or a snapshot analyzed now.

    Reports are read as plain JSON, not validated against today's model, so a
    report written by a newer version (with added fields) still diffs.
    """
    data = load_json(path)
    if "summary" in data and "scenarios" in data:
        if str(data.get("schema_version")) not in READABLE_REPORT_SCHEMAS:
            raise SnapshotError(f"{path}: report schema_version {data.get('schema_version')!r} is not supported")
        return data
    from analyzer.pricing import load_price_book
    from analyzer.result import analyze

    snapshot = parse_snapshot(data, source=str(path))
    return analyze(snapshot, load_price_book(prices)).model_dump(mode="json")


def _field(data: dict[str, Any], *keys: str) -> Any:
    value: Any = data
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise SnapshotError(f"report.json lacks {'.'.join(keys)}")
        value = value[key]
    return value


def _finding_key(f: dict[str, Any]) -> str:
    """Rule, place and every resource: two groups in one subnet are two findings."""
    return " ".join([f["rule_id"], f"{f['account_id']}/{f['region']}", *f.get("resource_ids", [])])


def _money(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, float]]:
    out = {}
    for field in ("current_monthly_usd", "proposed_monthly_usd", "monthly_savings_usd"):
        a, b = float(_field(old, "summary", field)), float(_field(new, "summary", field))
        out[field] = {"old": a, "new": b, "change": round(b - a, 2)}
    return out


def diff_results(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Both arguments in report.json shape (``AnalysisResult.model_dump(mode="json")``)."""
    old_nats = {n["nat_gateway_id"] for n in _field(old, "nat_gateways")}
    new_nats = {n["nat_gateway_id"] for n in _field(new, "nat_gateways")}
    old_f = {_finding_key(f): f for f in _field(old, "findings") if not f.get("suppressed")}
    new_f = {_finding_key(f): f for f in _field(new, "findings") if not f.get("suppressed")}
    old_fn = {f["arn"]: f["egress"] for f in _field(old, "functions")}
    new_fn = {f["arn"]: f["egress"] for f in _field(new, "functions")}
    return {
        "old": {"collected_at": old.get("collected_at"), "tool_version": old.get("tool_version")},
        "new": {"collected_at": new.get("collected_at"), "tool_version": new.get("tool_version")},
        "money": _money(old, new),
        "nat_gateways": {"added": sorted(new_nats - old_nats), "removed": sorted(old_nats - new_nats)},
        "findings": {
            "new": [{"key": k, "severity": new_f[k]["severity"], "message": new_f[k]["message"]}
                    for k in sorted(new_f.keys() - old_f.keys())],
            "resolved": [{"key": k, "severity": old_f[k]["severity"]} for k in sorted(old_f.keys() - new_f.keys())],
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
