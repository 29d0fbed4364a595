"""What a scan reports while it runs: units and accounts done, API calls, throttles, time left.

The collector fills a :class:`ScanStatus` and hands it to the caller's
callback after every account entered and every unit finished; the CLI draws
it with rich on stderr. Nothing here prints.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields


@dataclass
class ScanStatus:
    accounts_total: int = 0
    accounts_entered: int = 0  # entered or given up on
    accounts_failed: int = 0
    units_known: int = 0  # units of the accounts entered so far
    units_done: int = 0  # finished, timed out, crashed, or from a checkpoint
    units_failed: int = 0  # timed out or crashed
    units_resumed: int = 0  # taken from checkpoints, not scanned again
    api_calls: int = 0  # this run's
    throttles: int = 0  # throttled attempts, this run's
    last: str = ""  # "account/region" of the last unit done
    started: float = field(default_factory=time.monotonic)
    updated: float = 0.0  # time.monotonic() of the last change reported (0: none yet)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def units_expected(self) -> int:
        """Units known so far, plus the accounts not yet entered at the average regions per entered account."""
        pending = self.accounts_total - self.accounts_entered
        per_account = self.units_known / self.accounts_entered if self.accounts_entered else 0
        return self.units_known + round(pending * per_account)

    @property
    def eta(self) -> float | None:
        """Seconds left at this run's pace, once it has one (``None`` before the first unit is scanned)."""
        scanned = self.units_done - self.units_resumed
        if scanned <= 0 or self.units_expected <= 0:
            return None
        return self.elapsed / scanned * max(self.units_expected - self.units_done, 0)

    def line(self) -> str:
        """One plain line (for logs and tests); the CLI lays the same numbers out with rich."""
        eta = "?" if self.eta is None else f"{self.eta:.0f}s"
        return (f"units {self.units_done}/{self.units_expected} ({self.units_failed} failed), "
                f"accounts {self.accounts_entered}/{self.accounts_total} ({self.accounts_failed} failed), "
                f"{self.api_calls} API calls, {self.throttles} throttled, {self.elapsed:.0f}s elapsed, {eta} left")


COUNTS = tuple(f.name for f in fields(ScanStatus) if f.type in ("int", int))


def combined(parts: Sequence[ScanStatus], started: float) -> ScanStatus:
    """One status for a scan run in several processes: their counts added, the latest unit, one clock."""
    total = ScanStatus(**{name: sum(getattr(p, name) for p in parts) for name in COUNTS}, started=started)
    total.last = next((p.last for p in sorted(parts, key=lambda p: p.updated, reverse=True) if p.last), "")
    return total
