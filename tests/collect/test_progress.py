"""progress.py and the scan's status line on stderr: the numbers an operator reads, nothing off a terminal."""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console

from analyzer import cli
from analyzer.collect import scan as scan_module
from analyzer.collect.progress import ScanStatus


def test_expected_units_and_time_left_follow_the_accounts_entered() -> None:
    status = ScanStatus(accounts_total=10, accounts_entered=4, accounts_failed=1, units_known=6, units_done=3,
                        started=time.monotonic() - 30)
    assert status.units_expected == 6 + round(6 * 6 / 4)  # 6 accounts still to enter, at 1.5 units each: 15
    assert status.eta == pytest.approx(30 / 3 * (15 - 3), rel=0.05)  # 10 s a unit, 12 units to go
    resumed = ScanStatus(accounts_total=2, accounts_entered=2, units_known=4, units_done=2, units_resumed=2)
    assert resumed.eta is None  # units taken from checkpoints say nothing about this run's pace
    assert ScanStatus().units_expected == 0 and ScanStatus().eta is None


def status(**fields: int) -> ScanStatus:
    return ScanStatus(**fields, last="222222222222/eu-west-1")


def test_the_cli_shows_the_status_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=250))

    def fake_scan(request, on_progress):
        on_progress(status(accounts_total=5, accounts_entered=3, accounts_failed=1, units_known=6, units_done=4,
                           api_calls=57, throttles=2))
        return "snapshot"

    monkeypatch.setattr(scan_module, "run_scan", fake_scan)
    assert cli._scan_with_progress(object()) == "snapshot"
    shown = screen.getvalue()
    for text in ("Scanned 222222222222/eu-west-1", "4/10 regions", "accounts 3/5 (1 failed)",
                 "57 API calls (2 throttled)", "elapsed", "left"):
        assert text in shown, text


def test_the_cli_is_quiet_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=False))
    monkeypatch.setattr(scan_module, "run_scan", lambda request, on_progress: on_progress(status(units_done=1)))
    cli._scan_with_progress(object())
    assert screen.getvalue() == ""
