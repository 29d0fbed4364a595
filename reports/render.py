"""Turn one ``AnalysisResult`` into the selected formats and write them as one staged set.

The formats, their files and their renderers are one table (``reports.formats.REGISTRY``). The files of
one run are written as one set (``analyzer.files.write_file_set``): all replaced, or none; the
``runbooks/`` folder belongs to the set whole, so a runbook of a NAT gateway gone since is removed with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from analyzer.errors import ConfigError
from analyzer.files import write_file_set
from analyzer.models import AnalysisResult
from reports.csvs import COSTS_COLUMNS, FINDINGS_COLUMNS, render_costs_csv, render_findings_csv  # noqa: F401
from reports.documents import render_html, render_json, render_markdown, render_summary  # noqa: F401
from reports.formats import BY_NAME, NAMES

FORMATS = NAMES


def _check_format(name: str) -> str:
    if name not in BY_NAME:
        raise ConfigError(f"unknown report format '{name}'; valid formats: {', '.join(FORMATS)}")
    return name


def parse_formats(text: str) -> tuple[str, ...]:
    """``"html, md"`` -> ``("html", "md")``: the CLI's ``--format`` option, deduplicated, order kept."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        raise ConfigError(f"no report format given; valid formats: {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(_check_format(n) for n in names))


def _chosen(formats: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(formats, str):
        return parse_formats(formats)
    return tuple(dict.fromkeys(_check_format(f) for f in formats))


def render_reports(result: AnalysisResult, formats: Iterable[str] | str = FORMATS) -> dict[str, bytes]:
    """The selected formats, file name -> UTF-8 bytes, in registry order."""
    chosen = _chosen(formats)
    files: dict[str, bytes] = {}
    for name in FORMATS:
        if name in chosen:
            files.update({k: v.encode("utf-8") for k, v in BY_NAME[name].render(result, chosen).items()})
    return files


def write_reports(
    result: AnalysisResult,
    out_dir: Path,
    formats: Iterable[str] | str = FORMATS,
    also: Mapping[str, bytes] | None = None,
) -> list[Path]:
    """Write the selected formats, and ``also`` (other files of the run, moved in last), as one set.

    Everything is rendered first and staged; the set replaces the previous one whole, or not at all.
    """
    chosen = _chosen(formats)
    owned = tuple(f.folder for n in chosen if (f := BY_NAME[n]).folder)
    return write_file_set(Path(out_dir), {**render_reports(result, chosen), **(also or {})}, owned)
