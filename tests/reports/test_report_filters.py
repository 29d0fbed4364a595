"""Formatting and escaping filters: the text every report shows for a number or an AWS string."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from reports.filters import code_block, compact_json, md_escape, md_html, md_join, money, pct, qty, unit_price


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("1234.5"), "$1,234.50"),
        (D("-12.345"), "-$12.35"),  # half up: 12.345 -> 12.35, sign kept in front of the $
        (D("0"), "$0.00"),
        (D("-0.001"), "$0.00"),  # rounds to zero: no "-$0.00"
        (779.4, "$779.40"),  # floats (from JSON) format the same
        (D("1234567.891"), "$1,234,567.89"),
        (None, "—"),
    ],
)
def test_money(value, text):
    assert money(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(D("0.045"), "$0.045"), (D("0.005"), "$0.005"), (D("32.85"), "$32.85"), (D("0.09"), "$0.09")],
)
def test_unit_price_keeps_precision(value, text):
    assert unit_price(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(D("1460"), "1,460"), (D("123.4567"), "123.457"), (D("0.0004"), "0.0004"), (D("2.50"), "2.5")],
)
def test_qty(value, text):
    assert qty(value) == text


def test_pct():
    assert pct(D("0.25")) == "25%"
    assert pct(D("1")) == "100%"
    assert pct(D("0.3333")) == "33.3%"


def test_md_escape_neutralises_markdown_and_html():
    assert md_escape("a|b") == r"a\|b"
    assert md_escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert md_escape("*x* _y_ `z` [l](u) # ~s~ !") == r"\*x\* \_y\_ \`z\` \[l\](u) \# \~s\~ \!"
    assert md_escape("back\\slash") == r"back\\slash"
    assert md_escape("a & b") == "a &amp; b"


def test_md_escape_makes_one_line():
    assert md_escape("line one\nline two\r\n\tthree") == "line one line two three"
    assert md_escape(None) == ""


def test_md_join_escapes_each_item_and_dashes_empty():
    assert md_join(["a|b", "c"]) == r"a\|b, c"
    assert md_join([]) == "—"


def test_md_html_escapes_for_raw_html():
    assert md_html('<b>"x"</b>\n') == "&lt;b&gt;&quot;x&quot;&lt;/b&gt;"


def test_code_block_fence_is_longer_than_any_backtick_run():
    block = code_block("echo ```` done", "sh")
    assert block.startswith("`````sh\n")
    assert block.endswith("\n`````")
    assert code_block("plain") == "```\nplain\n```"


def test_compact_json_is_sorted_and_compact():
    assert compact_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'
