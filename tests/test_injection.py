"""Injected text in every AWS-sourced field stays text in every output format.

The corpus (``injection_corpus``: HTML, Markdown and autolinks, CSV formulas, HCL, shell, ANSI, bidi,
NUL) is appended to every string of the demo snapshot and to a suppression's reason; the report is
compared with the clean demo report, format by format:

* HTML: the same elements as the clean report (outside the charts' SVG), no handler attribute, no
  control or bidi character; the payload shows as text. (A real browser: ``tests/browser``.)
* Markdown: rendered by cmark-gfm (GitHub's renderer, raw HTML allowed, so nothing hides): the same
  elements as the clean report but the code spans that hold e-mail addresses, no link or image anywhere
  but the report's own, no raw control or bidi character.
* CSV: no cell a spreadsheet evaluates (OWASP), for each formula start; the text survives otherwise.
* JSON: the strings round-trip exactly (it is data).
* Terraform and shell in the plans: the same structure outside string literals as the clean plans;
  nothing interpolates; every payload is inside one shell word.
* Terminal: ANSI, CR, bidi and NUL reach neither a TTY nor a pipe raw.
"""

from __future__ import annotations

import csv
import html.parser
import io
import json
import os
import pty
import re
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

import cmarkgfm
import pytest
import yaml
from cmarkgfm.cmark import Options
from injection_corpus import CORPUS, DEMO, FORMULA_STARTS, PAYLOAD, ROOT, injected_snapshot, run_report, with_nat_prefix
from rich.progress import Progress, TextColumn
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.inert import InertConsole

RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _suppressions(tmp: Path, suffix: str) -> Path:
    data = yaml.safe_load((ROOT / "sample_data/suppressions.example.yaml").read_text())
    for entry in data["suppressions"]:
        entry["resource_id"] += suffix
        entry["reason"] += suffix
        entry["expires"] = "2999-12-31"
    path = tmp / "suppressions.yaml"
    path.write_text(yaml.safe_dump(data))  # escapes what YAML cannot hold raw
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    clean_tmp, dirty_tmp = tmp_path_factory.mktemp("clean"), tmp_path_factory.mktemp("injected")
    clean, _ = run_report(clean_tmp, injected_snapshot(""), "--suppressions", str(_suppressions(clean_tmp, "")))
    dirty, _ = run_report(dirty_tmp, injected_snapshot(), "--suppressions", str(_suppressions(dirty_tmp, PAYLOAD)))
    return {"clean": clean, "injected": dirty}


def test_the_corpus_reached_the_reports(runs):
    report = json.loads((runs["injected"] / "report.json").read_text())
    assert report["functions"] and all(f["name"].endswith(PAYLOAD) for f in report["functions"])
    assert all(f["suppression_reason"].endswith(PAYLOAD) for f in report["findings"] if f["suppressed"])
    clean = json.loads((runs["clean"] / "report.json").read_text())
    assert sum(f["suppressed"] for f in report["findings"]) == sum(f["suppressed"] for f in clean["findings"]) > 0
    assert report["coverage"]["errors"][0]["message"] == "You are not authorized" + PAYLOAD
    assert report["plans"] and all(PAYLOAD in p["nat_gateway_id"] for p in report["plans"])


# --------------------------------------------------------------------------- HTML


class _Elements(html.parser.HTMLParser):
    """Element names outside <svg>, handler attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.handlers: list[str] = []
        self.text: list[str] = []
        self._svg = 0

    def handle_starttag(self, tag, attrs):
        self._svg += tag == "svg"
        if not self._svg:
            self.tags[tag] += 1
        self.handlers += [f"{tag} {name}" for name, _ in attrs if name.lower().startswith("on")]

    def handle_endtag(self, tag):
        self._svg -= tag == "svg" and self._svg > 0

    def handle_data(self, data):
        self.text.append(data)


def _elements(path: Path) -> _Elements:
    parser = _Elements()
    parser.feed(path.read_text())
    return parser


def test_html_has_only_its_own_elements(runs):
    clean, dirty = _elements(runs["clean"] / "report.html"), _elements(runs["injected"] / "report.html")
    assert dirty.tags == clean.tags
    assert dirty.tags["script"] == 1 and dirty.handlers == []
    text = "".join(dirty.text)
    assert "<img src=x onerror=alert(1)><script>alert(2)</script>" in text  # shown, as text
    assert "\\x1b]0;PWNED\\x07" in text and "\\u202eevil\\u202c" in text and "a\\x00b" in text
    assert not RAW_CONTROL.search((runs["injected"] / "report.html").read_text())


# --------------------------------------------------------------------------- Markdown


class _Rendered(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.urls: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        self.urls |= {v for k, v in attrs if k in ("href", "src") and v}


def _github(path: Path) -> _Rendered:
    """report.md as GitHub renders it (cmark-gfm, its extensions), raw HTML passed through to be seen."""
    parser = _Rendered()
    parser.feed(cmarkgfm.github_flavored_markdown_to_html(path.read_text(), options=Options.CMARK_OPT_UNSAFE))
    return parser


RUNBOOK_LINK = re.compile(r"runbooks/[A-Za-z0-9_.+-]+\.md")


def _own_links(urls: set[str]) -> tuple[set[str], int]:
    """(the links that are not runbooks, how many runbook links): runbook names carry the sanitised NAT ids."""
    books = {u for u in urls if u.startswith("runbooks/")}
    assert all(RUNBOOK_LINK.fullmatch(u) for u in books), books
    return urls - books, len(books)


def _markdown_documents(out: Path) -> list[Path]:
    """report.md, summary.md and every runbook, the runbooks in plan order."""
    from reports.runbooks import runbook_path

    plans = json.loads((out / "report.json").read_text())["plans"]
    return [out / "report.md", out / "summary.md", *(out / runbook_path(p["plan_id"]) for p in plans)]


def test_markdown_renders_no_injected_element_or_link(runs):
    documents = list(zip(_markdown_documents(runs["clean"]), _markdown_documents(runs["injected"]), strict=True))
    assert len(documents) > 2
    for clean_path, dirty_path in documents:
        clean, dirty = _github(clean_path), _github(dirty_path)
        assert _own_links(dirty.urls) == _own_links(clean.urls), dirty_path  # only the report's own links
        assert not [u for u in dirty.urls if "evil" in u]
        code_spans = dirty.tags.pop("code", 0) - clean.tags.pop("code", 0)
        assert dirty.tags == clean.tags, dirty_path
        assert code_spans >= 0
        assert not RAW_CONTROL.search(dirty_path.read_text()), dirty_path
    text = (runs["injected"] / "report.md").read_text()
    assert "http\\://evil.example/bare" in text and "www\\.evil.example" in text and "`victim@evil.example`" in text
    assert _github(runs["injected"] / "report.md").tags["code"] > _github(runs["clean"] / "report.md").tags["code"]


@pytest.mark.parametrize("autolink", CORPUS["autolink"].split())
def test_each_autolink_form_is_broken(autolink):
    from reports.filters import md_escape

    rendered = cmarkgfm.github_flavored_markdown_to_html(f"| a |\n|---|\n| x {md_escape(autolink)} y |\n")
    assert "<a " not in rendered and "evil.example" in rendered


# --------------------------------------------------------------------------- CSV


def _cells(out: Path) -> list[str]:
    cells = []
    for name in ("decisions.csv", "findings.csv", "costs.csv"):
        with open(out / name, newline="", encoding="utf-8") as handle:
            cells += [cell for row in csv.reader(handle) for cell in row]
    return cells


def _evaluated(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS) and not re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", cell)


def test_csv_cells_carrying_the_corpus_are_text(runs):
    cells = _cells(runs["injected"])
    assert not [c for c in cells if _evaluated(c)]
    assert any(PAYLOAD.replace("\r", "\n") in c for c in cells)  # the text survives (CR as a line break)


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_csv_formula_at_the_start_of_a_cell_is_neutralised(tmp_path, start):
    prefix = start + "cmd|' /C calc'!A0+"
    out, _ = run_report(tmp_path, with_nat_prefix(prefix), formats="csv")
    cells = _cells(out)
    assert not [c for c in cells if _evaluated(c)]
    led = [c for c in cells if c.startswith("'" + prefix.replace("\r", "\n"))]  # a CR would end the row
    assert len(led) > 20 and all(c[len(prefix) + 1 :].startswith("nat-") for c in led)  # the NAT id, kept


def test_negative_numbers_stay_numbers():
    from reports.filters import csv_cell

    assert [csv_cell(v) for v in ("-12.5", "-3", "1e-5", "-1+2", "=1", -7)] == ["-12.5", "-3", "1e-5", "'-1+2",
                                                                                 "'=1", -7]  # fmt: skip


# --------------------------------------------------------------------------- JSON


def test_json_keeps_the_strings_exactly(runs):
    report = json.loads((runs["injected"] / "report.json").read_text())
    names = sorted(f["name"] for f in report["functions"])
    assert names == sorted(f["name"] + PAYLOAD for f in DEMO["functions"] if f["subnet_ids"])


# --------------------------------------------------------------------------- Terraform and shell


def _outside_strings(hcl: str) -> tuple[str, list[str]]:
    """(the text with each string literal as S and comments dropped, the string literals)."""
    out, literals, i = [], [], 0
    while i < len(hcl):
        c = hcl[i]
        if c == '"':
            j = i + 1
            while j < len(hcl) and hcl[j] != '"':
                j += 2 if hcl[j] == "\\" else 1
            literals.append(hcl[i + 1 : j])
            out.append("S")
            i = j + 1
        elif c == "#" or hcl.startswith("//", i):
            end = hcl.find("\n", i)
            i = len(hcl) if end < 0 else end
        else:
            out.append(c)
            i += 1
    return "".join(out), literals


def _skeleton(hcl: str) -> str:
    return re.sub(r"[A-Za-z0-9_]+", "w", _outside_strings(hcl)[0])


def _keywords(hcl: str) -> set[str]:
    """Words outside strings and comments, but references (``var.x``, ``data.aws_eip.y.id``) and labels."""
    outside = re.sub(r"[A-Za-z_]\w*(\.\w+)+", "", _outside_strings(hcl)[0])
    return set(re.findall(r"[A-Za-z_]\w*", outside))


def _plans(out: Path) -> list[dict]:
    return json.loads((out / "report.json").read_text())["plans"]


def test_terraform_structure_is_unchanged_and_nothing_interpolates(runs):
    clean, dirty = _plans(runs["clean"]), _plans(runs["injected"])
    assert len(dirty) == len(clean) > 0
    assert sorted(_skeleton(p["terraform"]) for p in dirty) == sorted(_skeleton(p["terraform"]) for p in clean)
    words = {w for p in clean for w in _keywords(p["terraform"])}
    for plan in dirty:
        assert _keywords(plan["terraform"]) <= words  # labels may carry sanitised text; keywords may not
        for literal in _outside_strings(plan["terraform"])[1]:
            assert "\n" not in literal and not re.search(r"(?<!\$)\$\{|(?<!%)%\{", literal), literal


def test_every_shell_command_keeps_the_payload_in_one_word(runs):
    shell = CORPUS["shell"]
    commands = [c for p in _plans(runs["injected"]) for s in p["steps"] for c in (*s["commands"], *s["rollback"])]
    assert commands
    words_with_payload = 0
    for command in commands:
        if command.lstrip().startswith("#"):
            assert "\n" not in command
            continue
        for word in shlex.split(command, comments=True):
            if "pwned" in word:  # the payload whole in one word, or a name the tool sanitised itself
                assert shell in word or re.fullmatch(r"[\w./:@=,+-]*", word), (command, word)
                words_with_payload += shell in word
    assert words_with_payload > 0


# --------------------------------------------------------------------------- terminal


def _console_output(force_terminal: bool) -> str:
    buffer = io.StringIO()
    console = InertConsole(file=buffer, force_terminal=force_terminal, highlight=False, width=200)
    console.print(f"error: {PAYLOAD}", markup=False, soft_wrap=True)
    with Progress(TextColumn("{task.description}"), console=console, transient=False) as progress:
        task = progress.add_task(f"Scanned {PAYLOAD}".replace("[", "\\["), total=1)
        progress.update(task, completed=1)
    return buffer.getvalue()


@pytest.mark.parametrize("tty", [True, False], ids=["tty", "pipe"])
def test_the_console_shows_escapes_not_effects(tty):
    text = _console_output(tty)
    raw = ("\x1b]0;PWNED", "\x1b[31;1;5m", "\x9b", "\u202e", "\u2066", "\x00", *(() if tty else ("\r", "\x1b")))
    assert [r for r in raw if r in text] == []  # on a TTY, rich's own cursor codes (ESC [, CR) remain
    assert "\\x1b]0;PWNED" in text and "\\x1b[31;1;5mPWN" in text and "\\u202eevil" in text and "a\\x00b" in text


def test_an_aws_string_in_an_error_is_escaped(tmp_path):
    """A duplicated NAT id is named in the error: a tampered one must not drive the terminal."""
    evil = "nat-0" + CORPUS["ansi"] + CORPUS["bidi"]
    doc = json.loads(json.dumps(DEMO))
    doc["nat_gateways"][0]["nat_gateway_id"] = evil
    doc["nat_gateways"].append(doc["nat_gateways"][0])
    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps(doc))
    result = CliRunner().invoke(app, ["report", str(snap), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "nat_gateway_id: nat-0\\x1b]0;PWNED\\x1b[31;1;5mPWN" in line and "appears twice" in line  # rich drops BEL
    assert not RAW_CONTROL.search(line) and "\n" not in line


def test_console_script_on_a_tty_and_a_pipe(tmp_path):
    """A price-book region (user input) with ANSI in it, named in an error, through the real console script."""
    book = json.loads((ROOT / "analyzer/data/price_book.json").read_text())
    book["source"] = "prices" + CORPUS["ansi"] + CORPUS["bidi"]
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(book))
    args = [sys.executable, "-m", "analyzer", "prices", "show", "--prices", str(path), "--region", "eu-west-1"]
    piped = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and "\\x1b]0;PWNED" in piped.stdout and not RAW_CONTROL.search(piped.stdout.strip())
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=120) == 0
    os.close(leader)
    seen = b"".join(chunks).decode()
    assert "\\x1b]0;PWNED" in seen and "\x1b]0;PWNED" not in seen and "\u202e" not in seen
