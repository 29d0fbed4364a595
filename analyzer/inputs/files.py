"""Which files a ``--flow-logs`` / ``--cur`` path means: a file, or a folder searched recursively."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence
from pathlib import Path

from analyzer.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"


def find_files(paths: Sequence[Path], suffixes: tuple[str, ...], what: str, option: str) -> list[Path]:
    """Every file named, plus every file under a named folder whose name ends in one of ``suffixes``."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(suffixes)
                            and not p.name.startswith("."))
            if not inside:
                raise InputError(f"{option} {path}: no {what} files ({', '.join(suffixes)}) in this folder")
            found.extend(inside)
        else:
            raise InputError(f"{option} {path}: no such file or folder")
    return list(dict.fromkeys(found))


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def first_line(path: Path, option: str) -> str:
    """The first line of a text file, gzip or plain: a header line."""
    try:
        opener = gzip.open if is_gzip(path) else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
            return handle.readline().rstrip("\r\n")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(f"{option} {path}: cannot read ({exc})") from None


def by_suffix(files: Iterable[Path], suffix: str) -> tuple[list[Path], list[Path]]:
    """(files whose name ends in ``suffix``, the others)."""
    files = list(files)
    return ([f for f in files if f.name.lower().endswith(suffix)],
            [f for f in files if not f.name.lower().endswith(suffix)])
