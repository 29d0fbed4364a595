"""The one Jinja2 environment every template renders in.

Autoescape is on for HTML templates only; Markdown and shell templates escape through their filters
(``md_escape``, ``md_code``, ``md_text``, ``code_block``, ``sh_comment``). Every ``{{ }}`` output that is
plain text shows its control and bidi characters as escapes; undefined names fail loudly.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from analyzer.inert import reveal
from reports.filters import FILTERS


def _finalize(value: Any) -> Any:
    """Every ``{{ }}`` output: text shows its control and bidi characters as escapes (markup is ours)."""
    return reveal(value) if isinstance(value, str) and not isinstance(value, Markup) else value


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "html.j2"]),
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render(template: str, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(context)
