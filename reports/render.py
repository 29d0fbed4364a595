"""Turn one ``AnalysisResult`` into report.html, report.md, report.json and two CSVs.

The result already holds every number; this module only serialises it (JSON,
CSV) or hands it with a thin view model (``reports.view``) to Jinja2 templates.
HTML relies on autoescape for AWS-sourced strings; Markdown has no autoescape,
so its template runs every such string through the ``md_escape`` filter. Both
show control and bidi characters as escapes (``analyzer.inert.reveal``); every
CSV cell goes through ``csv_cell``. The files of one run are written as one
staged set (``analyzer.files.write_file_set``): all replaced, or none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from analyzer.errors import ConfigError
from analyzer.files import write_file_set
from analyzer.inert import reveal
from analyzer.models import AnalysisResult
from reports.filters import FILTERS, compact_json, csv_cell
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


def _finalize(value: Any) -> Any:
    """Every ``{{ }}`` output: text shows its control and bidi characters as escapes (markup is ours)."""
    return reveal(value) if isinstance(value, str) and not isinstance(value, Markup) else value


@lru_cache(maxsize=1)
def environment() -> Environment:
    """One Jinja2 environment: autoescape for HTML templates only, undefined names fail loudly."""
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "html.j2"]),
        finalize=_finalize,
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

    frame = pd.DataFrame([{k: csv_cell(v) for k, v in row.items()} for row in rows], columns=list(columns))
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


def render_reports(result: AnalysisResult, formats: Iterable[str] = FORMATS) -> dict[str, bytes]:
    """The selected formats, file name -> UTF-8 bytes, in ``FILES`` order."""
    if isinstance(formats, str):
        formats = parse_formats(formats)
    chosen = {_check_format(f) for f in formats}
    return {
        name: _RENDERERS[name](result).encode("utf-8") for fmt in FORMATS if fmt in chosen for name in FILES[fmt]
    }


def write_reports(
    result: AnalysisResult,
    out_dir: Path,
    formats: Iterable[str] = FORMATS,
    also: Mapping[str, bytes] | None = None,
) -> list[Path]:
    """Write the selected formats, and ``also`` (other files of the run, moved in last), as one set.

    Everything is rendered first and staged; the set replaces the previous one whole, or not at all.
    """
    return write_file_set(Path(out_dir), {**render_reports(result, formats), **(also or {})})
