"""Daemon threads for the scan: a hung call never holds the scan, and Ctrl-C never waits for a socket.

``concurrent.futures`` joins its worker threads at interpreter exit, so one
worker blocked in a socket read would keep an interrupted scan alive until
the read times out. Everything here runs on daemon threads instead:

* :func:`fan_out` runs a few independent tasks at once and returns their
  results in order (a unit's calls, its per-function calls);
* :class:`JobRunner` runs jobs (account x region units) with at most
  ``workers`` at a time, each with a deadline: a job past it is reported as
  timed out and its slot freed at once; its thread is left to finish (its
  calls refuse to start once the deadline passed) and its late result is
  dropped.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
POLL = 0.25  # seconds between deadline checks while waiting


@dataclass(frozen=True)
class Failed:
    """A task that raised: the exception, for the caller to record."""

    error: BaseException


@dataclass(frozen=True)
class TimedOut:
    """A job that did not finish before its deadline."""

    seconds: float


def _capture(task: Callable[[], T]) -> T | Failed:
    try:
        return task()
    except Exception as exc:
        return Failed(exc)


def fan_out(tasks: Sequence[Callable[[], T]], limit: int, name: str = "task") -> list[T]:
    """Run ``tasks`` on at most ``limit`` daemon threads; results in task order.

    The first exception a task raised is re-raised once all have finished
    (callers' tasks record their own failures, so this is a bug or a stop).
    """
    if limit <= 1 or len(tasks) <= 1:
        return [task() for task in tasks]
    results: list[Any] = [None] * len(tasks)
    todo = deque(enumerate(tasks))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not todo:
                    return
                index, task = todo.popleft()
            results[index] = _capture(task)

    threads = [threading.Thread(target=work, name=f"{name}-{i}", daemon=True) for i in range(min(limit, len(tasks)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, Failed):
            raise result.error
    return results


class JobRunner(Generic[K, T]):
    """Jobs keyed by ``K``, at most ``workers`` at once, each within ``timeout`` seconds.

    ``run`` yields ``(key, result)`` as jobs end; the result is the job's
    value, :class:`Failed` or :class:`TimedOut`. Jobs may be added while it
    runs (``add``), from the consuming loop.
    """

    def __init__(self, workers: int, timeout: float | None) -> None:
        self.workers = max(1, workers)
        self.timeout = timeout
        self._pending: deque[tuple[K, Callable[[float | None], T]]] = deque()
        self._running: dict[K, float] = {}
        self._done: queue.Queue[tuple[K, float, Any]] = queue.Queue()

    def add(self, key: K, job: Callable[[float | None], T], first: bool = False) -> None:
        """``job(deadline)`` gets the ``time.monotonic()`` deadline it must not start calls after.

        ``first`` puts the job ahead of those waiting (a scan runs an account's
        units before it enters the next account, so few accounts are open at once).
        """
        if first:
            self._pending.appendleft((key, job))
        else:
            self._pending.append((key, job))

    def _start(self) -> None:
        while self._pending and len(self._running) < self.workers:
            key, job = self._pending.popleft()
            started = time.monotonic()
            deadline = started + self.timeout if self.timeout else None
            self._running[key] = started

            def work(key: K = key, job: Callable[[float | None], T] = job, started: float = started,
                     deadline: float | None = deadline) -> None:
                self._done.put((key, started, _capture(lambda: job(deadline))))

            threading.Thread(target=work, name=f"unit-{len(self._running)}", daemon=True).start()

    def _expired(self) -> list[K]:
        if not self.timeout:
            return []
        now = time.monotonic()
        return [key for key, started in self._running.items() if now - started >= self.timeout]

    def run(self) -> Iterator[tuple[K, T | Failed | TimedOut]]:
        self._start()
        while self._running or self._pending:
            try:
                key, started, result = self._done.get(timeout=POLL)
            except queue.Empty:
                pass
            else:
                if self._running.get(key) == started:  # else: a late result of a job that timed out
                    del self._running[key]
                    yield key, result
            for key in self._expired():
                del self._running[key]
                yield key, TimedOut(self.timeout or 0.0)
            self._start()
