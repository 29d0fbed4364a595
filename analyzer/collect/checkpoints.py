"""Checkpoints in the output folder, so a killed or crashed scan continues where it stopped.

``DIR/scan-checkpoints/`` holds, each file written atomically as soon as its
part is done::

    scan.json                      what the scan is: caller, collected_at, window, regions, accounts, options,
                                   and the calls made outside units so far
    accounts/<account id>.json     the account was entered: its regions, or the error that kept it out
    units/<account id>/<region>.json
                                   one finished account x region, as a one-unit snapshot file

``scan --resume DIR`` reads them, scans only the units (and enters only the
accounts) still missing, and merges everything into the snapshot a scan
without the interruption would have written. A damaged unit file is scanned
again. The folder is removed once the snapshot and reports are written.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analyzer.errors import ConfigError, SnapshotError
from analyzer.files import atomic_write_text
from analyzer.models import Account, CoverageError, Snapshot
from analyzer.snapshot import read_snapshot, write_snapshot

FOLDER = "scan-checkpoints"
PLAN_FILE = "scan.json"
PLAN_VERSION = 1


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScanPlan(_Record):
    """What a resumed scan must scan again exactly as the first run would have."""

    version: int = PLAN_VERSION
    caller_account: str
    collected_at: datetime
    days: int
    regions: tuple[str, ...] = ()  # empty: every enabled region of each account
    org: bool = False
    role_name: str | None = None
    accounts_file: str | None = None
    include_metrics: bool = True
    include_function_state: bool = True
    accounts: tuple[Account, ...] = ()
    overhead_calls: dict[str, int] = Field(default_factory=dict)  # calls outside any unit, all runs so far


class AccountEntry(_Record):
    account_id: str
    regions: tuple[str, ...] = ()
    error: CoverageError | None = None


class Checkpoints:
    """The checkpoint folder of one output folder."""

    def __init__(self, out_dir: Path) -> None:
        self.root = Path(out_dir) / FOLDER

    def exists(self) -> bool:
        return (self.root / PLAN_FILE).is_file()

    def save_plan(self, plan: ScanPlan) -> None:
        atomic_write_text(self.root / PLAN_FILE, plan.model_dump_json(indent=1))

    def load_plan(self) -> ScanPlan:
        path = self.root / PLAN_FILE
        try:
            plan = ScanPlan.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            raise ConfigError(f"{self.root.parent}: no unfinished scan to resume (no {FOLDER}/{PLAN_FILE})") from None
        except (OSError, ValidationError, ValueError) as exc:
            raise ConfigError(f"{path}: not a readable scan checkpoint ({type(exc).__name__})") from None
        if plan.version != PLAN_VERSION:
            raise ConfigError(f"{path}: checkpoint version {plan.version} is not supported")
        return plan

    def save_account(self, entry: AccountEntry) -> None:
        atomic_write_text(self.root / "accounts" / f"{entry.account_id}.json", entry.model_dump_json())

    def accounts(self) -> dict[str, AccountEntry]:
        found: dict[str, AccountEntry] = {}
        for path in sorted((self.root / "accounts").glob("*.json")):
            try:
                entry = AccountEntry.model_validate_json(path.read_bytes())
            except (OSError, ValidationError, ValueError, json.JSONDecodeError):
                continue  # entered again
            found[entry.account_id] = entry
        return found

    def unit_path(self, account_id: str, region: str) -> Path:
        return self.root / "units" / account_id / f"{region}.json"

    def save_unit(self, account_id: str, region: str, piece: Snapshot) -> None:
        write_snapshot(piece, self.unit_path(account_id, region))

    def units(self, accounts: Iterable[str] | None = None) -> dict[tuple[str, str], Snapshot]:
        """The finished units (of ``accounts`` only, when given); a damaged file counts as not finished."""
        wanted = None if accounts is None else set(accounts)
        found: dict[tuple[str, str], Snapshot] = {}
        for path in sorted((self.root / "units").glob("*/*.json")):
            if wanted is not None and path.parent.name not in wanted:
                continue
            try:
                found[(path.parent.name, path.stem)] = read_snapshot(path)
            except SnapshotError:
                continue  # scanned again
        return found

    def unit_count(self) -> int:
        """How many unit files there are (without reading them)."""
        return sum(1 for _ in (self.root / "units").glob("*/*.json"))

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
