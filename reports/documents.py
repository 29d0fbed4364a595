"""The review report (HTML, Markdown, the Markdown summary) and report.json, from one ``AnalysisResult``.

The result already holds every number; this hands it with the view model (``reports.view``) to the
templates. HTML relies on autoescape for AWS-sourced strings; Markdown has no autoescape, so its
templates run every such string through ``md_escape`` / ``md_code`` / ``md_text``.
"""

from __future__ import annotations

from analyzer.models import AnalysisResult
from reports.jinja import render
from reports.view import build_context

# summary.md is a pull-request comment (GitHub stops at 65,536 characters): past this many candidates, the rest
# of the decision table is in report.md and decisions.csv.
SUMMARY_ROWS = 40


def render_json(result: AnalysisResult) -> str:
    """report.json: exactly ``model_dump(mode="json")``, the contract other tools read."""
    # pydantic-core writes the same JSON as json.dumps(model_dump(...)), several times faster.
    return result.model_dump_json(indent=2) + "\n"


def render_markdown(result: AnalysisResult, runbooks: bool = True) -> str:
    """report.md (GitHub-flavoured). Charts are left out: they are SVG and belong in HTML."""
    return render("report.md.j2", build_context(result, [], runbooks))


def render_summary(result: AnalysisResult, runbooks: bool = True) -> str:
    """summary.md: page 1 alone, for a pull-request comment."""
    return render("summary.md.j2", {**build_context(result, [], runbooks), "rows_shown": SUMMARY_ROWS})


def render_html(result: AnalysisResult, runbooks: bool = True) -> str:
    """report.html: one self-contained file with inline CSS, JS and SVG charts."""
    from reports.charts import build_charts  # matplotlib loads only when HTML is asked for

    return render("report.html.j2", build_context(result, build_charts(result), runbooks))
