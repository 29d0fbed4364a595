"""Atomic writes: normal permissions, no temp files left, one-line errors."""

from __future__ import annotations

import os
import stat

import pytest

from analyzer.errors import OutputError
from analyzer.files import atomic_write_text


def test_writes_with_normal_permissions_and_no_leftovers(tmp_path):
    path = tmp_path / "deep" / "report.md"
    atomic_write_text(path, "hello")
    assert path.read_text() == "hello"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    assert [p.name for p in path.parent.iterdir()] == ["report.md"]


def test_a_file_where_the_folder_should_be_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("I am a file")
    with pytest.raises(OutputError, match=r"cannot write .*out/report\.md"):
        atomic_write_text(blocker / "report.md", "x")
    assert blocker.read_text() == "I am a file"


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "report.json"
    path.write_text("old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OutputError, match="No space left on device"):
        atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
