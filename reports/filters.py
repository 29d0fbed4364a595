"""Jinja2 filters: formatting and escaping only, never computation.

Money and quantities arrive as ``Decimal`` (or, from JSON, as floats) and are
formatted at this edge so every report shows the same text for the same
number. The Markdown filters exist because Markdown has no autoescape: every
AWS-sourced string (names, tags, ids, messages) passes through ``md_escape``
before it lands in a table cell or a line of text. ``csv_cell`` does the same
for spreadsheets (OWASP CSV injection).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from markupsafe import Markup, escape

from analyzer.inert import reveal
from analyzer.plan.commands import comment as sh_comment

DASH = "—"

# Markdown specials that can start emphasis, links, headings, tables, code, strikethrough, inline HTML
# (``<``) or an entity (``&``): each gets a backslash, which CommonMark shows as the character itself, so
# ``<script>`` is text and ``->`` stays an arrow (``>`` is escaped only where it would start a quote).
_MD_SPECIALS = re.compile(r"([\\`*_\[\]#|~!<&])")
_WHITESPACE = re.compile(r"[\s\x00-\x1f\x7f]+")
# What GitHub's cmark-gfm turns into links without any markup: "scheme://" URLs, "www." hosts, e-mail
# addresses (and "mailto:" / "xmpp:" in front of them). A backslash before the ":" or the "." stops the
# first two and shows the same text; an address is shown as a code span, the one form never autolinked.
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)|\b(mailto|xmpp):")
_WWW = re.compile(r"(?i)(www)\.")
_EMAIL = re.compile(r"[A-Za-z0-9._+-]+@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")
# OWASP CSV injection: a cell starting with one of these is a formula to Excel, LibreOffice and Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _decimal(value: Any) -> Decimal:
    """Decimal from a Decimal, int or float (floats through ``str`` so 0.1 stays 0.1)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _trim(text: str) -> str:
    """Drop trailing zeros after the decimal point: 730.000 -> 730, 1.50 -> 1.5."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value: Any) -> str:
    """``$1,234.56``; negatives as ``-$12.34`` so a loss never reads as a saving."""
    if value is None:
        return DASH
    amount = _decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def unit_price(value: Any) -> str:
    """Unit prices keep their precision ($0.045, $0.005): two decimals would hide them."""
    if value is None:
        return DASH
    amount = _decimal(value)
    text = f"{abs(amount):,.6f}"
    whole, frac = text.split(".")
    frac = frac.rstrip("0").ljust(2, "0")
    sign = "-" if amount < 0 else ""
    return f"{sign}${whole}.{frac}"


def qty(value: Any) -> str:
    """A quantity (hours, GB, IPs): up to 3 decimals, small values to 2 significant digits."""
    if value is None:
        return DASH
    amount = _decimal(value)
    text = _trim(f"{amount:,.3f}")
    if text in ("0", "-0") and amount != 0:
        text = f"{float(amount):.2g}"
    return text


def pct(value: Any) -> str:
    """A share (0.25) as a percentage (25%), one decimal at most."""
    if value is None:
        return DASH
    return _trim(f"{_decimal(value) * 100:.1f}") + "%"


def yesno(value: Any) -> str:
    return "yes" if value else "no"


def when(value: datetime) -> str:
    """A timestamp as ``2026-09-01 12:00 UTC`` (the zone name when it has one)."""
    return value.strftime("%Y-%m-%d %H:%M %Z").strip()


def compact_json(value: Any) -> str:
    """Evidence as one line of JSON with sorted keys, so diffs and CSV cells stay stable."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str, ensure_ascii=False)


def _md_text(text: str) -> str:
    text = _MD_SPECIALS.sub(r"\\\1", text)
    text = _SCHEME.sub(lambda m: f"{m.group(1) or m.group(2)}\\:", text)
    return _WWW.sub(r"\1\\.", text)


def _md_inline(text: str) -> str:
    """One line of text as inert Markdown: e-mail addresses as code spans (never autolinked), the rest escaped."""
    parts, start = [], 0
    for address in _EMAIL.finditer(text):
        parts += [_md_text(text[start : address.start()]), f"`{address.group()}`"]
        start = address.end()
    parts.append(_md_text(text[start:]))
    return "".join(parts)


def _line_start(escaped: str) -> str:
    """A ``>`` that starts the text would open a block quote where the text starts a line."""
    return "\\" + escaped if escaped.startswith(">") else escaped


def md_escape(value: Any) -> str:
    """Make any string inert Markdown text: one line, specials backslash-escaped, no HTML, no autolinks."""
    if value is None:
        return ""
    return _line_start(_md_inline(reveal(_WHITESPACE.sub(" ", str(value)).strip())))


def md_code(value: Any) -> str:
    """Any string as an inert Markdown code span (ids, commands): shown as code, never parsed.

    Nothing inside a code span is Markdown or HTML; only a ``|`` still splits a GFM table cell, so it is
    escaped (GFM unescapes it inside code too), and the fence is longer than any backtick run inside.
    """
    if value is None or value == "":
        return DASH
    text = reveal(_WHITESPACE.sub(" ", str(value)).strip()).replace("|", "\\|")
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_CODE_SPAN = re.compile(r"`([^`]+)`")


def md_text(value: Any) -> str:
    """Prose that marks commands with backticks (rule messages, remediation, plan steps): the marked parts
    as code spans, the rest escaped as ``md_escape`` does. AWS names inside stay inert either way."""
    if value is None:
        return ""
    text = reveal(_WHITESPACE.sub(" ", str(value)).strip())
    parts, start = [], 0
    for span in _CODE_SPAN.finditer(text):
        parts += [_md_inline(text[start : span.start()]), md_code(span.group(1))]
        start = span.end()
    parts.append(_md_inline(text[start:]))
    return _line_start("".join(parts))


def md_join(values: Iterable[Any], sep: str = ", ") -> str:
    """Escape each item and join them; a dash for an empty list so a cell is never blank."""
    items = [md_escape(v) for v in values]
    return sep.join(items) if items else DASH


def md_html(value: Any) -> str:
    """Text inside raw HTML in Markdown (``<summary>``): HTML-escaped, one line.

    Backslash escapes are not processed inside raw HTML, so ``md_escape`` would
    show its backslashes there.
    """
    if value is None:
        return ""
    return html.escape(reveal(_WHITESPACE.sub(" ", str(value)).strip()), quote=True)


# Ids and addresses a browser must not break at their hyphens or dots: each is wrapped in a no-wrap span.
_ID_TOKEN = re.compile(
    r"\b(?:(?:nat|eni|subnet|sg|vpc|vpce|eipalloc|eipassoc|rtb|igw|tgw|pl)-[0-9a-f]{4,17}"
    r"|\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?)\b"
)


def html_ids(value: Any) -> Markup:
    """Text for HTML, escaped, with every id and IP inside ``<span class="id">`` so it never wraps mid-token."""
    if value is None:
        return Markup("")
    text = str(escape(reveal(str(value))))  # no raw "<" is left, so the spans cannot meet markup
    return Markup(_ID_TOKEN.sub(lambda m: f'<span class="id">{m.group(0)}</span>', text))


def csv_cell(value: Any) -> Any:
    """A CSV cell no spreadsheet evaluates: text that starts like a formula gets a leading apostrophe.

    OWASP's guidance for CSV injection; plain numbers (``-12.5``) are left as numbers. A carriage return
    becomes a newline: the writer quotes a cell with a newline, but not one with a bare CR, which a
    reader takes for the end of the row.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def code_block(text: str, lang: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run inside it."""
    runs = [len(m) for m in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}{lang}\n{text.rstrip()}\n{fence}"


FILTERS: dict[str, Callable[..., Any]] = {
    "money": money,
    "unit_price": unit_price,
    "qty": qty,
    "pct": pct,
    "yesno": yesno,
    "when": when,
    "compact_json": compact_json,
    "md_escape": md_escape,
    "md_code": md_code,
    "md_text": md_text,
    "md_join": md_join,
    "md_html": md_html,
    "csv_cell": csv_cell,
    "code_block": code_block,
    "html_ids": html_ids,
    "sh_comment": sh_comment,
}
