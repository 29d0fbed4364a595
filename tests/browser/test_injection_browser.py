"""The HTML report of a snapshot whose every AWS-sourced string carries the injection corpus, in Chromium.

No dialog fires, no script error, no request leaves the file, and the page holds exactly the elements
of the clean report (outside the charts' SVG): the corpus is text, shown as text. Sorting is clicked
too, so a handler that only fires on interaction would be caught.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import test_report_browser as harness
from injection_corpus import CORPUS, injected_snapshot, run_report

pytestmark = pytest.mark.browser
browser = harness.browser  # the module's Chromium fixture

ELEMENTS = """() => {
  const tags = [...document.querySelectorAll("*")].filter(e => !e.closest("svg")).map(e => e.tagName);
  const handlers = [...document.querySelectorAll("*")].flatMap(
    e => [...e.attributes].filter(a => a.name.toLowerCase().startsWith("on")).map(a => `${e.tagName} ${a.name}`));
  return {tags, handlers, text: document.body.innerText};
}"""


def _report(tmp: Path, suffix: str) -> Path:
    out, _ = run_report(tmp, injected_snapshot(suffix), formats="html")
    return out / "report.html"


def _load(browser: Any, report: Path) -> tuple[dict, list[str]]:
    page, watch = harness.open_watched(browser, report)
    found = page.evaluate(ELEMENTS)
    harness.sort_problem(page)  # clicks; its own result is the demo test's business
    page.wait_for_timeout(300)  # timers an injected handler might have set
    page.wait_for_load_state("networkidle")
    return found, watch.problems()


def test_injected_report_in_headless_chromium(browser: Any, tmp_path: Path) -> None:
    clean, clean_problems = _load(browser, _report(tmp_path / "clean", ""))
    dirty, problems = _load(browser, _report(tmp_path / "injected", "".join(CORPUS.values())))
    assert clean_problems == [] and problems == []
    assert Counter(dirty["tags"]) == Counter(clean["tags"])
    assert dirty["handlers"] == []
    text = dirty["text"]
    assert "<img src=x onerror=alert(1)><script>alert(2)</script>" in text
    assert "\\u202eevil\\u202c" in text and "\u202e" not in text and "\\x1b]0;PWNED" in text
