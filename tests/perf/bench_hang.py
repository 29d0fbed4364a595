"""Benchmark: how long the real ``lambda-egress scan`` takes when AWS stops answering.

    python tests/perf/bench_hang.py [--case call|region|both] [--unit-timeout S]

Two regions on a moto server behind the fault proxy (tests/collect/aws_proxy.py),
with the default timeouts, retries and ``--unit-timeout``: eu-west-1 answers,
us-west-2 hangs. ``call``: one operation (DescribeNatGateways) never answers;
``region``: no call to us-west-2 ever answers. Prints the wall time, the exit
code and the gaps recorded. Not a timed test: it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "collect")]

from moto_seed import seed_estate  # noqa: E402
from moto_server import Fault, MotoServer  # noqa: E402

HOME, HUNG = "eu-west-1", "us-west-2"
CASES = {
    "call": Fault("ec2", HUNG, "DescribeNatGateways", "hang"),
    "region": Fault("*", HUNG, "*", "hang"),
}


def run_case(server: MotoServer, name: str, extra: list[str]) -> None:
    assert server.layer is not None
    server.layer.faults[:] = [CASES[name]]
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "analyzer", "scan", "--region", HOME, "--region", HUNG, "--out", out,
                   "--format", "json", *extra]
        env = {**os.environ, "AWS_ENDPOINT_URL": server.url, "AWS_DEFAULT_REGION": HOME}
        started = time.perf_counter()
        run = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        report = json.loads((Path(out) / "report.json").read_text()) if (Path(out) / "report.json").exists() else {}
    errors = report.get("coverage", {}).get("errors", [])
    gaps = sorted({(e["region"], e["operation"], e["error_code"]) for e in errors})
    healthy = sum(1 for f in report.get("functions", []) if f["region"] == HOME)
    print(f"hung {name:6}: {wall:6.1f}s wall, exit {run.returncode}, {healthy} functions from {HOME}, gaps {gaps}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["call", "region", "both"], default="both")
    parser.add_argument("--unit-timeout", type=float, default=None, help="passed to scan (default: scan's own)")
    args = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    extra = ["--unit-timeout", str(args.unit_timeout)] if args.unit_timeout else []
    server = MotoServer()
    server.start()
    try:
        for region in (HOME, HUNG):
            seed_estate(region, server.moto_url)
        for name in (["call", "region"] if args.case == "both" else [args.case]):
            run_case(server, name, extra)
    finally:
        server.stop()
    print(f"({os.cpu_count()} cores; defaults: connect 5 s, read 15 s, call budget 45 s, 10 attempts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
