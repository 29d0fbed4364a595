"""report.html: escaping, self-containment, navigation, and the numbers a reader sees first."""

from __future__ import annotations

import re

import pytest

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


def test_aws_strings_are_escaped(html):
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<td>pay|ments</td>" in html
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
    summary = html[html.index('<section id="summary"') : html.index("</section>")]
    for text in ("$139.94", "$74.99", "$64.95", "$779.40"):  # current, proposed, 139.94 - 74.99, x 12
        assert text in summary
    assert "Candidate NAT gateways: 3 of 3 (2 removable)" in summary
    assert "Elastic IPs needed: 6" in summary


def test_negative_saving_is_negative(html):
    # nat-0bbb: 57.89 - 64.04 = -6.15
    assert '<td class="num neg" data-sort="-6.15">-$6.15</td>' in html
    assert '<span class="neg">-$6.15</span>' in html


def test_coverage_gap_sentence(html):
    assert "Not scanned: 222222222222 / eu-west-1 (AccessDenied on DescribeNatGateways)" in html
    assert "Coverage is complete" not in html


def test_complete_coverage_is_said(result, no_charts):
    res = result.model_copy(update={"coverage": Coverage(accounts=("111111111111",), regions=("us-east-1",))})
    html = render.render_html(res)
    assert "Coverage is complete: every account and region in scope was scanned (1 accounts, 1 regions)" in html
    assert "Not scanned" not in html


def test_sortable_cells_carry_raw_numbers(html):
    assert '<td class="num" data-sort="2190">2,190</td>' in html  # 3 EIPs x 730 hours
    assert '<td class="num" data-sort="0.005">$0.005</td>' in html
    assert "table.sortable thead th" in html  # the inline sort script is there


def test_severity_is_text_and_suppressed_marked(html):
    assert '<span class="sev sev-critical">CRITICAL</span>' in html
    assert "SUPPRESSED: Monthly batch job; a guard re-associates the EIP" in html
    findings = html[html.index('<section id="findings"') :]
    # suppressed rows come after the active ones
    assert findings.index("idle-reclamation") > findings.index("eni-not-persistent")


def test_alternative_without_savings_depends_on_usage(html):
    assert '<td class="num">depends on usage</td>' in html
    assert "$1,234.50" in html


def test_regional_nat_and_print_css(html):
    assert "<td>regional</td>" in html
    assert "break-before: page" in html


def test_charts_inlined_with_escaped_title(result, monkeypatch):
    chart = Chart(id="c1", title="Cost <b>", caption="cap & more", svg='<svg><rect id="fake-bar"/></svg>')
    monkeypatch.setattr(charts, "build_charts", lambda res: [chart])
    html = render.render_html(result)
    assert '<section id="charts">' in html and 'href="#charts"' in html
    assert '<svg><rect id="fake-bar"/></svg>' in html
    assert "Cost &lt;b&gt;" in html and "cap &amp; more" in html
