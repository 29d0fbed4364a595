"""File I/O at the edges: bounded reads of input files, atomic writes, and staged report sets.

* ``read_limited``: an input file (snapshot, price book, suppressions) read whole, but never more than a
  bound, and never from a device: ``/dev/zero`` or a 40 GB file is one error line, not an exhausted memory.
* ``parse_json``: JSON whose every failure (syntax, depth, a 5,000-digit number, a lone surrogate) is
  one error line.
* ``atomic_write_bytes``: one file through a temporary file and a rename.
* ``write_file_set``: every output of a run written into a staging folder inside the output folder, then
  moved into place together. A failure (disk full, a folder where a file should be, Ctrl-C) leaves the
  previous set as it was, and the error names the files that were not replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pydantic_core

from analyzer.errors import OutputError, UserError

STAGING_PREFIX = ".lambda-egress-staging-"
_CHUNK = 1 << 20


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def size_text(size: int) -> str:
    """``1 GiB``, ``16 MiB``, ``512 KiB``, ``100 bytes``: the largest unit that divides the size."""
    for shift, unit in ((30, "GiB"), (20, "MiB"), (10, "KiB")):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return f"{size >> shift} {unit}"
    return f"{size:,} bytes"


# --------------------------------------------------------------------------- reading


def read_limited(path: Path, limit: int, error: type[UserError], label: str, noun: str = "file") -> bytes:
    """The bytes of ``path`` (a regular file or a pipe), refused past ``limit`` bytes.

    Every problem is one ``error`` line starting with ``label``.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise error(f"{label}: is a folder, not a {noun}")
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise error(f"{label}: not a regular file (a device or socket?)")
        if stat.S_ISREG(mode) and path.stat().st_size > limit:
            raise error(f"{label}: larger than the {size_text(limit)} limit for a {noun}")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise error(f"{label}: no such {noun}") from None
    except OSError as exc:
        raise error(f"{label}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise error(f"{label}: larger than the {size_text(limit)} limit for a {noun}")
    return data


def _surrogate_at(data: Any) -> str | None:
    """The path of the first string (key or value) holding a lone surrogate, which no UTF-8 file can hold."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if not value.isascii() and any("\ud800" <= c <= "\udfff" for c in value):
                return where or "(top level)"
        elif isinstance(value, dict):
            for key, item in value.items():
                stack.append((f"{where}.{key}" if where else str(key), key))
                stack.append((f"{where}.{key}" if where else str(key), item))
        elif isinstance(value, list):
            stack.extend((f"{where}.{i}" if where else str(i), item) for i, item in enumerate(value))
    return None


def _locate(raw: bytes) -> str:
    """Where pydantic-core's parser stops on input the standard one cannot say where it fails on."""
    try:
        pydantic_core.from_json(raw)
    except ValueError as exc:
        return str(exc)
    return "unreadable JSON"


def parse_json(raw: bytes, label: str, error: type[UserError]) -> Any:
    """JSON from bytes; every failure (bad UTF-8, syntax, depth, a 5,000-digit integer) is one ``error`` line."""
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise error(f"{label}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise error(f"{label}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise error(f"{label}: not valid JSON (nested too deeply: {_locate(raw)})") from None
    except ValueError:  # Python's limit of 4,300 digits for an integer
        raise error(f"{label}: not valid JSON ({_locate(raw)}: a number of thousands of digits)") from None
    where = _surrogate_at(data)
    if where is not None:
        raise error(f"{label}: {where}: a lone surrogate (\\ud800-\\udfff escape) is not text")
    return data


# --------------------------------------------------------------------------- one file


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


# --------------------------------------------------------------------------- a set of files


def _not_replaced(out_dir: Path, names: list[str]) -> str:
    return f"nothing in {out_dir} was replaced ({', '.join(names)} not written; any previous ones kept)"


def _remove_dead_stages(out_dir: Path) -> None:
    """Staging folders left by a run that was killed (its pid is gone)."""
    for stage in out_dir.glob(f"{STAGING_PREFIX}*"):
        pid = stage.name.removeprefix(STAGING_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(stage, ignore_errors=True)
        except OSError:
            pass  # alive, owned by someone else


def _stage(out_dir: Path, files: Mapping[str, bytes]) -> Path:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _remove_dead_stages(out_dir)
        stage = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out_dir))
    except OSError as exc:
        reason = exc.strerror or exc
        raise OutputError(f"cannot write {out_dir}: {reason}; {_not_replaced(out_dir, [*files])}") from None
    try:
        for name, data in files.items():
            try:
                (stage / name).parent.mkdir(parents=True, exist_ok=True)  # "runbooks/x.md"
                with open(stage / name, "xb") as handle:  # umask permissions, unlike mkstemp's 0600
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError as exc:
                raise OutputError(
                    f"cannot write {out_dir / name}: {exc.strerror or exc}; {_not_replaced(out_dir, [*files])}"
                ) from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return stage


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[Callable[[], bool]]:
    """Hold Ctrl-C for the few renames of a commit; the body asks whether one arrived."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    arrived: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: arrived.append(signum))
    try:
        yield lambda: bool(arrived)
    finally:
        signal.signal(signal.SIGINT, previous)
    if arrived and previous is not signal.SIG_IGN:
        raise KeyboardInterrupt


def _keep_previous(target: Path, backup: Path) -> bool:
    """Hard-link (or copy) the file at ``target`` into the backup folder; False when there is none."""
    if not target.exists() and not target.is_symlink():
        return False
    if target.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(target))
    try:
        os.link(target, backup, follow_symlinks=False)
    except OSError:
        shutil.copy2(target, backup, follow_symlinks=False)
    return True


def _commit(stage: Path, out_dir: Path, names: list[str], stale: list[str]) -> None:
    """Move every staged file into place and remove the ``stale`` ones, or none of it: on any failure (or
    Ctrl-C), put the previous files back."""
    backups = stage / ".previous"
    backups.mkdir()
    done: list[tuple[str, Path | None]] = []  # (name, its previous file's backup), in the order replaced
    with _sigint_deferred() as interrupted:
        try:
            for i, name in enumerate([*names, *stale]):
                backup = backups / str(i)
                had = _keep_previous(out_dir / name, backup)
                if name in stale:
                    done.append((name, backup))
                    (out_dir / name).unlink()
                    continue
                (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(stage / name, out_dir / name)
                done.append((name, backup if had else None))
            if interrupted():
                raise KeyboardInterrupt
        except BaseException as exc:
            _roll_back(out_dir, done)
            if isinstance(exc, OSError):
                where = Path(exc.filename).name if exc.filename else "a file"
                raise OutputError(
                    f"cannot replace {out_dir / where}: {exc.strerror or exc}; {_not_replaced(out_dir, names)}"
                ) from None
            if isinstance(exc, KeyboardInterrupt) and interrupted():
                return  # rolled back; _sigint_deferred raises the interrupt once the handler is restored
            raise


def _roll_back(out_dir: Path, done: list[tuple[str, Path | None]]) -> None:
    for name, backup in reversed(done):
        with contextlib.suppress(OSError):
            if backup is not None:
                os.replace(backup, out_dir / name)
            else:
                (out_dir / name).unlink()


def _stale(out_dir: Path, names: list[str], owned: tuple[str, ...]) -> list[str]:
    """Files in the ``owned`` sub-folders of ``out_dir`` that the new set does not have (a NAT gone since)."""
    keep = set(names)
    stale = []
    for folder in owned:
        if (out_dir / folder).is_dir() and not (out_dir / folder).is_symlink():
            stale += sorted(n for p in (out_dir / folder).iterdir()
                            if p.is_file() and (n := f"{folder}/{p.name}") not in keep)
    return stale


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_file_set(out_dir: Path, files: Mapping[str, bytes], owned: tuple[str, ...] = ()) -> list[Path]:
    """Write ``files`` (name -> bytes; a name may hold one sub-folder, ``runbooks/x.md``) into ``out_dir``
    as one set: all replaced, or none.

    Files are moved in the mapping's order, so put the one that must never stand beside an older set
    (a scan's snapshot) last. Files of ``out_dir`` not in ``files`` are left alone, except in the ``owned``
    sub-folders, which the set owns whole: their files the set lacks are removed with it (and put back
    with it on a failure).
    """
    out_dir = Path(out_dir)
    names = list(files)
    stage = _stage(out_dir, files)
    try:
        _commit(stage, out_dir, names, _stale(out_dir, names, owned))
        _sync_dir(out_dir)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [out_dir / name for name in names]
