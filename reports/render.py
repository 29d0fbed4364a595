"""Turn one ``AnalysisResult`` into report.html, report.md, report.json and two CSVs.

The result already holds every number; this module only serialises it (JSON,
CSV) or hands it with a thin view model (``reports.view``) to Jinja2 templates.
HTML relies on autoescape for AWS-sourced strings; Markdown has no autoescape,
so its template runs every such string through the ``md_escape`` filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from analyzer.errors import ConfigError
from analyzer.files import atomic_write_text
from analyzer.models import AnalysisResult
from reports.filters import FILTERS, compact_json
from reports.view import build_context

FORMATS = ("html", "md", "json", "csv")

# Output files per format, in the order they are written.
FILES: dict[str, tuple[str, ...]] = {
    "html": ("report.html",),
    "md": ("report.md",),
    "json": ("report.json",),
    "csv": ("findings.csv", "costs.csv"),
}

FINDINGS_COLUMNS = (
    "rule_id", "severity", "title", "account_id", "region", "resource_ids", "message",
    "evidence", "remediation", "references", "suppressed", "suppression_reason",
)  # fmt: skip
COSTS_COLUMNS = (
    "account_id", "region", "nat_gateway_id", "design", "component", "quantity", "unit",
    "unit_price_usd", "monthly_usd", "counted",
)  # fmt: skip


def _check_format(name: str) -> str:
    if name not in FORMATS:
        raise ConfigError(f"unknown report format '{name}'; valid formats: {', '.join(FORMATS)}")
    return name


def parse_formats(text: str) -> tuple[str, ...]:
    """``"html, md"`` -> ``("html", "md")``: the CLI's ``--format`` option, deduplicated, order kept."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        raise ConfigError(f"no report format given; valid formats: {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(_check_format(n) for n in names))


@lru_cache(maxsize=1)
def environment() -> Environment:
    """One Jinja2 environment: autoescape for HTML templates only, undefined names fail loudly."""
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render_json(result: AnalysisResult) -> str:
    """report.json: exactly ``model_dump(mode="json")``, the contract other tools read."""
    # pydantic-core writes the same JSON as json.dumps(model_dump(...)), several times faster.
    return result.model_dump_json(indent=2) + "\n"


def _plain(value: Any) -> Any:
    """Decimals as plain digits (never ``1E+1``) so CSV cells are exact and readable."""
    return format(value, "f") if isinstance(value, Decimal) else value


def _csv(rows: list[dict[str, Any]], columns: Iterable[str]) -> str:
    import pandas as pd  # imported here: only the CSV outputs need it (~0.3 s of start-up)

    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.to_csv(index=False, lineterminator="\n")


def render_findings_csv(result: AnalysisResult) -> str:
    """findings.csv: one row per finding, suppressed ones included and flagged."""
    rows = [
        {
            "rule_id": f.rule_id,
            "severity": f.severity,
            "title": f.title,
            "account_id": f.account_id,
            "region": f.region,
            "resource_ids": " ".join(f.resource_ids),
            "message": f.message,
            "evidence": compact_json(f.evidence),
            "remediation": f.remediation,
            "references": " ".join(f.references),
            "suppressed": f.suppressed,
            "suppression_reason": f.suppression_reason or "",
        }
        for f in result.findings
    ]
    return _csv(rows, FINDINGS_COLUMNS)


def render_costs_csv(result: AnalysisResult) -> str:
    """costs.csv: one row per scenario component, so every total can be rebuilt in a spreadsheet."""
    rows = [
        {
            "account_id": s.account_id,
            "region": s.region,
            "nat_gateway_id": s.nat_gateway_id,
            "design": c.design,
            "component": c.name,
            "quantity": _plain(c.quantity),
            "unit": c.unit,
            "unit_price_usd": _plain(c.unit_price_usd),
            "monthly_usd": _plain(c.monthly_usd),
            "counted": c.counted,
        }
        for s in result.scenarios
        for c in s.components
    ]
    return _csv(rows, COSTS_COLUMNS)


def render_markdown(result: AnalysisResult) -> str:
    """report.md (GitHub-flavoured). Charts are left out: they are SVG and belong in HTML."""
    return environment().get_template("report.md.j2").render(build_context(result, []))


def render_html(result: AnalysisResult) -> str:
    """report.html: one self-contained file with inline CSS, JS and SVG charts."""
    from reports.charts import build_charts  # matplotlib loads only when HTML is asked for

    context = build_context(result, build_charts(result))
    return environment().get_template("report.html.j2").render(context)


_RENDERERS = {
    "report.html": render_html,
    "report.md": render_markdown,
    "report.json": render_json,
    "findings.csv": render_findings_csv,
    "costs.csv": render_costs_csv,
}


def write_reports(result: AnalysisResult, out_dir: Path, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Write the selected formats into ``out_dir`` atomically; return the paths written."""
    if isinstance(formats, str):
        formats = parse_formats(formats)
    chosen = {_check_format(f) for f in formats}
    # Render everything first: a failure in a later format must not leave this
    # run's early files beside the last run's others, looking like one report.
    rendered = {
        Path(out_dir) / name: _RENDERERS[name](result) for fmt in FORMATS if fmt in chosen for name in FILES[fmt]
    }
    for path, text in rendered.items():
        atomic_write_text(path, text)
    return list(rendered)
