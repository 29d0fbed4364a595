"""One scan run's engine: accounts entered and units scanned as one stream, merged, checkpointed.

Accounts are entered (role assumed, regions listed) and their account x region
units scanned on the same bounded set of workers, an entered account's units
ahead of the next account, so only a few accounts are open at a time and
memory stays flat however many the organization has. Each finished unit is
checkpointed (when there is a checkpoint folder) and merged at once; its
clients are already closed, and its account's session is dropped with its
last unit. The merged snapshot is sorted, so the same account state always
gives the same file, resumed or not.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from analyzer import __version__
from analyzer.collect.accounts import GLOBAL, enter_account
from analyzer.collect.checkpoints import AccountEntry, Checkpoints, ScanPlan
from analyzer.collect.clients import ClientFactory
from analyzer.collect.context import UnitContext, describe_failure
from analyzer.collect.progress import ScanStatus
from analyzer.collect.session import enabled_regions
from analyzer.collect.unit import UnitResult, scan_unit, unit_failure
from analyzer.collect.workers import Failed, JobRunner, TimedOut
from analyzer.models import Account, Coverage, CoverageError, Snapshot

Progress = Callable[[ScanStatus], None]

# Snapshot field -> the record attribute that identifies it within a region.
RECORD_IDS = {
    "functions": "arn",
    "vpcs": "vpc_id",
    "subnets": "subnet_id",
    "route_tables": "route_table_id",
    "nat_gateways": "nat_gateway_id",
    "network_interfaces": "network_interface_id",
    "elastic_ips": "allocation_id",
    "internet_gateways": "internet_gateway_id",
    "vpc_endpoints": "vpc_endpoint_id",
    "prefix_lists": "prefix_list_id",
    "eip_quotas": "region",
}
FIELDS = (*RECORD_IDS, "metrics")


def units_at_once(workers: int) -> int:
    """Units running at once for ``workers`` call permits: half as many, as each keeps several calls in flight.

    More units would only wait for permits while holding their clients (a few MB each).
    """
    return max(1, workers // 2)


def _sorted_records(name: str, records: Iterable[Any]) -> tuple[Any, ...]:
    if name == "metrics":
        return tuple(sorted(records, key=lambda m: (m.account_id, m.region, m.namespace, m.dimension_value,
                                                    m.metric_name, m.stat)))
    ident = RECORD_IDS[name]
    return tuple(sorted(records, key=lambda r: (r.account_id, r.region, getattr(r, ident))))



class Collector:
    """One scan run: enters accounts, scans units, merges, checkpoints, reports progress."""

    def __init__(self, factory: ClientFactory, plan: ScanPlan, book: Checkpoints | None, resume: bool,
                 workers: int, unit_timeout: float, stop: threading.Event, on_progress: Progress | None,
                 settled: dict[tuple[str, str], CoverageError] | None = None, shard: bool = False) -> None:
        """``settled``: units already given up on elsewhere (a shard's), kept as their errors, not scanned.

        ``shard``: this collector is one of several sharing the checkpoint folder (:mod:`shards`): it
        checkpoints its accounts and units, but the plan file is its parent's, and its records are
        not kept in memory (the parent merges them from the folder).
        """
        self.factory, self.plan, self.book, self.resume = factory, plan, book, resume
        self.unit_timeout, self.stop, self.on_progress = unit_timeout, stop, on_progress
        self.settled = dict(settled or {})
        self.shard = shard
        self.given_up: dict[tuple[str, str], CoverageError] = {}  # this run's units that crashed or timed out
        self.merged: dict[str, list[Any]] = {name: [] for name in FIELDS}
        self.errors: list[CoverageError] = []
        self.regions: set[str] = set(plan.regions)
        self.unit_calls: Counter[str] = Counter()  # calls of the units merged (this run's and checkpointed ones)
        self.run_unit_calls: Counter[str] = Counter()  # this run's share of them
        self.remaining: dict[str, int] = {}  # account -> units not done yet (its session is dropped at 0)
        self.done_units: set[tuple[str, str]] = set()  # (account, region) taken from checkpoints
        self.status = ScanStatus(accounts_total=len(plan.accounts))
        self.runner: JobRunner[tuple[str, ...], Any] = JobRunner(units_at_once(workers), unit_timeout)

    # ------------------------------------------------------------ the run

    def run(self) -> None:
        ids = {a.account_id for a in self.plan.accounts}
        entries = self.book.accounts() if self.book and self.resume else {}
        done = self.book.units(ids) if self.book and self.resume else {}
        self.done_units = set(done) | set(self.settled)
        for piece in done.values():
            self.merge(piece)
            self.status.units_resumed += 1
        for error in self.settled.values():
            self.errors.append(error)
            self.status.units_done += 1
            self.status.units_failed += 1
        for account in self.plan.accounts:
            entry = entries.get(account.account_id)
            missing = [] if entry is None else [r for r in entry.regions if not self.is_done(account.account_id, r)]
            if entry is not None and (entry.error is not None or not missing):
                self.entered(entry, [])
            else:
                self.runner.add(("account", account.account_id),
                                lambda _, a=account, e=entry: self.enter(a, e.regions if e else None))
        for key, outcome in self.runner.run():
            if key[0] == "account":
                self.account_done(key[1], outcome)
            else:
                self.unit_done(key[1], key[2], outcome)
            self.report()

    def enter(self, account: Account, known_regions: tuple[str, ...] | None) -> AccountEntry:
        """Assume the role and list the regions (or take them from the checkpoint); runs on a worker."""
        operation = "AssumeRole"
        try:
            error = enter_account(self.factory, self.plan.caller_account, account.account_id, self.plan.role_name)
            if error is not None:
                return AccountEntry(account_id=account.account_id, error=error)
            regions = known_regions if known_regions is not None else self.plan.regions
            if not regions:
                operation = "DescribeRegions"
                regions = tuple(enabled_regions(self.factory, account.account_id))
            return AccountEntry(account_id=account.account_id, regions=regions)
        except Exception as exc:  # recorded, never raised: one account never stops the others
            code, message = describe_failure(exc)
            return AccountEntry(account_id=account.account_id, error=CoverageError(
                account_id=account.account_id, region=GLOBAL, operation=operation, error_code=code, message=message))

    def account_done(self, account_id: str, outcome: AccountEntry | Failed | TimedOut) -> None:
        if not isinstance(outcome, AccountEntry):  # cannot happen short of a bug in enter(); still a gap
            error = unit_failure(account_id, GLOBAL, outcome, self.unit_timeout)
            outcome = AccountEntry(account_id=account_id, error=error.model_copy(update={"operation": "AssumeRole"}))
        if self.book is not None:
            self.book.save_account(outcome)
            if not self.shard:
                self.save_overhead()
        self.entered(outcome, [r for r in outcome.regions if not self.is_done(account_id, r)])

    def entered(self, entry: AccountEntry, to_scan: list[str]) -> None:
        self.status.accounts_entered += 1
        self.status.units_known += len(entry.regions)
        self.regions.update(entry.regions)
        if entry.error is not None:
            self.errors.append(entry.error)
            self.status.accounts_failed += 1
            self.factory.release(entry.account_id)
            return
        self.remaining[entry.account_id] = len(to_scan)
        for region in to_scan:
            self.runner.add(("unit", entry.account_id, region), self.unit_job(entry.account_id, region), first=True)
        if not to_scan:
            self.factory.release(entry.account_id)

    def unit_job(self, account_id: str, region: str) -> Callable[[float | None], UnitResult]:
        def job(deadline: float | None) -> UnitResult:
            clients = self.factory.for_unit(account_id, region)
            ctx = UnitContext(account_id=account_id, region=region, clients=clients, deadline=deadline,
                              stop=self.stop)
            try:
                return scan_unit(ctx, self.plan.collected_at, self.plan.days, self.plan.include_metrics,
                                 self.plan.include_function_state)
            finally:
                clients.close()

        return job

    def unit_done(self, account_id: str, region: str, outcome: UnitResult | Failed | TimedOut) -> None:
        if isinstance(outcome, Failed | TimedOut):
            self.given_up[(account_id, region)] = error = unit_failure(account_id, region, outcome, self.unit_timeout)
            self.errors.append(error)
            self.status.units_done += 1
            self.status.units_failed += 1
        else:
            piece = self.piece(account_id, region, outcome)
            if self.book is not None:
                self.book.save_unit(account_id, region, piece)
            self.merge(piece)
            self.run_unit_calls.update(outcome.api_calls)
        self.status.last = f"{account_id}/{region}"
        self.remaining[account_id] -= 1
        if self.remaining[account_id] == 0:
            self.factory.release(account_id)

    # ------------------------------------------------------------ records

    def is_done(self, account_id: str, region: str) -> bool:
        return (account_id, region) in self.done_units

    def piece(self, account_id: str, region: str, result: UnitResult) -> Snapshot:
        """One unit's records as a one-unit snapshot (the checkpoint file, and what is merged)."""
        return Snapshot(
            tool_version=__version__, collected_at=self.plan.collected_at, window_days=self.plan.days,
            **{name: tuple(result.records.get(name, ())) for name in FIELDS},
            coverage=Coverage(accounts=(account_id,), regions=(region,), errors=tuple(result.errors),
                              api_calls=result.api_calls),
        )

    def merge(self, piece: Snapshot) -> None:
        if not self.shard:
            for name in FIELDS:
                self.merged[name].extend(getattr(piece, name))
        self.errors.extend(piece.coverage.errors)
        self.unit_calls.update(piece.coverage.api_calls)
        self.regions.update(piece.coverage.regions)
        self.status.units_done += 1

    def overhead(self) -> Counter[str]:
        """Calls outside the units merged: previous runs' plus this run's (identity, accounts, roles, regions)."""
        this_run = Counter(self.factory.counter.snapshot())
        this_run.subtract(self.run_unit_calls)
        return Counter(self.plan.overhead_calls) + +this_run

    def save_overhead(self) -> None:
        assert self.book is not None
        self.book.save_plan(self.plan.model_copy(update={"overhead_calls": dict(self.overhead())}))

    def report(self) -> None:
        self.status.api_calls = self.factory.counter.total
        self.status.throttles = self.factory.counter.throttles
        self.status.updated = time.monotonic()
        if self.on_progress is not None:
            self.on_progress(self.status)

    def snapshot(self) -> Snapshot:
        calls = self.unit_calls + self.overhead()
        return Snapshot(
            tool_version=__version__,
            collected_at=self.plan.collected_at,
            window_days=self.plan.days,
            accounts=self.plan.accounts,
            **{name: _sorted_records(name, records) for name, records in self.merged.items()},
            coverage=Coverage(
                accounts=tuple(a.account_id for a in self.plan.accounts),
                regions=tuple(sorted(self.regions)),
                errors=tuple(sorted(self.errors,
                                    key=lambda e: (e.account_id, e.region, e.operation, e.error_code, e.message))),
                api_calls=dict(sorted(calls.items())),
            ),
        )
