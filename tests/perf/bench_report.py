"""Benchmark: `lambda-egress report` on synthetic snapshots (not part of the default test run).

    python tests/perf/bench_report.py                 # 10,000 and 50,000 functions
    python tests/perf/bench_report.py --sizes 2000 10000

For each size it writes a synthetic snapshot (tests/perf/synth.py), then runs
the real CLI (`python -m analyzer report FILE --format json,html`) in a
subprocess and reports wall time, peak memory of the child, and the ratio to
the first size. Targets on a 2-core machine: 10,000 functions under 5 s, and
50,000 in no more than 6x the 10,000 time (no quadratic joins).
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _synth():
    spec = importlib.util.spec_from_file_location("synth", HERE / "synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(snapshot: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one CLI run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "analyzer", "report", str(snapshot), "--out", str(out), "--format", "json,html"],
        capture_output=True, text=True,
    )
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 3):
        raise SystemExit(f"report failed ({proc.returncode}): {proc.stderr.strip()}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best is reported")
    args = parser.parse_args()
    synth = _synth()
    print(f"machine: {platform.processor() or platform.machine()}, {len(__import__('os').sched_getaffinity(0))} "
          f"cores, Python {platform.python_version()}")
    first = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            snap = Path(tmp) / f"synth-{n}.json.gz"
            t0 = time.perf_counter()
            synth.write(synth.build_snapshot(n, seed=1), snap)
            made = time.perf_counter() - t0
            runs = [_run(snap, Path(tmp) / f"out-{n}") for _ in range(args.repeat)]
            wall = min(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            first = first or wall
            html = (Path(tmp) / f"out-{n}" / "report.html").stat().st_size / 2**20
            print(f"{n:>7,} functions: report {wall:6.2f} s (best of {args.repeat}), peak RSS {rss:7.0f} MiB, "
                  f"report.html {html:5.1f} MiB, x{wall / first:4.2f} of the first size "
                  f"[snapshot built in {made:.1f} s]")


if __name__ == "__main__":
    main()
