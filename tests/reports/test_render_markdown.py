"""report.md: AWS strings cannot break tables or inject HTML; numbers and gaps are stated."""

from __future__ import annotations

import pytest

from analyzer.models import Coverage
from reports.render import render_markdown


def md_cells(line: str) -> list[str]:
    """Cells of a GFM table row: split on pipes that are not backslash-escaped."""
    cells, cur, i = [], "", 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            cur += line[i : i + 2]
            i += 2
            continue
        if line[i] == "|":
            cells.append(cur)
            cur = ""
        else:
            cur += line[i]
        i += 1
    cells.append(cur)
    return cells[1:-1]


def table_row(md: str, header_start: str, row_start: str) -> tuple[list[str], list[str]]:
    lines = md.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    row = next(line for line in lines[header:] if line.startswith(row_start))
    return md_cells(lines[header]), md_cells(row)


@pytest.fixture
def md(result) -> str:
    return render_markdown(result)


def test_pipe_in_function_name_keeps_table_shape(md):
    header, row = table_row(md, "| Name | Account |", r"| pay\|ments |")
    assert len(row) == len(header) == 7
    assert row[0].strip() == r"pay\|ments"


def test_script_name_is_inert(md):
    assert "<script>" not in md
    header, row = table_row(md, "| NAT gateway | Name |", "| nat-0aaa |")
    assert len(row) == len(header)
    assert row[1].strip() == "&lt;script&gt;alert(1)&lt;/script&gt;"
    # inside raw HTML (<summary>) there are no backslash escapes, only HTML ones
    assert "<summary>Plan for nat-0aaa (&lt;script&gt;alert(1)&lt;/script&gt;)" in md


def test_every_table_row_matches_its_header(md):
    lines = md.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            width = len(md_cells(line))
            j = i + 1
            while j < len(lines) and lines[j].startswith("|"):
                assert len(md_cells(lines[j])) == width, lines[j]
                j += 1


def test_summary_numbers_formatted(md):
    assert "| What the NAT gateways that serve Lambda cost per month | $139.94 |" in md
    assert "| **Savings per month** | **$64.95** |" in md  # 139.94 - 74.99
    assert "| **Savings per year** | **$779.40** |" in md  # 64.95 x 12
    assert "Findings: critical 1, high 1, medium 1, low 1, info 1 (1 suppressed)" in md


def test_negative_saving_is_negative(md):
    assert "Savings: -$6.15/month" in md  # 57.89 - 64.04
    assert "| | **Savings (current − proposed)** | | | | **-$6.15** | | |" in md


def test_context_lines_not_counted(md):
    assert "| current | Internet data transfer out | 100 | GB | $0.09 | $9.00 | no (context, not summed) |" in md


def test_coverage_gap_and_complete(md, result):
    assert "- Not scanned: 222222222222 / eu-west-1 (AccessDenied on DescribeNatGateways)" in md
    res = result.model_copy(update={"coverage": Coverage(accounts=("111111111111",), regions=("us-east-1",))})
    complete = render_markdown(res)
    assert "Coverage is complete: every account and region in scope was scanned" in complete
    assert "Not scanned" not in complete


def test_details_have_blank_line_after_summary(md):
    lines = md.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("<details><summary>")]
    assert len(starts) == 8  # 3 scenarios + 1 plan + 2 findings (active, suppressed) + functions + ENI groups
    assert all(lines[i + 1] == "" for i in starts)
    assert md.count("<details>") == md.count("</details>")


def test_code_fence_outgrows_backticks_inside(md):
    assert '````hcl\nresource "aws_eip" "lambda" {\n  # fenced with ``` inside' in md


def test_alternative_without_savings(md):
    assert "| depends on usage |" in md
    assert "| $1,234.50 |" in md


def test_no_charts_in_markdown(md):
    assert "<svg" not in md and "## Charts" not in md
