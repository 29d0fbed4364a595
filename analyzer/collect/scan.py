"""A live scan: what to scan (the request, or a checkpointed plan), then one Collector run -> Snapshot.

A failed call, a denied region, a unit that crashes or runs past
``--unit-timeout``: each is a coverage error, and the other units go on
(:mod:`collector`, :mod:`unit`). With a checkpoint folder every entered
account and finished unit is saved as it completes, and ``--resume`` scans
only what is missing there (:mod:`checkpoints`). Ctrl-C ends the scan at
once with :class:`~analyzer.errors.Interrupted`.
"""

from __future__ import annotations

import gc
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analyzer.collect.accounts import target_accounts
from analyzer.collect.checkpoints import Checkpoints, ScanPlan
from analyzer.collect.clients import ClientFactory
from analyzer.collect.collector import Collector, Progress
from analyzer.collect.session import caller_account, open_session, validate_regions
from analyzer.collect.shards import run_shards, shard_count
from analyzer.collect.unit import UNIT_SERVICES
from analyzer.errors import ConfigError, Interrupted
from analyzer.models import Snapshot

MAX_DAYS = 455  # CloudWatch keeps hourly (and so daily) data for 455 days
DEFAULT_UNIT_TIMEOUT = 300.0
DEFAULT_WORKERS = 32  # API calls in flight at once: sized for network latency, not for CPU cores


@dataclass(frozen=True)
class ScanRequest:
    profile: str | None = None
    regions: tuple[str, ...] = ()  # empty: every enabled region
    org: bool = False
    role_name: str | None = None
    accounts_file: Path | None = None
    days: int = 30
    workers: int = DEFAULT_WORKERS  # API calls in flight at once (half as many units at once)
    unit_timeout: float = DEFAULT_UNIT_TIMEOUT  # seconds one account x region may take
    now: datetime | None = None  # tests; default: current UTC time
    # What only the cost/risk analysis needs. `verify` turns both off: it reads
    # topology and public IPs alone, so it costs a handful of List/Describe
    # calls per region instead of one call per function plus CloudWatch.
    include_metrics: bool = True  # GetMetricData series and the EIP quota (GetServiceQuota)
    include_function_state: bool = True  # GetFunctionConfiguration per VPC function
    checkpoints: Path | None = None  # the output folder to checkpoint into (None: no checkpoints)
    # Child processes the accounts are sharded over (:mod:`shards`; needs checkpoints and 2+ accounts).
    # 1 here for library callers; the CLI's default is the usable cores.
    processes: int = 1
    resume: bool = False  # continue the scan checkpointed there (its plan wins over the fields above)


def _check(request: ScanRequest) -> None:
    if not 1 <= request.days <= MAX_DAYS:
        raise ConfigError(f"--days must be between 1 and {MAX_DAYS}, got {request.days}")
    if request.processes < 1:
        raise ConfigError(f"--processes must be at least 1, got {request.processes}")
    if request.workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {request.workers}")
    if request.unit_timeout <= 0:
        raise ConfigError(f"--unit-timeout must be more than 0 seconds, got {request.unit_timeout:g}")
    if request.resume and request.checkpoints is None:
        raise ConfigError("--resume needs the folder of the scan to continue")


def new_plan(request: ScanRequest, factory: ClientFactory, caller_id: str, regions: tuple[str, ...]) -> ScanPlan:
    accounts = target_accounts(factory, caller_id, request.org, request.accounts_file, request.role_name)
    collected_at = (request.now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return ScanPlan(caller_account=caller_id, collected_at=collected_at, days=request.days, regions=regions,
                    org=request.org, role_name=request.role_name,
                    accounts_file=str(request.accounts_file) if request.accounts_file else None,
                    include_metrics=request.include_metrics, include_function_state=request.include_function_state,
                    accounts=tuple(accounts))


def resumed_plan(book: Checkpoints, caller_id: str) -> ScanPlan:
    plan = book.load_plan()
    if plan.caller_account != caller_id:
        raise ConfigError(f"{book.root.parent} is a scan by account {plan.caller_account}; these credentials are "
                          f"account {caller_id}'s: resume it with the same identity")
    return plan


def run_scan(request: ScanRequest, on_progress: Progress | None = None) -> Snapshot:
    """The snapshot of the accounts and regions the request names; ``on_progress`` after each step.

    Ctrl-C stops the scan within a poll interval, even with calls blocked in
    a socket read (their threads are daemons): :class:`Interrupted`, exit 130.
    What was checkpointed stays, for ``--resume``.
    """
    _check(request)
    session = open_session(request.profile)
    regions = validate_regions(session, request.regions)
    factory = ClientFactory(session, permits=request.workers)
    book = Checkpoints(request.checkpoints) if request.checkpoints is not None else None
    if book is not None and book.exists() and not request.resume:
        raise ConfigError(f"{request.checkpoints} holds an unfinished scan: continue it with --resume "
                          f"{request.checkpoints}, or delete {book.root} to start over")
    if book is not None and request.resume:
        book.load_plan()  # no plan, no resume: say so before any AWS call
    stop = threading.Event()
    try:
        caller_id = caller_account(factory)
        factory.add_account(caller_id)
        if book is not None and request.resume:
            plan = resumed_plan(book, caller_id)
        else:
            plan = new_plan(request, factory, caller_id, regions)
        collector = Collector(factory, plan, book, request.resume, request.workers, request.unit_timeout, stop,
                              on_progress)
        if book is not None and not request.resume:
            collector.save_overhead()
        count = shard_count(request.processes, len(plan.accounts), request.workers) if book is not None else 1
        with settled_heap(factory):
            if book is not None and count > 1:
                shards = run_shards(factory, plan, book, count, request.workers, request.unit_timeout, on_progress)
                # The resume pass: the children's checkpoints merged, what a crashed child left scanned here.
                overhead = Counter(plan.overhead_calls) + shards.overhead
                plan = plan.model_copy(update={"overhead_calls": dict(overhead)})
                collector = Collector(factory, plan, book, True, request.workers, request.unit_timeout, stop,
                                      on_progress, settled=shards.given_up)
            collector.run()
    except KeyboardInterrupt:
        stop.set()  # calls still in flight start nothing new; their threads die with the process
        raise Interrupted(interrupted_message(request)) from None
    if book is not None:
        collector.save_overhead()
    return collector.snapshot()


@contextmanager
def settled_heap(factory: ClientFactory) -> Iterator[None]:
    """Load what every unit needs, then keep the process's long-lived objects out of the garbage collector's scans.

    The service models are hundreds of thousands of dicts and lists that live as long as the scan; every full
    collection walked them again (on a 20-account scan, collections were a fifth of the scan's CPU). They are
    frozen before any unit runs, and before shards fork, so the children's collections neither walk nor copy
    the pages they share with the parent. The heap is given back as it was; a process that froze its own heap
    already is left as it is.
    """
    factory.warm(UNIT_SERVICES)
    if gc.get_freeze_count():
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def interrupted_message(request: ScanRequest) -> str:
    if request.checkpoints is None:
        return "scan interrupted; nothing was written"
    book = Checkpoints(request.checkpoints)
    done = book.unit_count() if book.exists() else 0
    return (f"scan interrupted; {done} region(s) done are checkpointed in {book.root}: "
            f"continue with `lambda-egress scan --resume {request.checkpoints}`")


def discard_checkpoints(out_dir: Path) -> None:
    """Remove the checkpoint folder of a scan whose outputs are all written."""
    Checkpoints(out_dir).discard()
