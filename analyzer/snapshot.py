"""Read and write Snapshot files (``.json`` or ``.json.gz``) with schema checks.

Every way a file can be wrong (missing, not gzip, not JSON, wrong schema
version, a missing or mistyped field) becomes one :class:`SnapshotError` line.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

from pydantic import ValidationError

from analyzer.errors import SnapshotError
from analyzer.files import atomic_write_bytes
from analyzer.models import SNAPSHOT_SCHEMA_VERSION, Snapshot


def _is_gzip(path: Path) -> bool:
    return path.name.endswith(".gz")


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when the name ends in ``.gz``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SnapshotError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SnapshotError(f"{path}: is a folder, not a snapshot file") from None
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read ({exc.strerror})") from None
    if _is_gzip(path) or raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise SnapshotError(f"{path}: not a valid gzip file ({exc})") from None
    return raw


def load_json(path: Path) -> dict:
    raw = read_bytes(path)
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise SnapshotError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise SnapshotError(f"{path}: expected a JSON object at the top level, found {type(data).__name__}")
    return data


def describe_validation_error(exc: ValidationError) -> str:
    """The first problem of a pydantic error as ``field.path: message``, plus a count of the rest."""
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def parse_snapshot(data: dict, source: str = "snapshot") -> Snapshot:
    version = data.get("schema_version")
    if version is None:
        raise SnapshotError(f"{source}: missing schema_version; is this a lambda-egress snapshot?")
    if str(version) != SNAPSHOT_SCHEMA_VERSION:
        raise SnapshotError(
            f"{source}: snapshot schema_version {version!r} is not supported "
            f"(this version reads {SNAPSHOT_SCHEMA_VERSION!r})"
        )
    try:
        return Snapshot.model_validate(data)
    except ValidationError as exc:
        raise SnapshotError(f"{source}: invalid snapshot: {describe_validation_error(exc)}") from None


def read_snapshot(path: Path) -> Snapshot:
    """Parse straight from bytes (pydantic-core, fast); on any problem, re-read slowly for a precise message."""
    path = Path(path)
    raw = read_bytes(path)
    try:
        snapshot = Snapshot.model_validate_json(raw)
    except ValidationError:
        snapshot = None
    if snapshot is not None and snapshot.schema_version == SNAPSHOT_SCHEMA_VERSION:
        return snapshot
    return parse_snapshot(load_json(path), source=str(path))


def dump_snapshot(snapshot: Snapshot) -> bytes:
    return snapshot.model_dump_json(exclude_defaults=False).encode("utf-8")


def write_snapshot(snapshot: Snapshot, path: Path) -> Path:
    """Write atomically; gzip when the name ends in ``.gz``."""
    path = Path(path)
    data = dump_snapshot(snapshot)
    if _is_gzip(path):
        data = gzip.compress(data, compresslevel=6, mtime=0)
    atomic_write_bytes(path, data)
    return path
