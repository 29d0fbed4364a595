"""Property tests: whatever a snapshot, price book or suppression file holds, the CLI ends cleanly.

Hypothesis mutates the demo snapshot (a value replaced by a hostile one, a key dropped or renamed, a list
item duplicated or removed, the bytes truncated, gzipped, NUL-poisoned) and runs ``lambda-egress report``
in process. Every run must:

* exit 0, 1, 2 or 3 (never a traceback: ``CliRunner`` records any other exception);
* on exit 2, print exactly one line on stderr;
* leave the output folder holding the previous set untouched (exit 2) or a whole new set (else): the
  previous set's files are markers, so a mixed folder shows. The snapshot test also fills the disk
  (``os.fsync`` fails with ENOSPC) at a drawn file, where the run must exit 2 and keep the previous set.

The default profile keeps the suite fast; ``--hypothesis-profile=thorough`` runs 1,000 examples each.
"""

from __future__ import annotations

import copy
import errno
import gzip
import json
import math
import os
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.files import STAGING_PREFIX

ROOT = Path(__file__).resolve().parent.parent
DEMO = json.loads((ROOT / "sample_data/demo_snapshot.json").read_text())
PRICES = json.loads((ROOT / "analyzer/data/price_book.json").read_text())
SUPPRESSIONS = (ROOT / "sample_data/suppressions.example.yaml").read_text()
SET = ("report.md", "report.json", "decisions.csv", "findings.csv", "costs.csv")
runner = CliRunner()

DEEP = "\x00deep\x00"  # placeholders spliced into the JSON text: json.dumps cannot write them
DIGITS = "\x00digits\x00"


def _paths(value: Any, here: tuple = ()) -> list[tuple]:
    out = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*here, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:3]):  # three items of each list are plenty, and keep the list short
            out += _paths(item, (*here, i))
    return out


DEMO_PATHS = _paths(DEMO)[1:]
PRICE_PATHS = _paths(PRICES)[1:]

NUMBERS = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, -1, -1.5, 0, 10**19, 2**63, 10**300, DIGITS]),
    st.integers(),
    st.floats(),
)
STRINGS = st.one_of(
    st.sampled_from([
        "", "\ud800", "\udfff x", "x" * 20_000, "2026-11-01T06:00:00", "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z", "1970-01-01T00:00:00+14:00", "nat-04dba26a74c1e7fc3", "subnet-0c4e6a8b1d3f57902",
        "eni-0a1b2c3d4e5f60718", "blackhole", "active", "regional", "private", "lambda", "Inactive", "Failed",
        "=HYPERLINK(\"http://x\")", "\x1b[2J\x1b]0;pwn\x07", "\u202etxt.exe", "<script>alert(1)</script>",
        "0.0.0.0/0", "::/0", "us-east-1", "mars-north-1", "1", "-30", "1e400", "NaN", "var.x", "${file(\"/\")}",
    ]),
    st.text(max_size=30),
)  # fmt: skip
ANYTHING = st.one_of(NUMBERS, STRINGS, st.sampled_from([None, True, False, [], {}, DEEP]))


def _value_for(original: Any) -> st.SearchStrategy[Any]:
    """Mostly a hostile value of the same JSON type (so it passes the schema and reaches the analysis)."""
    if isinstance(original, bool):
        like = st.sampled_from([None, 0, 1, "true"])
    elif isinstance(original, (int, float)):
        like = NUMBERS
    elif isinstance(original, str):
        like = STRINGS
    else:
        like = st.sampled_from([[], {}, None, DEEP])
    return st.one_of(like, like, like, ANYTHING)


@st.composite
def _mutation(draw: Any, base: Any, paths: list[tuple]) -> tuple[str, tuple, Any]:
    kind = draw(st.sampled_from(["set", "set", "set", "set", "delete", "rename", "duplicate", "drop-item"]))
    path = draw(st.sampled_from(paths))
    original: Any = base
    for step in path:
        original = original[step]
    return kind, path, draw(_value_for(original))


def _apply(doc: Any, mutation: tuple[str, tuple, Any]) -> None:
    kind, path, value = mutation
    parent: Any = doc
    for step in path[:-1]:
        try:
            parent = parent[step]
        except (KeyError, IndexError, TypeError):
            return  # an earlier mutation changed the shape: nothing to do
    last = path[-1]
    if isinstance(parent, list) and (not isinstance(last, int) or last >= len(parent)):
        return
    if isinstance(parent, dict) and last not in parent:
        return
    if not isinstance(parent, (dict, list)):
        return
    if kind == "set":
        parent[last] = value
    elif kind == "delete" and isinstance(parent, dict):
        del parent[last]
    elif kind == "rename" and isinstance(parent, dict):
        parent[f"{last}_x"] = parent.pop(last)
    elif kind == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    elif kind == "drop-item" and isinstance(parent, list):
        parent.pop(last)


def _encode(doc: Any) -> bytes:
    text = json.dumps(doc)  # NaN / Infinity as JS literals, surrogates as \ud800 escapes
    text = text.replace(json.dumps(DEEP), "[" * 50_000 + "]" * 50_000).replace(json.dumps(DIGITS), "9" * 5_000)
    return text.encode()


@st.composite
def _file_bytes(draw: Any, base: Any, paths: list[tuple]) -> bytes:
    doc = copy.deepcopy(base)
    for mutation in draw(st.lists(_mutation(base, paths), min_size=1, max_size=3)):
        _apply(doc, mutation)
    data = _encode(doc)
    damage = draw(st.sampled_from(["none"] * 12 + ["truncate", "nul", "gzip", "gzip-truncated"]))
    cut = draw(st.integers(min_value=0, max_value=max(0, len(data) - 1)))
    if damage == "truncate":
        data = data[:cut]
    elif damage == "nul":
        data = data[:cut] + b"\x00" + data[cut:]
    elif damage.startswith("gzip"):
        data = gzip.compress(data, mtime=0)
        data = data[: len(data) // 2] if damage == "gzip-truncated" else data
    return data


# --------------------------------------------------------------------------- the checks


def _previous_set(out: Path) -> dict[str, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    marks = {name: f"previous {name}\n".encode() for name in SET}
    for name, data in marks.items():
        (out / name).write_bytes(data)
    return marks


def _check_run(result: Any, out: Path, marks: dict[str, bytes]) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {type(result.exception).__name__}: {result.exception}") from result.exception
    assert result.exit_code in (0, 1, 2, 3), result.output
    event(f"exit {result.exit_code}")
    assert "Traceback" not in result.output
    now = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert not [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)], "staging folder left behind"
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert now == marks, "a failed run changed the output folder"
    else:
        assert set(now) == set(marks), sorted(now)
        assert not [n for n, data in now.items() if data == marks[n]], "a mixed set: some files not replaced"
        assert json.loads(now["report.json"])["schema_version"] == "2"


def _disk_full_at(n: int | None) -> Any:
    """``os.fsync`` that fails like a full disk on its n-th call (never, for None)."""
    calls = iter(range(10**6))
    real = os.fsync

    def fsync(fd: int) -> None:
        if next(calls) == n:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    return mock.patch("os.fsync", fsync)


def _run(tmp: Path, args: list[str], full_at: int | None = None) -> None:
    out = tmp / "out"
    marks = _previous_set(out)
    with _disk_full_at(full_at):
        result = runner.invoke(app, [*args, "--out", str(out), "--format", "md,json,csv"])
    _check_run(result, out, marks)
    if full_at is not None and full_at < len(SET) and result.exit_code != 2:
        raise AssertionError(f"the disk filled at file {full_at}, yet the run exited {result.exit_code}")


FULL_AT = st.one_of(st.none(), st.none(), st.integers(min_value=0, max_value=len(SET) - 1))


COMMON = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@COMMON
@given(data=_file_bytes(DEMO, DEMO_PATHS), gz_name=st.booleans(), full_at=FULL_AT)
def test_any_mutated_snapshot_ends_cleanly(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, gz_name: bool, full_at: int | None
):
    tmp = tmp_path_factory.mktemp("snap")
    snap = tmp / ("snapshot.json.gz" if gz_name else "snapshot.json")
    snap.write_bytes(data)
    _run(tmp, ["report", str(snap)], full_at)


@COMMON
@given(data=_file_bytes(PRICES, PRICE_PATHS))
def test_any_mutated_price_book_ends_cleanly(tmp_path_factory: pytest.TempPathFactory, data: bytes):
    tmp = tmp_path_factory.mktemp("prices")
    (tmp / "prices.json").write_bytes(data)
    _run(tmp, ["report", str(ROOT / "sample_data/demo_snapshot.json"), "--prices", str(tmp / "prices.json")])


@COMMON
@given(
    cut=st.integers(min_value=0, max_value=len(SUPPRESSIONS)),
    insert=st.one_of(
        st.text(max_size=20),
        st.sampled_from(["\\ud800", '"\\ud800"', "[" * 50_000, "&a [*a, *a]", "\x00", "- ", ": :", "!!python/object"]),
    ),
)
def test_any_mutated_suppression_file_ends_cleanly(tmp_path_factory: pytest.TempPathFactory, cut: int, insert: str):
    tmp = tmp_path_factory.mktemp("supp")
    text = SUPPRESSIONS[:cut] + insert + SUPPRESSIONS[cut:]
    (tmp / "s.yaml").write_bytes(text.encode("utf-8", "surrogatepass"))
    _run(tmp, ["report", str(ROOT / "sample_data/demo_snapshot.json"), "--suppressions", str(tmp / "s.yaml")])
