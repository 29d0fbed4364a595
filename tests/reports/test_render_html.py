"""report.html: escaping, self-containment, navigation, the decision table and the numbers a reader sees first."""

from __future__ import annotations

import re

import pytest
from conftest import NAT_SHARED, PAY, SHARED_ENI

import reports.charts as charts
import reports.render as render
from analyzer.models import Coverage
from reports.charts import Chart
from reports.view import SECTIONS


@pytest.fixture
def no_charts(monkeypatch):
    monkeypatch.setattr(charts, "build_charts", lambda result: [])


@pytest.fixture
def html(result, no_charts) -> str:
    return render.render_html(result)


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_aws_strings_are_escaped(html):
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "pay|ments" in html
    # the only script element is the sort helper
    assert html.count("<script") == 1


def test_no_external_loads(result):
    html = render.render_html(result)  # real charts included
    lowered = html.lower()
    assert not re.search(r"""src\s*=\s*["']?\s*(https?:)?//""", lowered)
    assert not re.search(r"<link[^>]+href\s*=\s*[\"']?\s*(https?:)?//", lowered)
    assert "@import" not in lowered
    assert not re.search(r"""url\(\s*["']?\s*(https?:)?//""", lowered)
    assert 'href="http' not in lowered
    assert len(html.encode()) < 3 * 1024 * 1024


def test_toc_links_every_section(html):
    section_ids = re.findall(r'<section id="([^"]+)"', html)
    nav = html[html.index('<nav class="toc"') : html.index("</nav>")]
    toc_ids = re.findall(r'href="#([^"]+)"', nav)
    assert section_ids == toc_ids
    assert section_ids == [i for i, _ in SECTIONS if i not in ("charts", "billing")]  # no CUR given


def test_summary_numbers_formatted(html):
    summary = _section(html, "summary")
    for text in ("$139.94", "$74.99", "$64.95", "$779.40"):  # current, proposed, 139.94 - 74.99, x 12
        assert text in summary
    assert "6 Elastic IP(s), 5 new" in summary


def test_decision_table_rows_link_findings_and_runbooks(html):
    summary = _section(html, "summary")
    table = summary[summary.index('<table class="sortable decisions">') : summary.index("</table>")]
    rows = re.findall(r"<tr class=\"verdict-([a-z-]+)\">", table)
    assert rows == ["go-with-guard", "blocked", "go"]  # the result's order
    assert f'href="#finding-{SHARED_ENI}"' in table and f'href="#finding-{NAT_SHARED}"' in table
    assert '<a href="runbooks/nat-0aaa.md">runbook</a>' in table
    assert table.count("runbook</a>") == 1  # only nat-0aaa has a plan
    assert '<span class="verdict v-blocked">Blocked</span>' in table
    assert "the NAT stays for other traffic and moving saves nothing" in table
    assert 'remove <span class="id">198.51.100.5</span> <span class="id">198.51.100.6</span> after' in table
    # each finding the table links to is on the page
    for anchor in re.findall(r'href="#(finding-[^"]+)"', table):
        assert f'id="{anchor}"' in html


def test_no_runbook_links_without_runbooks(result, no_charts):
    assert "runbooks/" not in render.render_html(result, runbooks=False)


def test_zero_counts_are_quiet(result, no_charts):
    counts = {"critical": 0, "high": 2, "medium": 0, "low": 0, "info": 1}
    res = result.model_copy(update={"summary": result.summary.model_copy(update={"findings_by_severity": counts})})
    summary = _section(render.render_html(res), "summary")
    line = summary[summary.index('<p class="findings-line">') :]
    line = line[: line.index("</p>")]
    assert '<span class="zero">critical 0</span>' in line and "sev-critical" not in line  # no loud red badge
    assert '<span class="sev sev-high">HIGH</span> 2' in line


def test_negative_saving_is_negative(html):
    # nat-0bbb: 57.89 - 64.04 = -6.15
    assert '<td class="num neg" data-sort="-6.15">-$6.15</td>' in html


def test_coverage_gap_sentence(html):
    assert "Not scanned: 222222222222 / eu-west-1 (AccessDenied on DescribeNatGateways)" in html
    assert "Coverage is complete" not in html


def test_complete_coverage_is_said(result, no_charts):
    res = result.model_copy(update={"coverage": Coverage(accounts=("111111111111",), regions=("us-east-1",))})
    html = render.render_html(res)
    assert "Coverage is complete: every account and region in scope was scanned (1 accounts, 1 regions)" in html
    assert "Not scanned" not in html


def test_sortable_cells_carry_raw_numbers(html):
    assert '<td class="num" data-sort="1">1</td>' in html  # new EIPs of nat-0aaa
    assert '<td class="num">$0.005</td>' in html
    assert "table.sortable thead th" in html  # the inline sort script is there


def test_findings_are_grouped_per_nat_in_plain_words(html):
    nats = _section(html, "nats")
    first = nats[nats.index('id="nat-nat-0aaa"') : nats.index('id="nat-nat-0bbb"')]
    assert '<span class="sev sev-high">HIGH</span> <strong>Shared ENI</strong>' in first
    assert 'function count: 2' in first and PAY not in first  # no ARN in the text
    assert "2 function(s): pay|ments, refunds" in first
    assert '{"' not in nats  # no JSON evidence anywhere in the per-NAT sections
    assert 'Fix: Run `lambda-egress guard` before moving -&gt; then verify.' in first
    suppressed = html[html.index("<h3>Suppressed findings</h3>") :]
    assert "suppressed: Monthly batch job; a guard re-associates the EIP" in suppressed


def test_ids_never_wrap_mid_token(html):
    assert re.search(r"\.id, code \{[^}]*white-space: nowrap", html)
    assert '3 non-Lambda ENIs use <span class="id">nat-0bbb</span>.' in html  # an id inside a finding's message
    assert '<span class="id">vpc-0b1</span>' in html


def test_alternative_without_savings_depends_on_usage(html):
    alternatives = _section(html, "alternatives")
    assert '<td class="num">depends on usage</td>' in alternatives
    assert "$1,234.50" in alternatives


def test_regional_nat_and_print_css(html):
    assert "· regional ·" in _section(html, "nats")
    assert "@page { size: Letter;" in html and "@media print" in html


def test_charts_inlined_with_escaped_title(result, monkeypatch):
    chart = Chart(id="c1", title="Cost <b>", caption="cap & more", svg='<svg><rect id="fake-bar"/></svg>')
    monkeypatch.setattr(charts, "build_charts", lambda res: [chart])
    html = render.render_html(result)
    assert '<section id="charts">' in html and 'href="#charts"' in html
    assert '<svg><rect id="fake-bar"/></svg>' in html
    assert "Cost &lt;b&gt;" in html and "cap &amp; more" in html
