"""The Billed vs modelled section: numbers from the result, CUR strings inert in HTML and Markdown."""

from __future__ import annotations

from decimal import Decimal

import cmarkgfm
from cmarkgfm.cmark import Options
from curgen import NOV, OCT
from traffic_case import shared_nat_snapshot

from analyzer.models import BilledLine, BillingData, Settings
from analyzer.pricing import load_price_book
from analyzer.result import analyze
from reports.render import render_html, render_markdown

HOSTILE = "<img src=x onerror=alert(1)>|**x**"


def _result():
    lines = (
        BilledLine(account_id="123456789012", region="us-east-1", nat_gateway_id="nat-a", period="2026-10",
                   period_start=OCT, period_end=NOV, line_item_type="Usage", usage_type="NatGateway-Hours",
                   usage_amount=Decimal(744), cost_usd=Decimal("33.48"), usage_start=OCT, usage_end=NOV),
        BilledLine(nat_gateway_id=None, period="2026-10", period_start=OCT, period_end=NOV,
                   line_item_type=HOSTILE, usage_type="NatGateway-Hours", usage_amount=Decimal(0),
                   cost_usd=Decimal("-2.5")),
    )
    data = BillingData(source=HOSTILE, engine="duckdb", query="SELECT 1", lines=lines)
    return analyze(shared_nat_snapshot().model_copy(update={"billing": data}), load_price_book(), Settings())


def test_billing_section_escapes_cur_strings_and_shows_the_adjustment_apart():
    result = _result()
    (nat,) = result.billing.nat_gateways
    # 744 h x 0.045 = 33.48, x 730 / 744 = 32.85 billed; modelled 32.85 + 4.56 GB -> 37.41: -13.9% of the bill
    assert (nat.billed_usd, nat.modelled_usd, nat.difference_usd) == (Decimal("32.85"), Decimal("37.41"),
                                                                      Decimal("-4.56"))
    assert nat.difference_pct == Decimal("-13.9") and nat.flagged
    html = render_html(result)
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    md = render_markdown(result)
    section = md.split("## Billed vs modelled")[1].split("\n## ")[0]
    rendered = cmarkgfm.github_flavored_markdown_to_html(section, options=Options.CMARK_OPT_UNSAFE)
    assert "<img" not in rendered and "&lt;img src=x onerror=alert(1)&gt;|**x**" in rendered  # text, not markup
    assert "\\<img" in section and "\\|" in section  # CommonMark's own escapes: shown as text
    assert "-$2.50" in section and "| `nat-a` |" in section and "**flagged**" in section
