"""A run's outputs are one set: all replaced, or none (disk full, a folder in the way, Ctrl-C).

The previous set is written first with marker contents, so every assertion can tell an old file from a
new one byte for byte.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.errors import OutputError, PriceError
from analyzer.files import STAGING_PREFIX, write_file_set
from analyzer.models import CoverageError
from analyzer.pipeline import ReportOptions, load_inputs, write_scan
from analyzer.snapshot import read_snapshot

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sample_data/demo_snapshot.json"
REPORTS = ("report.md", "report.json", "decisions.csv", "findings.csv", "costs.csv")
runner = CliRunner()


def previous(out: Path, names=REPORTS) -> dict[str, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    marks = {name: f"previous {name}\n".encode() for name in names}
    for name, data in marks.items():
        (out / name).write_bytes(data)
    return marks


def contents(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


def no_staging(out: Path) -> bool:
    return not any(p.name.startswith(STAGING_PREFIX) for p in out.iterdir())


def fail_on_call(n: int, error: BaseException):
    """A replacement for ``os.fsync`` that raises ``error`` on its n-th call (0-based)."""
    calls = iter(range(10**6))
    real = os.fsync

    def fsync(fd: int) -> None:
        if next(calls) == n:
            raise error
        real(fd)

    return fsync


# --------------------------------------------------------------------------- write_file_set


def test_a_set_replaces_every_file_and_leaves_nothing_else(tmp_path):
    out = tmp_path / "out"
    previous(out, ("a.txt", "b.txt"))
    (out / "other.txt").write_text("not ours")
    paths = write_file_set(out, {"a.txt": b"new a", "b.txt": b"new b", "c.txt": b"new c"})
    assert [p.name for p in paths] == ["a.txt", "b.txt", "c.txt"]
    assert contents(out) == {"a.txt": b"new a", "b.txt": b"new b", "c.txt": b"new c", "other.txt": b"not ours"}
    umask = os.umask(0)
    os.umask(umask)
    assert (out / "c.txt").stat().st_mode & 0o777 == 0o666 & ~umask
    assert no_staging(out)


@pytest.mark.parametrize("full_at", [0, 1, 2])
def test_disk_full_while_staging_keeps_the_previous_set_and_names_the_files(tmp_path, full_at):
    out = tmp_path / "out"
    marks = previous(out, ("a.txt", "b.txt", "c.txt"))
    enospc = OSError(errno.ENOSPC, "No space left on device")
    with mock.patch("os.fsync", fail_on_call(full_at, enospc)), pytest.raises(OutputError) as info:
        write_file_set(out, {"a.txt": b"1", "b.txt": b"2", "c.txt": b"3"})
    message = str(info.value)
    assert f"cannot write {out / ['a.txt', 'b.txt', 'c.txt'][full_at]}: No space left on device" in message
    assert f"nothing in {out} was replaced (a.txt, b.txt, c.txt not written" in message
    assert contents(out) == marks
    assert no_staging(out)


def test_a_folder_in_the_way_rolls_back_the_files_already_moved(tmp_path):
    out = tmp_path / "out"
    marks = previous(out, ("a.txt",))
    (out / "b.txt").mkdir()  # a.txt is replaced first, then b.txt cannot be
    with pytest.raises(OutputError, match=r"cannot replace .*b\.txt: Is a directory; nothing in .* was replaced"):
        write_file_set(out, {"a.txt": b"new a", "new.txt": b"brand new", "b.txt": b"new b"})
    assert contents(out) == marks  # a.txt restored, new.txt (no previous) removed again
    assert (out / "b.txt").is_dir()
    assert no_staging(out)


def test_an_unwritable_folder_is_one_error_and_writes_nothing(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    with pytest.raises(OutputError, match=r"cannot write .*taken: File exists; nothing in .*taken was replaced"):
        write_file_set(blocker, {"a.txt": b"x"})
    assert blocker.read_text() == "a file, not a folder"


def test_ctrl_c_while_staging_keeps_the_previous_set(tmp_path):
    out = tmp_path / "out"
    marks = previous(out, ("a.txt", "b.txt"))
    with mock.patch("os.fsync", fail_on_call(1, KeyboardInterrupt())), pytest.raises(KeyboardInterrupt):
        write_file_set(out, {"a.txt": b"1", "b.txt": b"2"})
    assert contents(out) == marks
    assert no_staging(out)


def test_a_real_sigint_between_two_renames_is_held_then_rolled_back(tmp_path):
    """The signal arrives after the first file is in place: the commit finishes, is undone, then Ctrl-C."""
    out = tmp_path / "out"
    marks = previous(out, ("a.txt", "b.txt", "c.txt"))
    real_replace = os.replace
    count = iter(range(100))

    def replace(src, dst):
        real_replace(src, dst)
        if next(count) == 0:
            os.kill(os.getpid(), signal.SIGINT)

    with mock.patch("os.replace", replace), pytest.raises(KeyboardInterrupt):
        write_file_set(out, {"a.txt": b"1", "b.txt": b"2", "c.txt": b"3"})
    assert contents(out) == marks
    assert no_staging(out)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back


def test_staging_folders_of_killed_runs_are_cleared(tmp_path):
    out = tmp_path / "out"
    dead = out / f"{STAGING_PREFIX}999999999-abc"  # no such pid
    alive = out / f"{STAGING_PREFIX}{os.getppid()}-def"  # a live process: may still be writing
    for folder in (dead, alive):
        folder.mkdir(parents=True)
        (folder / "report.md").write_text("half")
    write_file_set(out, {"a.txt": b"x"})
    assert not dead.exists() and alive.exists()


# --------------------------------------------------------------------------- through the CLI


def test_cli_disk_full_is_exit_2_one_line_and_the_previous_set(tmp_path):
    out = tmp_path / "out"
    marks = previous(out)
    enospc = OSError(errno.ENOSPC, "No space left on device")
    with mock.patch("os.fsync", fail_on_call(2, enospc)):
        result = runner.invoke(app, ["report", str(DEMO), "--out", str(out), "--format", "md,json,csv"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: cannot write {out / 'decisions.csv'}: No space left on device; nothing in {out} was replaced "
        "(report.md, report.json, decisions.csv, findings.csv, costs.csv not written; any previous ones kept)"
    ]
    assert contents(out) == marks


def test_cli_ctrl_c_while_writing_is_exit_130_and_the_previous_set(tmp_path):
    out = tmp_path / "out"
    marks = previous(out)
    with mock.patch("os.fsync", fail_on_call(1, KeyboardInterrupt())):
        result = runner.invoke(app, ["report", str(DEMO), "--out", str(out), "--format", "md,json,csv"])
    assert result.exit_code == 130
    assert contents(out) == marks and no_staging(out)


SIGINT_WHILE_WRITING = """
import os, signal, sys
calls = iter(range(100))
real = os.fsync
def fsync(fd):
    if next(calls) == 1:
        os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, delivered while the set is being staged
    real(fd)
os.fsync = fsync
sys.argv = ["lambda-egress", "report", sys.argv[1], "--out", sys.argv[2], "--format", "md,json,csv"]
from analyzer.cli import main
main()
"""


def test_console_script_real_sigint_while_writing_is_exit_130(tmp_path):
    out = tmp_path / "out"
    marks = previous(out)
    proc = subprocess.run([sys.executable, "-c", SIGINT_WHILE_WRITING, str(DEMO), str(out)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr
    assert contents(out) == marks and no_staging(out)


# --------------------------------------------------------------------------- a scan's snapshot


def _options(out: Path) -> ReportOptions:
    return ReportOptions(out_dir=out, formats=("md", "json", "csv"))


def test_scan_writes_its_snapshot_last_in_the_same_set(tmp_path):
    out = tmp_path / "out"
    previous(out, (*REPORTS, "snapshot.json"))
    snapshot = read_snapshot(DEMO)
    outcome = write_scan(snapshot, _options(out), load_inputs(_options(out)), "snapshot.json")
    assert [p.name for p in outcome.paths] == [*REPORTS, "snapshot.json"]
    assert read_snapshot(out / "snapshot.json") == snapshot
    assert json.loads((out / "report.json").read_text())["collected_at"] == "2026-11-01T06:00:00Z"


@pytest.mark.parametrize("failure", [PriceError("price book (x.json) has no nat_hour price for region eu-west-1"),
                                     RuntimeError("a bug in the analysis")], ids=["user-error", "bug"])
def test_a_failed_analysis_after_a_scan_keeps_the_previous_set_and_the_scan_aside(tmp_path, monkeypatch, failure):
    out = tmp_path / "out"
    marks = previous(out, (*REPORTS, "snapshot.json.gz"))
    snapshot = read_snapshot(DEMO)
    options = _options(out)
    inputs = load_inputs(options)

    def fail(*_args, **_kwargs):
        raise failure

    monkeypatch.setattr("analyzer.pipeline.analyze", fail)
    with pytest.raises(type(failure)) as info:
        write_scan(snapshot, options, inputs, "snapshot.json.gz")
    aside = out / "snapshot.unreported.json.gz"
    kept = f"the scan is kept in {aside}: run `lambda-egress report {aside}` once fixed"
    text = str(info.value) if isinstance(failure, PriceError) else " ".join(info.value.__notes__)
    assert kept in text
    assert {n: d for n, d in contents(out).items() if n != aside.name} == marks
    assert read_snapshot(aside) == snapshot


def test_a_nat_deleted_during_the_scan_is_a_gap_and_the_snapshot_reads_back(tmp_path):
    """The route tables were read before the NAT was deleted: an active route to a NAT the scan lacks."""
    out = tmp_path / "out"
    snapshot = read_snapshot(DEMO)
    gone = snapshot.nat_gateways[0]
    scanned = snapshot.model_copy(update={"nat_gateways": snapshot.nat_gateways[1:]})
    outcome = write_scan(scanned, _options(out), load_inputs(_options(out)), "snapshot.json")
    assert outcome.exit_code == 3
    errors = read_snapshot(out / "snapshot.json").coverage.errors
    assert [(e.account_id, e.region, e.operation, e.error_code) for e in errors] == [
        (gone.account_id, gone.region, "DescribeRouteTables", "RouteToMissingNatGateway")
    ]
    assert gone.nat_gateway_id in errors[0].message
    report = json.loads((out / "report.json").read_text())
    assert CoverageError.model_validate(report["coverage"]["errors"][0]) == errors[0]
