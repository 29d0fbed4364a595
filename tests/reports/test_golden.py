"""The Markdown report of the fixed fixture, byte for byte.

Regenerate after an intended change with::

    pytest tests/reports/test_golden.py --update-golden

and review the diff of ``tests/reports/golden/report.md`` like code.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from analyzer.files import atomic_write_text
from reports.render import render_markdown

GOLDEN = Path(__file__).parent / "golden" / "report.md"


def test_markdown_matches_golden(result, update_golden):
    actual = render_markdown(result)
    if update_golden:
        atomic_write_text(GOLDEN, actual)
        pytest.skip(f"golden file rewritten: {GOLDEN}")
    if not GOLDEN.exists():
        pytest.fail(f"{GOLDEN} is missing; run pytest {__file__} --update-golden")
    expected = GOLDEN.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile="golden/report.md",
            tofile="rendered",
        )
        pytest.fail("Markdown report differs from the golden file:\n" + "".join(diff), pytrace=False)
