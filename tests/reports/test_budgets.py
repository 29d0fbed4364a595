"""The review report's budgets on the demo (issue 10): a board reads it in five minutes, GitHub shows it whole.

The HTML's print budget (12 Letter pages in Chromium) is checked where a browser is: tests/browser.
"""

from __future__ import annotations

from datetime import date

import pytest

from analyzer.pipeline import demo_snapshot
from analyzer.pricing import load_price_book
from analyzer.result import analyze
from reports.render import render_markdown, render_summary

MARKDOWN_BUDGET = 60_000  # characters; GitHub comments and issue bodies stop at 65,536
SUMMARY_BUDGET = 20_000  # a pull-request comment that leaves room for the rest of the thread


@pytest.fixture(scope="module")
def demo():
    return analyze(demo_snapshot(), load_price_book(), today=date(2026, 11, 1))


def test_the_review_markdown_is_within_its_budget(demo):
    md = render_markdown(demo)
    assert len(md) <= MARKDOWN_BUDGET, f"report.md is {len(md):,} characters"
    assert md.count("\n### ") >= len(demo.scenarios)  # every candidate NAT still has its section


def test_the_summary_is_within_its_budget(demo):
    summary = render_summary(demo)
    assert len(summary) < SUMMARY_BUDGET, f"summary.md is {len(summary):,} characters"
    assert all(s.nat_gateway_id in summary for s in demo.scenarios)  # the whole decision table is there
