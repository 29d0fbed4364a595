"""report.md and summary.md: the decision table first, findings grouped per NAT gateway, AWS strings inert."""

from __future__ import annotations

import pytest
from conftest import NAT_SHARED, SHARED_ENI

from analyzer.models import Coverage
from reports.render import render_markdown, render_summary


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


def test_decision_table_has_one_row_per_candidate_with_its_verdict(md):
    header, row = table_row(md, "| NAT gateway | Account / region |", r"| \<script>")
    assert [c.strip() for c in header] == ["NAT gateway", "Account / region", "Saves /month", "New EIPs",
                                           "Partner allow-list", "Downtime", "Blocked or conditioned by", "Verdict"]
    assert [c.strip() for c in row] == [
        r"\<script>alert(1)\</script> `nat-0aaa`", "payments-prod / us-east-1", "$33.70", "1",
        "add 1, remove `203.0.113.10` after", "none", "`shared-eni`",
        "**Go with guard** · [runbook](runbooks/nat-0aaa.md)"]
    _, shared = table_row(md, "| NAT gateway | Account / region |", "| shared-egress")
    assert shared[2].strip() == "-$6.15"  # 57.89 - 64.04
    assert shared[6].strip() == "`nat-shared`, the NAT stays for other traffic and moving saves nothing"
    assert shared[7].strip() == "**Blocked**"  # no plan, no runbook link


def test_top_actions_come_from_the_verdicts(md):
    actions = md[md.index("### Top actions") : md.index("## Per NAT gateway")]
    first, second = (line for line in actions.splitlines() if line[:2] in ("1.", "2."))
    # nat-0ccc (go) saves 37.40, more than nat-0aaa (go with guard, 33.70); the blocked NAT saves nothing
    assert first.startswith("1. Go: move the functions behind nat-0ccc") and "$37.40/month" in first
    assert second.startswith(r"2. Go with guard: move the functions behind \<script>") and "carry shared-eni" in second
    assert "shared-egress" not in actions and not [line for line in actions.splitlines() if line.startswith("3.")]


def test_findings_are_grouped_under_their_nat_in_plain_words(md):
    start = md.index(r"### \<script>alert(1)\</script> (`nat-0aaa`): Go with guard")
    section = md[start : md.index("### shared-egress")]
    assert f"- **HIGH** Shared ENI: 2 functions share ENI eni-a1. (`{SHARED_ENI}`)" in section
    assert "Facts: ENI: eni-a1 · function count: 2" in section and "arn:aws" not in section
    assert '{"' not in section  # no JSON evidence
    shared = md[md.index("### shared-egress") : md.index("### nat-0ccc")]
    assert f"(`{NAT_SHARED}`)" in shared and "lambda share: 25%" in shared
    assert "## Other findings" in md and "**CRITICAL** No internet egress" in md


def test_pipe_in_function_name_keeps_table_shape(md):
    header, row = table_row(md, "| Function | Account", r"| pay\|ments |")
    assert len(row) == len(header) == 5
    assert row[0].strip() == r"pay\|ments"


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
    assert ("| $139.94/month (Lambda's share $0.00) | $74.99/month | **$64.95/month** ($779.40/year) | "
            "3 of 3 NATs (2 removable) | 6 (5 new) |") in md  # 139.94 - 74.99 = 64.95; x 12 = 779.40
    assert "Open findings: 1 critical, 1 high, 1 medium, 1 low, 1 info (1 suppressed)." in md
    assert "Savings by account: 222222222222 $37.40/month (1 NAT gateway(s)); payments-prod $27.55/month" in md


def test_cost_lines_per_nat(md):
    assert "| today | NAT data processed | 400 GB | $0.048 | $19.20 |" in md  # 400 x 0.048
    assert "| | **Savings (today − proposed)** | | | **-$6.15** |" in md
    assert ("| today | Internet data transfer out (shown, not counted): internet transfer out: the same in both "
            "designs | 100 GB | $0.09 | $9.00 |") in md


def test_commands_are_code_and_arrows_are_text(md):
    assert "Run `lambda-egress guard` before moving -> then verify." not in md  # fixes are in the HTML, once
    assert "\\`" not in md and "&gt;" not in md and "&lt;" not in md


def test_coverage_gap_and_complete(md, result):
    assert "- Not scanned: 222222222222 / eu-west-1 (AccessDenied on DescribeNatGateways)" in md
    res = result.model_copy(update={"coverage": Coverage(accounts=("111111111111",), regions=("us-east-1",))})
    complete = render_markdown(res)
    assert "Coverage is complete: every account and region in scope was scanned" in complete
    assert "Not scanned" not in complete


def test_details_have_blank_line_after_summary(md):
    lines = md.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("<details><summary>")]
    assert len(starts) == 4  # 3 NATs' cost lines + functions
    assert all(lines[i + 1] == "" for i in starts)
    assert md.count("<details>") == md.count("</details>")


def test_no_steps_and_no_charts_in_the_review(md):
    assert "<svg" not in md and "## Charts" not in md
    assert "aws ec2 allocate-address" not in md and "```" not in md  # the steps are in the runbooks


def test_identical_alternatives_collapse(result):
    from analyzer.models import Alternative

    ipv6 = [Alternative(account_id="111111111111", region="us-east-1", kind="ipv6-egress-only", vpc_id="vpc-0a1",
                        nat_gateway_ids=(n,), monthly_savings_usd=v, summary=f"At most: send {n}'s traffic over IPv6.",
                        trade_offs="An upper bound.") for n, v in (("nat-0aaa", 41), ("nat-0ccc", 44))]
    md = render_markdown(result.model_copy(update={"alternatives": tuple(ipv6)}))
    rows = [line for line in md.splitlines() if line.startswith("| ipv6-egress-only")]
    assert rows == [r"| ipv6-egress-only | \<script>alert(1)\</script> $41.00; nat-0ccc $44.00 | per NAT | "
                    "At most: send each NAT gateway's traffic over IPv6. | An upper bound. |"]


def test_md_summary_is_page_one_alone(result):
    summary = render_summary(result)
    assert summary.startswith("## Lambda egress review: summary")
    assert "## Decisions" in summary and "### Top actions" in summary
    assert "## Per NAT gateway" not in summary and "Facts:" not in summary
    assert "[runbook](runbooks/nat-0aaa.md)" in summary
    assert "[runbook]" not in render_summary(result, runbooks=False)


def test_md_summary_caps_the_decision_table_for_a_pull_request_comment(result):
    from reports.documents import SUMMARY_ROWS

    base = result.scenarios[2]
    many = tuple(base.model_copy(update={"nat_gateway_id": f"nat-0{i:03d}"}) for i in range(SUMMARY_ROWS + 5))
    summary = render_summary(result.model_copy(update={"scenarios": many}))
    rows = [line for line in summary.splitlines() if line.startswith("| nat-0")]
    assert len(rows) == SUMMARY_ROWS
    assert f"The {SUMMARY_ROWS} candidates with the biggest savings; 5 more are in `report.md`" in summary
    assert len([line for line in render_markdown(result.model_copy(update={"scenarios": many})).splitlines()
                if line.startswith("| nat-0")]) == SUMMARY_ROWS + 5
