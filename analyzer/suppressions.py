"""Suppressions: accepted risks, read from a YAML file and applied to findings.

A suppressed finding is not dropped: it stays in report.json with
``suppressed: true`` and the reason, so an accepted risk remains visible and
auditable. Suppressions expire, so an acceptance is revisited rather than
forgotten. The file format::

    suppressions:
      - rule_id: shared-eni
        resource_id: subnet-0abc
        reason: "All three functions call the same partner; one EIP is intended."
        expires: 2026-12-31   # optional
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from analyzer.errors import ConfigError
from analyzer.files import read_limited
from analyzer.models import Finding, Suppression
from analyzer.rules import RULES

_REQUIRED = ("rule_id", "resource_id", "reason")
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that leaves dates as strings.

    SafeLoader builds dates while parsing, so '2026-13-01' fails with a bare
    ValueError that cannot name its entry; as a string it is checked per entry.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_FIELDS = (*_REQUIRED, "expires")
# A suppression file of a few hundred entries is tens of KB; past this bound it is not one.
MAX_SUPPRESSIONS_BYTES = 16 << 20


def load_suppressions(path: str | Path) -> tuple[Suppression, ...]:
    """Read and validate a suppression file; any problem is a one-line ConfigError."""
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict) or "suppressions" not in data:
        raise ConfigError(f"suppression file {path}: expected a top-level 'suppressions:' list")
    entries = data["suppressions"]
    if not isinstance(entries, list):
        raise ConfigError(
            f"suppression file {path}: 'suppressions' must be a list, not {type(entries).__name__}"
        )
    return tuple(_entry(path, i, entry) for i, entry in enumerate(entries))


def _read_yaml(path: Path) -> Any:
    raw = read_limited(path, MAX_SUPPRESSIONS_BYTES, ConfigError, f"suppression file {path}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"suppression file {path}: not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: no object construction
    except yaml.reader.ReaderError as exc:  # a NUL or another character YAML does not allow
        raise ConfigError(
            f"suppression file {path}: bad YAML at character {exc.position}: {exc.reason} (#x{exc.character:04x})"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"suppression file {path}: bad YAML{where}: {problem}") from None
    except RecursionError:
        raise ConfigError(f"suppression file {path}: bad YAML: nested too deeply") from None


def _text(where: str, name: str, value: Any) -> str:
    """A non-empty string that UTF-8 can hold (a YAML "\\ud800" escape makes a lone surrogate)."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: missing or empty field '{name}' (a string)")
    if any("\ud800" <= c <= "\udfff" for c in value):
        raise ConfigError(f"{where}: field '{name}' holds a lone surrogate (\\ud800-\\udfff), which is not text")
    return value.strip()


def _entry(path: Path, index: int, entry: Any) -> Suppression:
    """Validate one list entry; errors name the file and ``suppressions[index]``."""
    where = f"suppression file {path}: suppressions[{index}]"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a mapping with {', '.join(_REQUIRED)}")
    unknown = sorted(str(k) for k in entry if k not in _FIELDS)
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(_FIELDS)}")
    rule_id, resource_id, reason = (_text(where, name, entry.get(name)) for name in _REQUIRED)
    if rule_id not in RULES:
        raise ConfigError(f"{where}: unknown rule_id '{rule_id}'; known: {', '.join(RULES)}")
    return Suppression(
        rule_id=rule_id, resource_id=resource_id, reason=reason, expires=_expiry(where, entry.get("expires"))
    )


def _expiry(where: str, value: Any) -> date | None:
    """A YYYY-MM-DD date (a string from the loader, or a date); times and other values are errors."""
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"{where}: 'expires' must be a date (YYYY-MM-DD), got {value!r}")


def _matches(s: Suppression, f: Finding) -> bool:
    return s.rule_id == f.rule_id and s.resource_id in f.resource_ids


def apply_suppressions(
    findings: Iterable[Finding], suppressions: Iterable[Suppression], today: date
) -> tuple[tuple[Finding, ...], tuple[str, ...]]:
    """Mark findings covered by a live suppression; return them with notes on stale suppressions.

    The first live suppression in file order that matches a finding gives the
    reason. Expired suppressions no longer hide anything; they, and live ones
    that match no finding (fixed or renamed resources), come back as notes so
    the file gets cleaned up.
    """
    findings = tuple(findings)
    suppressions = tuple(suppressions)
    live = [s for s in suppressions if s.expires is None or s.expires >= today]
    out = []
    for f in findings:
        hit = next((s for s in live if _matches(s, f)), None)
        if hit is not None and not f.suppressed:
            f = f.model_copy(update={"suppressed": True, "suppression_reason": hit.reason})
        out.append(f)
    return tuple(out), _notes(findings, suppressions, today)


def _notes(
    findings: tuple[Finding, ...], suppressions: tuple[Suppression, ...], today: date
) -> tuple[str, ...]:
    notes = []
    for s in suppressions:
        count = sum(1 for f in findings if _matches(s, f))
        label = f"suppression {s.rule_id} / {s.resource_id}"
        if s.expires is not None and s.expires < today:
            shown = f"; {count} matching finding(s) are reported again" if count else ""
            notes.append(f"{label} expired on {s.expires.isoformat()}{shown}")
        elif count == 0:
            notes.append(f"{label} matched no finding (resource fixed or gone?): consider removing it")
    return tuple(notes)
