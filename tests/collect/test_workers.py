"""workers.py: daemon fan-out in order, job deadlines that free the slot, crashes that are results."""

from __future__ import annotations

import threading
import time

import pytest

from analyzer.collect.workers import Failed, JobRunner, TimedOut, fan_out


def test_fan_out_keeps_task_order_overlaps_and_stays_within_the_limit() -> None:
    running, peak, lock = [0], [0], threading.Lock()

    def task(i: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02 * (5 - i % 5))  # later tasks finish first
        with lock:
            running[0] -= 1
        return i * i

    assert fan_out([lambda i=i: task(i) for i in range(10)], limit=3) == [i * i for i in range(10)]
    assert peak[0] == 3
    assert all(t.daemon for t in threading.enumerate() if t.name.startswith("task-"))


def test_fan_out_reraises_the_first_failure_after_all_tasks_ran() -> None:
    ran: list[int] = []

    def task(i: int) -> int:
        ran.append(i)
        if i == 1:
            raise RuntimeError("boom")
        return i

    with pytest.raises(RuntimeError, match="boom"):
        fan_out([lambda i=i: task(i) for i in range(4)], limit=2)
    assert sorted(ran) == [0, 1, 2, 3]


def test_a_job_past_its_deadline_is_reported_its_slot_freed_and_its_late_result_dropped() -> None:
    release = threading.Event()
    deadlines: dict[str, float | None] = {}

    def hung(deadline: float | None) -> str:
        deadlines["hung"] = deadline
        release.wait(5)
        return "late"

    def quick(deadline: float | None) -> str:
        return "fine"

    def crash(deadline: float | None) -> str:
        raise ValueError("unexpected")

    runner: JobRunner[str, str] = JobRunner(workers=1, timeout=0.3)
    for key, job in (("hung", hung), ("quick", quick), ("crash", crash)):
        runner.add(key, job)
    started = time.monotonic()
    outcomes = []
    for key, outcome in runner.run():
        outcomes.append((key, outcome))
        if key == "hung":
            release.set()  # its result now arrives while the others run: it must be dropped
    elapsed = time.monotonic() - started

    assert [k for k, _ in outcomes] == ["hung", "quick", "crash"]
    assert outcomes[0][1] == TimedOut(0.3) and outcomes[1][1] == "fine"
    assert isinstance(outcomes[2][1], Failed) and str(outcomes[2][1].error) == "unexpected"
    assert elapsed < 2  # one worker, yet the hung job did not hold the others for its 5 s
    assert deadlines["hung"] is not None and deadlines["hung"] - started == pytest.approx(0.3, abs=0.1)
