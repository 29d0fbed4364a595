"""The one registry of output formats: the CLI's ``--format`` choices, the renderer and the README's table.

Adding a format is one entry here and its template or function. ``render`` takes the result and the
formats chosen (so the review report links the runbooks only when they are written) and returns file
name -> text; a name may sit in one sub-folder (``runbooks/``), which the set then owns whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from analyzer.models import AnalysisResult

Render = Callable[[AnalysisResult, Sequence[str]], dict[str, str]]


@dataclass(frozen=True)
class Format:
    name: str
    files: str  # what it writes, as the README and --help name it
    about: str
    render: Render
    folder: str | None = None  # a sub-folder the format owns: files there it did not write go with the set


def _html(result: AnalysisResult, chosen: Sequence[str]) -> dict[str, str]:
    from reports.documents import render_html

    return {"report.html": render_html(result, "runbooks" in chosen)}


def _md(result: AnalysisResult, chosen: Sequence[str]) -> dict[str, str]:
    from reports.documents import render_markdown

    return {"report.md": render_markdown(result, "runbooks" in chosen)}


def _summary(result: AnalysisResult, chosen: Sequence[str]) -> dict[str, str]:
    from reports.documents import render_summary

    return {"summary.md": render_summary(result, "runbooks" in chosen)}


def _json(result: AnalysisResult, chosen: Sequence[str]) -> dict[str, str]:
    from reports.documents import render_json

    return {"report.json": render_json(result)}


def _csv(result: AnalysisResult, chosen: Sequence[str]) -> dict[str, str]:
    from reports.csvs import render_csvs

    return render_csvs(result)


def _runbooks(result: AnalysisResult, chosen: Sequence[str]) -> dict[str, str]:
    from reports.runbooks import render_runbooks

    return render_runbooks(result)


REGISTRY: tuple[Format, ...] = (
    Format("html", "`report.html`", "the review report: one self-contained, print-ready file (no external "
           "requests): summary, decision table, charts, costs and findings per NAT gateway, assumptions, "
           "coverage", _html),
    Format("md", "`report.md`", "the same review report in GitHub-flavoured Markdown", _md),
    Format("md-summary", "`summary.md`", "page 1 alone (summary, decision table, top actions, month over "
           "month) for a pull-request comment", _summary),
    Format("json", "`report.json`", "the machine-readable contract (`schema_version` \"2\", see below); "
           "`diff` and `--previous` read it", _json),
    Format("csv", "`decisions.csv`, `findings.csv`, `costs.csv`", "one row per candidate NAT gateway, per "
           "finding, per cost line, for spreadsheets and pandas", _csv),
    Format("runbooks", "`runbooks/<plan id>.md`, `runbooks/<plan id>.sh`", "one runbook per migration plan: "
           "the steps with their commands and rollbacks, and the same as shell functions", _runbooks,
           folder="runbooks"),
)
BY_NAME = {f.name: f for f in REGISTRY}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def format_help() -> str:
    """The ``--format`` help text of report, scan and demo."""
    return f"Comma-separated outputs: {', '.join(NAMES)} (default: all of them; see the README's Outputs)."


def formats_table() -> str:
    """The README's table of formats (a test keeps the README's copy equal to this)."""
    rows = ["| `--format` | writes | what |", "|---|---|---|"]
    rows += [f"| `{f.name}` | {f.files} | {f.about} |" for f in REGISTRY]
    return "\n".join(rows)
