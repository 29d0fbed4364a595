"""The HTML report in a real headless Chromium: no script errors, no outside requests, working controls.

The report is one self-contained file a reviewer opens from disk or an email,
often offline. So in a browser it must load nothing but itself (no CDN, no
fonts, no trackers), run its small scripts without an error, and its sortable
tables and table of contents must work. Every request other than the report
file is aborted before it leaves the browser and counted as a failure; DNS is
also mapped to nothing, so a request that slipped past the router could still
not reach a host.

Runs Debian's /usr/bin/chromium through the ``playwright`` package (its wheel
ships the driver; ``playwright install`` is never needed). Without the browser
the tests skip on a workstation and fail in CI (``CI`` set).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no host name resolves: nothing outside is reachable
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"{reason}; CI is set, so the browser test must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per module. ``launch`` gives every browser a fresh, throw-away user-data-dir."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: pip install playwright", pytrace=False)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


# --------------------------------------------------------------------------- harness


@dataclass
class Watch:
    """What a page did that a self-contained report must not do."""

    url: str
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    also: tuple[str, ...] = ()  # other files of the report set a link may open (its runbooks)

    def allows(self, url: str) -> bool:
        return url.split("#", 1)[0] in (self.url, *self.also) or url.startswith(("data:", "about:"))

    def problems(self) -> list[str]:
        return (
            [f"uncaught page error: {e}" for e in self.page_errors]
            + [f"console error: {e}" for e in self.console_errors]
            + [f"request outside the report: {u}" for u in self.outside_requests]
            + [f"dialog: {d}" for d in self.dialogs]
        )


def open_watched(browser: Any, report: Path, width: int = 1280, also: tuple[Path, ...] = ()) -> tuple[Any, Watch]:
    """Open ``report`` in a fresh context that records errors and aborts every other request (but ``also``)."""
    watch = Watch(report.resolve().as_uri(), also=tuple(p.resolve().as_uri() for p in also))
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")

    def route(route: Any) -> None:
        if watch.allows(route.request.url):
            route.continue_()
        else:
            watch.outside_requests.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and watch.console_errors.append(msg.text))
    page.on("websocket", lambda ws: watch.outside_requests.append(ws.url))
    page.on("dialog", lambda dialog: (watch.dialogs.append(f"{dialog.type} {dialog.message}"), dialog.dismiss()))
    page.goto(watch.url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, watch


def _first_column(table: Any) -> list[str]:
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => r.cells.length ? r.cells[0].innerText.trim() : '')"
    )


def sort_problem(page: Any) -> str | None:
    """Click the first header of a visible sortable table (twice if needed); the row order must change."""
    tables = page.locator("table.sortable")
    for i in range(tables.count()):
        table = tables.nth(i)
        before = _first_column(table)
        if not table.is_visible() or len(set(before)) < 2:
            continue
        header = table.locator("th").first
        for _ in range(2):  # the first click may sort into the order the table already has
            header.click()
            after = _first_column(table)
            if after != before:
                return None if sorted(after) == sorted(before) else f"sorting changed the rows: {after}"
        return f"clicking header {header.inner_text()!r} twice left the order {before}"
    return "no visible table.sortable with two different first-column values"


def toc_problems(page: Any) -> list[str]:
    """Every table-of-contents link must point at an element id that exists."""
    hrefs = page.locator('nav a[href^="#"]').evaluate_all("links => links.map(a => a.getAttribute('href'))")
    if not hrefs:
        return ['no table-of-contents links (nav a[href^="#"])']
    missing = page.evaluate(
        "hrefs => hrefs.filter(h => !document.getElementById(decodeURIComponent(h.slice(1))))", hrefs
    )
    return [f"table-of-contents link {h} has no target" for h in missing]


# --------------------------------------------------------------------------- the review report of the demo

PAGE_BUDGET = 12  # Letter pages the review report may print to (issue 10)
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's whole set (review report, runbooks, data files), written once by the real CLI."""
    out = tmp_path_factory.mktemp("demo")
    subprocess.run([sys.executable, "-m", "analyzer", "demo", "--out", str(out)], check=True)
    return out


def _pdf_pages(pdf: bytes) -> int:
    """The page count of a Chromium PDF: its root page tree's /Count (the largest, as every node counts its own)."""
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    assert counts, "no page tree in the PDF"
    return max(counts)


def test_review_report_at_desktop_width(browser: Any, demo: Path, tmp_path: Path) -> None:
    page, watch = open_watched(browser, demo / "report.html", width=1366)
    shot = tmp_path / "page1-desktop-1366.png"
    page.screenshot(path=str(shot))  # page 1 as a reviewer first sees it: KPIs, the decision table
    print(f"page 1 of the demo review report at 1366 px: {shot}")
    rows = page.locator("table.decisions tbody tr")
    assert rows.count() == 7 and page.locator("table.decisions").is_visible()
    assert page.locator("table.decisions").bounding_box()["y"] < 900 * 1.5  # on page 1, not under a book
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    problems = [*toc_problems(page), sort_problem(page)]
    page.wait_for_load_state("networkidle")  # anything the clicks set off
    assert [p for p in [*watch.problems(), *problems] if p] == []
    assert shot.stat().st_size > 0


def test_review_report_on_a_phone_scrolls_tables_not_the_page(browser: Any, demo: Path, tmp_path: Path) -> None:
    page, watch = open_watched(browser, demo / "report.html", width=420)
    shot = tmp_path / "page1-phone-420.png"
    page.screenshot(path=str(shot))
    print(f"page 1 of the demo review report at 420 px: {shot}")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the page scrolls sideways at 420 px"
    box = page.locator("table.decisions").evaluate("t => [t.parentElement.scrollWidth, t.parentElement.clientWidth]")
    assert box[0] > box[1], "the decision table should scroll inside its box at 420 px"
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(e => !e.closest('.scroll, svg'))
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(e => e.tagName)""")
    assert wide == []
    assert watch.problems() == []


def test_review_report_prints_within_the_page_budget(browser: Any, demo: Path, tmp_path: Path) -> None:
    page, watch = open_watched(browser, demo / "report.html", width=1366)
    pdf = page.pdf(format="Letter", prefer_css_page_size=True)
    (tmp_path / "report.pdf").write_bytes(pdf)
    pages = _pdf_pages(pdf)
    print(f"the demo review report prints to {pages} Letter pages: {tmp_path / 'report.pdf'}")
    assert 1 <= pages <= PAGE_BUDGET
    assert watch.problems() == []


def test_a_runbook_opens_from_the_decision_table(browser: Any, demo: Path) -> None:
    books = tuple((demo / "runbooks").glob("*.md"))
    page, watch = open_watched(browser, demo / "report.html", width=1366, also=books)
    link = page.locator("table.decisions a", has_text="runbook").first
    href = link.get_attribute("href")
    assert href and href.startswith("runbooks/") and href.endswith(".md")
    with page.expect_navigation():
        link.click()
    assert page.url == (demo / href).resolve().as_uri()
    text = page.locator("body").inner_text()
    assert text.startswith("# Runbook: ") and "## Steps" in text and "### 1. " in text and "```sh" in text
    assert "aws " in text
    assert watch.problems() == []


# --------------------------------------------------------------------------- the harness itself

SORT_SCRIPT = """
<script>
document.querySelectorAll("table.sortable th").forEach((th, col) => th.addEventListener("click", () => {
  const body = th.closest("table").tBodies[0];
  const dir = th.dataset.dir === "asc" ? -1 : 1;
  th.dataset.dir = dir === 1 ? "asc" : "desc";
  [...body.rows].sort((a, b) => dir * a.cells[col].innerText.localeCompare(b.cells[col].innerText))
    .forEach(r => body.appendChild(r));
}));
</script>
"""


def _page(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "page.html"
    path.write_text(f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>")
    return path


def _table(rows: list[str]) -> str:
    cells = "".join(f"<tr><td>{r}</td><td>{i}</td></tr>" for i, r in enumerate(rows))
    return f'<table class="sortable"><thead><tr><th>NAT</th><th>n</th></tr></thead><tbody>{cells}</tbody></table>'


def test_harness_passes_a_clean_page(browser: Any, tmp_path: Path) -> None:
    """Already ascending, so only the second click changes the order: the check must try twice."""
    body = (
        '<nav><a href="#nats">NATs</a></nav><h2 id="nats">NATs</h2>'
        + _table(["nat-a", "nat-b", "nat-c"])
        + '<img alt="" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        + SORT_SCRIPT
    )
    page, watch = open_watched(browser, _page(tmp_path, body))
    assert sort_problem(page) is None
    assert _first_column(page.locator("table.sortable")) == ["nat-c", "nat-b", "nat-a"]
    assert toc_problems(page) == []
    assert watch.problems() == []


def test_harness_catches_errors_requests_and_broken_controls(browser: Any, tmp_path: Path) -> None:
    other = tmp_path / "other.css"
    other.write_text("body {}")
    body = (
        '<link rel="stylesheet" href="other.css"><nav><a href="#gone">Gone</a></nav>'
        + _table(["nat-b", "nat-a"])  # no sort script: clicking does nothing
        + '<img alt="" src="http://example.invalid/pixel.png">'
        + '<script>console.error("boom"); fetch("https://example.com/beacon").catch(() => {});'
        + ' alert("hi"); undefined_function();</script>'
    )
    page, watch = open_watched(browser, _page(tmp_path, body))
    assert sort_problem(page) == "clicking header 'NAT' twice left the order ['nat-b', 'nat-a']"
    assert toc_problems(page) == ["table-of-contents link #gone has no target"]
    assert any("undefined_function" in e for e in watch.page_errors)
    assert "boom" in watch.console_errors
    assert watch.dialogs == ["alert hi"]
    assert set(watch.outside_requests) == {
        other.as_uri(),
        "http://example.invalid/pixel.png",
        "https://example.com/beacon",
    }
