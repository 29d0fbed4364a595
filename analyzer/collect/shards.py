"""Account shards in child processes: a large scan spread over the machine's cores.

One Python process runs botocore on one core at a time (the GIL), and
botocore spends about 3 ms of CPU on every call (signing, parsing) and a few
more on every client it creates. An organization scan of a few dozen
accounts is therefore CPU-bound on one core long before the network is
(``tests/perf/bench_org.py``). So once the caller and the account list are
known, the parent forks ``count`` children; child *k* runs an ordinary
:class:`~analyzer.collect.collector.Collector` over every *k*-th account of
the plan with its share of the ``--workers`` call permits, and checkpoints
each account entered and each unit finished into the scan's checkpoint folder
(files of their own, each written atomically). It sends its progress, the
units it gave up on (crashed or past ``--unit-timeout``) and the calls it
made outside units back over a pipe of its own.

When every child has ended, the parent runs the resume pass over the folder
(:mod:`checkpoints`): it merges what the children checkpointed and scans
itself whatever a crashed child left, so the snapshot is the one a single
process writes for the same account state. One account's calls all come from
one child, so AWS's per-account rate limits see what they saw before.

Children are forked, not spawned: they inherit the resolved credentials (no
second MFA prompt or SSO login), the loaded service models and the client
classes. ``fork`` is used on Linux only (macOS frameworks are not fork-safe,
Windows has none); elsewhere, for one account, or with too few call permits,
the scan stays in one process. A child killed outright loses the count of the
AssumeRole calls it made; its accounts are entered again by the parent.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict
from multiprocessing.connection import Connection, wait
from typing import Any

from analyzer.collect.checkpoints import Checkpoints, ScanPlan
from analyzer.collect.clients import ClientFactory
from analyzer.collect.collector import Collector, Progress
from analyzer.collect.progress import ScanStatus, combined
from analyzer.models import CoverageError

MIN_PERMITS = 2  # call permits a child needs to be worth its process (one unit, calls overlapping)
POLL = 0.25  # seconds between checks on the children while no message comes
INTERRUPTED = 130

Unit = tuple[str, str]


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def shard_count(processes: int, accounts: int, workers: int) -> int:
    """How many child processes a scan runs: none (1) unless there are accounts and permits to share."""
    if not can_fork():
        return 1
    return max(1, min(processes, accounts, workers // MIN_PERMITS))


def split(total: int, parts: int) -> list[int]:
    """``total`` permits in ``parts`` shares that differ by at most one and add up to ``total``."""
    return [total // parts + (1 if k < total % parts else 0) for k in range(parts)]


def shard_plans(plan: ScanPlan, count: int) -> list[ScanPlan]:
    """Every ``count``-th account per shard (an organization's accounts are sorted by id), no overhead."""
    return [plan.model_copy(update={"accounts": plan.accounts[k::count], "overhead_calls": {}})
            for k in range(count)]


def _child(index: int, factory: ClientFactory, plan: ScanPlan, out_dir: Any, permits: int, unit_timeout: float,
           pipe: Connection) -> None:
    """One shard, in the forked process: scan, checkpoint, report; Ctrl-C ends it quietly."""
    # The parent's progress display may have held stderr's lock at the fork: fresh streams, fresh locks.
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    sys.stderr = os.fdopen(os.dup(2), "w", buffering=1)
    orphan_watch(os.getppid())
    try:
        own = factory.forked(permits)
        own.add_account(plan.caller_account)

        def progress(status: ScanStatus) -> None:
            pipe.send(("status", index, asdict(status)))

        collector = Collector(own, plan, Checkpoints(out_dir), True, permits, unit_timeout, threading.Event(),
                              progress, shard=True)
        collector.run()
        pipe.send(("done", index, collector.given_up, dict(collector.overhead())))
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)
    except Exception:  # no traceback on the user's terminal: the parent scans this shard's missing units itself
        sys.exit(1)


def orphan_watch(parent: int) -> None:
    """End this child at once if its parent dies (killed outright, it cannot stop its children itself)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL)
        os._exit(INTERRUPTED)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


class ShardRun:
    """The children of one scan, and what they sent back."""

    def __init__(self, factory: ClientFactory, plan: ScanPlan, book: Checkpoints, count: int, workers: int,
                 unit_timeout: float, on_progress: Progress | None) -> None:
        self.factory, self.book, self.on_progress = factory, book, on_progress
        self.plans = shard_plans(plan, count)
        self.permits = split(workers, count)
        self.unit_timeout = unit_timeout
        self.given_up: dict[Unit, CoverageError] = {}
        self.overhead: Counter[str] = Counter()
        self.statuses = [ScanStatus(accounts_total=len(p.accounts)) for p in self.plans]
        self.started = ScanStatus().started

    def run(self) -> None:
        """Fork the children and wait for all of them; a child that dies is noted, never fatal.

        Each child writes to a pipe of its own, not to a shared queue: a child killed while writing would
        hold a shared queue's lock forever and block the others; a dead child only closes its own pipe.
        """
        context = multiprocessing.get_context("fork")
        children, pipes = [], {}
        try:
            for k, plan in enumerate(self.plans):
                reader, writer = context.Pipe(duplex=False)
                child = context.Process(target=_child, name=f"lambda-egress-shard-{k}", daemon=True,
                                        args=(k, self.factory, plan, self.book.root.parent, self.permits[k],
                                              self.unit_timeout, writer))
                child.start()
                writer.close()  # the child's end: once the child is gone, reading ends (EOF)
                children.append(child)
                pipes[reader] = k
            while pipes:
                for reader in wait(list(pipes), timeout=POLL):
                    try:
                        kind, index, *payload = reader.recv()
                    except (EOFError, OSError):  # ended: after its "done", or died (its units are scanned again)
                        del pipes[reader]
                        reader.close()
                        continue
                    self._take(kind, index, payload)
        finally:
            for child in children:
                if child.is_alive():
                    child.terminate()
            for child in children:
                child.join(timeout=5)

    def _take(self, kind: str, index: int, payload: list[Any]) -> None:
        if kind == "status":
            self.statuses[index] = ScanStatus(**payload[0])
            if self.on_progress is not None:
                self.on_progress(combined(self.statuses, self.started))
        elif kind == "done":
            self.given_up.update(payload[0])
            self.overhead.update(payload[1])


def run_shards(factory: ClientFactory, plan: ScanPlan, book: Checkpoints, count: int, workers: int,
               unit_timeout: float, on_progress: Progress | None) -> ShardRun:
    """Scan ``plan``'s accounts in ``count`` child processes, checkpointing into ``book``."""
    shards = ShardRun(factory, plan, book, count, workers, unit_timeout, on_progress)
    shards.run()
    return shards
