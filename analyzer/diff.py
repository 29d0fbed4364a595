"""Month-over-month comparison of two runs (report.json or snapshot files).

A finding is identified by its stable id (rule id + a digest of account,
region and resource ids; computed the same way for reports written before
findings carried it), so one whose message or numbers changed is "still
open", not "resolved + new". Both sides are read in report.json shape: the
contract, not today's model. Names (functions, NAT gateways) come along so a
reader sees what changed, not only how many.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analyzer.errors import SnapshotError, UserError
from analyzer.models import READABLE_REPORT_SCHEMAS, AnalysisResult, Changes, finding_id
from analyzer.snapshot import is_report, load_json, parse_snapshot

MONEY_FIELDS = {
    "current_monthly_usd": "Current",
    "lambda_attributable_monthly_usd": "Lambda's share",
    "proposed_monthly_usd": "Proposed",
    "monthly_savings_usd": "Savings",
}


def load_result(path: Path, prices: Path | None = None, settings: Any = None) -> dict[str, Any]:
    """A run in report.json shape: a report.json as it is, or a snapshot analyzed now.

    Reports are read as plain JSON, not validated against today's model, so a
    report written by a newer version (with added fields) still diffs.
    """
    data = load_json(path)
    if is_report(data):
        if str(data.get("schema_version")) not in READABLE_REPORT_SCHEMAS:
            raise SnapshotError(f"{path}: report schema_version {data.get('schema_version')!r} is not supported")
        return data
    from analyzer.pricing import load_price_book
    from analyzer.result import analyze

    snapshot = parse_snapshot(data, source=str(path))
    return analyze(snapshot, load_price_book(prices), settings=settings).model_dump(mode="json")


def load_run(label: str, path: Path, prices: Path | None = None, settings: Any = None) -> dict[str, Any]:
    """``load_result``, with any problem named after the input it came from (``OLD (x.json) is unreadable: ...``)."""
    try:
        return load_result(path, prices, settings)
    except UserError as exc:
        raise type(exc)(f"{label} ({path}) is unreadable: {exc.message}") from None


def with_changes(result: AnalysisResult, previous: dict[str, Any] | None) -> AnalysisResult:
    """The result with ``changes`` (report.json) filled in from an earlier run, or as it is without one."""
    if previous is None:
        return result
    change = diff_results(previous, result.model_dump(mode="json"))
    return result.model_copy(update={"changes": Changes.model_validate(change)})


def _field(data: dict[str, Any], *keys: str) -> Any:
    value: Any = data
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise SnapshotError(f"report.json lacks {'.'.join(keys)}")
        value = value[key]
    return value


def _finding_key(f: dict[str, Any]) -> str:
    """The finding's stable id (older reports: computed from the same fields)."""
    return f.get("id") or finding_id(f["rule_id"], f["account_id"], f["region"], f.get("resource_ids", []))


def _change(old: float, new: float) -> dict[str, float]:
    return {"old": old, "new": new, "change": round(new - old, 2)}


def _money(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, float]]:
    out = {}
    for field in MONEY_FIELDS:
        a, b = old.get("summary", {}).get(field), new.get("summary", {}).get(field)
        if a is None or b is None:
            if field == "lambda_attributable_monthly_usd":
                continue  # older reports did not split it out
            raise SnapshotError(f"report.json lacks summary.{field}")
        out[field] = _change(float(a), float(b))
    return out


def _nat_names(*runs: dict[str, Any]) -> dict[str, str | None]:
    names: dict[str, str | None] = {}
    for run in runs:
        names.update({n["nat_gateway_id"]: n.get("name") for n in _field(run, "nat_gateways")})
    return names


def _nat_money(old: dict[str, Any], new: dict[str, Any], names: dict[str, str | None]) -> list[dict[str, Any]]:
    """Per NAT gateway in both runs whose current cost or savings moved."""
    before = {s["nat_gateway_id"]: s for s in _field(old, "scenarios")}
    out = []
    for s in _field(new, "scenarios"):
        was = before.get(s["nat_gateway_id"])
        if was is None:
            continue
        current = _change(float(was["current_monthly_usd"]), float(s["current_monthly_usd"]))
        savings = _change(float(was["monthly_savings_usd"]), float(s["monthly_savings_usd"]))
        if current["change"] or savings["change"]:
            out.append({"nat_gateway_id": s["nat_gateway_id"], "name": names.get(s["nat_gateway_id"]),
                        "current_monthly_usd": current, "monthly_savings_usd": savings})
    return sorted(out, key=lambda n: -abs(n["monthly_savings_usd"]["change"]))


def _warnings(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    a, b = str(old.get("collected_at") or ""), str(new.get("collected_at") or "")
    if a and b and a > b:
        return [f"OLD ({a}) was collected after NEW ({b}): the comparison runs backwards; swap the arguments"]
    return []


def diff_results(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Both arguments in report.json shape (``AnalysisResult.model_dump(mode="json")``)."""
    names = _nat_names(old, new)
    old_nats = {n["nat_gateway_id"] for n in _field(old, "nat_gateways")}
    new_nats = {n["nat_gateway_id"] for n in _field(new, "nat_gateways")}
    old_f = {_finding_key(f): f for f in _field(old, "findings") if not f.get("suppressed")}
    new_f = {_finding_key(f): f for f in _field(new, "findings") if not f.get("suppressed")}
    old_fn = {f["arn"]: f for f in _field(old, "functions")}
    new_fn = {f["arn"]: f for f in _field(new, "functions")}

    def nat_rows(ids: set[str]) -> list[dict[str, Any]]:
        return [{"nat_gateway_id": n, "name": names.get(n)} for n in sorted(ids)]

    def fn_rows(arns: set[str], side: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"arn": a, "name": side[a].get("name")} for a in sorted(arns)]

    return {
        "old": {"collected_at": old.get("collected_at"), "tool_version": old.get("tool_version")},
        "new": {"collected_at": new.get("collected_at"), "tool_version": new.get("tool_version")},
        "warnings": _warnings(old, new),
        "money": _money(old, new),
        "nat_gateways": {"added": sorted(new_nats - old_nats), "removed": sorted(old_nats - new_nats),
                         "added_named": nat_rows(new_nats - old_nats), "removed_named": nat_rows(old_nats - new_nats),
                         "money": _nat_money(old, new, names)},
        "findings": {
            "new": [{"key": k, "id": k, "rule_id": new_f[k]["rule_id"], "severity": new_f[k]["severity"],
                     "title": new_f[k].get("title"), "message": new_f[k]["message"]}
                    for k in sorted(new_f.keys() - old_f.keys())],
            "resolved": [{"key": k, "id": k, "rule_id": old_f[k]["rule_id"], "severity": old_f[k]["severity"],
                          "title": old_f[k].get("title")}
                         for k in sorted(old_f.keys() - new_f.keys())],
            "still_open": len(new_f.keys() & old_f.keys()),
        },
        "functions": {
            "added": sorted(new_fn.keys() - old_fn.keys()),
            "removed": sorted(old_fn.keys() - new_fn.keys()),
            "added_named": fn_rows(new_fn.keys() - old_fn.keys(), new_fn),
            "removed_named": fn_rows(old_fn.keys() - new_fn.keys(), old_fn),
            "egress_changed": [{"arn": a, "name": new_fn[a].get("name"), "old": old_fn[a]["egress"],
                                "new": new_fn[a]["egress"]}
                               for a in sorted(old_fn.keys() & new_fn.keys())
                               if old_fn[a]["egress"] != new_fn[a]["egress"]],
        },
    }


def _label(row: dict[str, Any], id_field: str) -> str:
    return f"{row['name']} ({row[id_field]})" if row.get("name") else str(row[id_field])


def render_diff_text(change: dict[str, Any]) -> str:
    lines = [f"Comparing {change['old']['collected_at']} -> {change['new']['collected_at']}"]
    lines += [f"WARNING: {w}" for w in change.get("warnings", [])]
    lines.append("")
    for field, label in MONEY_FIELDS.items():
        m = change["money"].get(field)
        if m is not None:
            lines.append(f"{label + ' $/month:':<22} {m['old']:>12,.2f} -> {m['new']:>12,.2f}  ({m['change']:+,.2f})")
    nats, findings, fns = change["nat_gateways"], change["findings"], change["functions"]
    lines += ["", f"NAT gateways: +{len(nats['added'])} -{len(nats['removed'])}"]
    lines += [f"  + {_label(n, 'nat_gateway_id')}" for n in nats.get("added_named", [])]
    lines += [f"  - {_label(n, 'nat_gateway_id')}" for n in nats.get("removed_named", [])]
    for n in nats.get("money", []):
        s = n["monthly_savings_usd"]
        lines.append(f"  ~ {_label(n, 'nat_gateway_id')}: savings {s['old']:,.2f} -> {s['new']:,.2f} "
                     f"({s['change']:+,.2f}) $/month")
    lines += ["", f"Findings: {len(findings['new'])} new, {len(findings['resolved'])} resolved, "
                  f"{findings['still_open']} still open"]
    lines += [f"  new      [{f['severity']}] {f['id']}: {f.get('title') or f['rule_id']}" for f in findings["new"]]
    lines += [f"  resolved [{f['severity']}] {f['id']}: {f.get('title') or f['rule_id']}" for f in findings["resolved"]]
    lines += ["", f"Functions: +{len(fns['added'])} -{len(fns['removed'])}, "
                  f"{len(fns['egress_changed'])} changed egress"]
    lines += [f"  + {_label(f, 'arn')}" for f in fns.get("added_named", [])]
    lines += [f"  - {_label(f, 'arn')}" for f in fns.get("removed_named", [])]
    lines += [f"  {c.get('name') or c['arn']}: {c['old']} -> {c['new']}" for c in fns["egress_changed"]]
    return "\n".join(lines)
