"""AWS-sourced text made inert for people: invisible and controlling characters shown as escapes.

A function name, tag or AWS error message can hold an ANSI escape (recolour or clear the terminal, set
its title, hide the rest of a line), a carriage return (overwrite what was printed), a bidi override
(``\\u202e``: the text reads in another order than it runs, as in "Trojan Source"), a NUL or a lone
surrogate. ``reveal`` replaces each with its escape (``\\x1b``, ``\\u202e``), so the reader sees that it
is there and nothing acts on it. Every report template and the CLI's consoles use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

# C0 controls but tab and newline, DEL, C1 controls (0x9b is an 8-bit CSI), bidi controls and marks,
# the BOM / zero-width no-break space, and lone surrogates (no encoding can write them).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def reveal(text: str) -> str:
    """``text`` with every control, bidi and surrogate character replaced by its escape."""
    return _UNSAFE.sub(_escape, text)


class InertConsole(Console):
    """A rich Console that prints text segments through ``reveal``; its own styling codes are untouched.

    Everything printed through it (``print``, ``log``, status spinners, progress bars) is rendered by
    ``render``, so this is the one place where terminal output is made safe, on a TTY as well as a pipe.
    """

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or not _UNSAFE.search(segment.text):
                yield segment
            else:
                yield Segment(reveal(segment.text), segment.style, segment.control)
