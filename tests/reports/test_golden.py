"""The Markdown review report, the summary and the runbook of the fixed fixture, byte for byte.

Regenerate after an intended change with::

    pytest tests/reports/test_golden.py --update-golden

and review the diff of ``tests/reports/golden/`` like code.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from analyzer.files import atomic_write_text
from reports.render import render_markdown, render_summary
from reports.runbooks import render_runbooks

GOLDEN = Path(__file__).parent / "golden"
RENDERERS = {
    "report.md": render_markdown,
    "summary.md": render_summary,
    "runbook-nat-0aaa.md": lambda r: render_runbooks(r)["runbooks/nat-0aaa.md"],
    "runbook-nat-0aaa.sh": lambda r: render_runbooks(r)["runbooks/nat-0aaa.sh"],
}


@pytest.mark.parametrize("name", RENDERERS)
def test_matches_golden(result, update_golden, name):
    actual = RENDERERS[name](result)
    path = GOLDEN / name
    if update_golden:
        atomic_write_text(path, actual)
        pytest.skip(f"golden file rewritten: {path}")
    if not path.exists():
        pytest.fail(f"{path} is missing; run pytest {__file__} --update-golden")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"golden/{name}",
            tofile="rendered",
        )
        pytest.fail(f"{name} differs from the golden file:\n" + "".join(diff), pytrace=False)
