"""Formatting and escaping filters: the text every report shows for a number or an AWS string."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from reports.filters import (
    code_block,
    compact_json,
    html_ids,
    md_code,
    md_escape,
    md_html,
    md_join,
    md_text,
    money,
    pct,
    qty,
    unit_price,
)


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
    # a backslash before "<" is CommonMark's own way to show it as text: no tag can start
    assert md_escape("<script>alert(1)</script>") == r"\<script>alert(1)\</script>"
    assert md_escape("*x* _y_ `z` [l](u) # ~s~ !") == r"\*x\* \_y\_ \`z\` \[l\](u) \# \~s\~ \!"
    assert md_escape("back\\slash") == r"back\\slash"
    assert md_escape("a & b &lt;") == r"a \& b \&lt;"  # an entity stays the text it is


def test_md_escape_keeps_arrows_as_text_and_stops_a_quote():
    assert md_escape("current -> proposed") == "current -> proposed"
    assert md_escape("> quoted?") == r"\> quoted?"


def test_md_code_is_a_code_span_that_cannot_break_a_table():
    assert md_code("nat-0abc") == "`nat-0abc`"
    assert md_code("a|b") == r"`a\|b`"
    assert md_code("x ` y") == "``x ` y``"  # the fence outgrows the backtick inside
    assert md_code("`edge`") == "`` `edge` ``"
    assert md_code("") == "—"


def test_md_text_renders_marked_commands_as_code():
    assert md_text("run `lambda-egress guard` -> then <x>") == r"run `lambda-egress guard` -> then \<x>"
    assert md_text("a `b|c` d") == r"a `b\|c` d"


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


def test_html_ids_keeps_ids_and_ips_whole_and_escapes_the_rest():
    text = html_ids("nat-0abc12345 <b> 203.0.113.10 & subnet-0123456789abcdef0")
    assert str(text) == (
        '<span class="id">nat-0abc12345</span> &lt;b&gt; <span class="id">203.0.113.10</span> &amp; '
        '<span class="id">subnet-0123456789abcdef0</span>'
    )
