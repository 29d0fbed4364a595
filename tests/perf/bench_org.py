"""Benchmark: `lambda-egress scan --org` over N member accounts x 2 regions, behind a latency proxy.

    python tests/perf/bench_org.py [--accounts 5,20,50] [--latency 0.06] [--skip-sequential] [--pin] [--replay]

A moto server on 127.0.0.1 holds an organization whose member accounts each
have the estate of tests/collect/moto_seed.py in every region (a VPC, a NAT
gateway, 5 functions, Lambda ENIs). The loopback proxy of
tests/collect/aws_proxy.py adds ``--latency`` seconds to every API call, as a
real region does. For each N the real CLI runs three ways: the defaults (its accounts sharded over one
process per usable core), ``--processes 1`` (one process, the default
workers) and ``--workers 1`` (one call at a time). The table shows wall time,
speedup, the CPU seconds of the scan (its child processes included) and of
the simulated AWS, peak RSS of the scan process and of its largest child, and
the RSS each additional account costs. ``--pin`` puts the simulated AWS on the
first core and the scan on the others, as real AWS runs on its own machines
(on a 2-core machine the scan then has one core, so it runs in one process).
``--replay`` answers every request the proxy has seen before from moto's
first answer (a first, unreported scan fills it), so the simulated AWS costs
little CPU and the scan's own CPU is what bounds it, as against real AWS.
Not a timed test: it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "collect")]

from moto_seed import client, seed_estate  # noqa: E402
from moto_server import MotoServer  # noqa: E402

REGIONS = ("us-east-1", "eu-west-1")
ROLE = "LambdaEgressReadOnly"
# Runs the CLI and leaves its own peak RSS (KiB), its CPU seconds with its shards', and the largest
# shard's peak RSS (KiB) in the file named by BENCH_RSS_FILE. VmHWM, not getrusage's ru_maxrss for
# the scan itself: Linux carries the parent's peak (this process, holding moto's state) into a forked
# child's ru_maxrss, which would count moto's growth as the scan's. A shard's ru_maxrss includes the
# pages it shares with the scan process it was forked from.
LAUNCHER = (
    "import atexit, os, resource, runpy, sys\n"
    "def peak():\n"
    "    hwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
    "    use = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "    cpu = use.ru_utime + use.ru_stime + kids.ru_utime + kids.ru_stime\n"
    "    open(os.environ['BENCH_RSS_FILE'], 'w').write(f'{hwm.split()[1]} {cpu} {kids.ru_maxrss}')\n"
    "atexit.register(peak)\n"
    "sys.argv = ['lambda-egress', *sys.argv[1:]]\n"
    "runpy.run_module('analyzer', run_name='__main__')\n"
)


def add_members(url: str, count: int, start: int) -> list[str]:
    orgs = client("organizations", "us-east-1", url)
    made = []
    for i in range(start, start + count):
        account = orgs.create_account(AccountName=f"member-{i:03d}", Email=f"m{i}@example.com")
        made.append(account["CreateAccountStatus"]["AccountId"])
        for region in REGIONS:
            seed_estate(region, url, account=made[-1])
    return made


def scan(server: MotoServer, options: list[str], cores: set[int] | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        rss_file = Path(out) / "rss"
        args = ["scan", "--org", "--role-name", ROLE, *[a for r in REGIONS for a in ("--region", r)],
                "--out", out, "--format", "json", *options]
        env = {**os.environ, "AWS_ENDPOINT_URL": server.url, "BENCH_RSS_FILE": str(rss_file)}
        started, moto_cpu = time.perf_counter(), time.process_time()
        run = subprocess.run([sys.executable, "-c", LAUNCHER, *args], cwd=REPO, env=env, capture_output=True,
                             text=True, check=False,
                             preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None)
        wall, moto_cpu = time.perf_counter() - started, time.process_time() - moto_cpu
        if run.returncode not in (0, 1):
            raise SystemExit(f"scan failed (exit {run.returncode}): {run.stderr.strip()[-500:]}")
        snapshot = json.loads((Path(out) / "snapshot.json").read_text())
        rss_kb, scan_cpu, child_kb = rss_file.read_text().split()
        return {"wall": wall, "rss_mb": int(rss_kb) / 1024, "scan_cpu": float(scan_cpu), "moto_cpu": moto_cpu,
                "child_mb": int(child_kb) / 1024,
                "functions": len(snapshot["functions"]), "calls": sum(snapshot["coverage"]["api_calls"].values())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default="5,20,50", help="comma-separated member counts, ascending")
    parser.add_argument("--latency", type=float, default=0.06, help="seconds added to every API call")
    parser.add_argument("--skip-sequential", action="store_true", help="only the defaults and --processes 1")
    parser.add_argument("--pin", action="store_true", help="the simulated AWS on core 0, the scan on the others")
    parser.add_argument("--replay", action="store_true",
                        help="answer repeated requests from moto's first answer (after one unreported scan)")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.accounts.split(","))
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    cores = None
    if args.pin:
        available = sorted(os.sched_getaffinity(0))
        if len(available) < 2:
            raise SystemExit("--pin needs 2 cores or more")
        os.sched_setaffinity(0, {available[0]})  # before moto's threads start: they inherit it
        cores = set(available[1:])
    server = MotoServer()
    server.start()
    rows = []
    try:
        client("organizations", "us-east-1", server.moto_url).create_organization(FeatureSet="ALL")
        members = 0
        for size in sizes:
            started = time.perf_counter()
            members += len(add_members(server.moto_url, size - members, members))
            print(f"seeded {members} members x {len(REGIONS)} regions ({time.perf_counter() - started:.0f}s)",
                  flush=True)
            assert server.layer is not None
            server.layer.delay = args.latency
            if args.replay:
                server.layer.replay = {}  # moto's state grew (ListAccounts above all): answers from now on
                scan(server, [], cores)  # fills the replay with this N's requests
            default = scan(server, [], cores)
            one = scan(server, ["--processes", "1"], cores)
            sequential = None if args.skip_sequential else scan(server, ["--workers", "1"], cores)
            server.layer.delay = 0.0
            rows.append((size, default, sequential))
            speedup = f"{sequential['wall'] / default['wall']:.1f}x" if sequential else "-"
            print(f"N={size:3}: default {default['wall']:6.1f}s, scan {default['rss_mb']:.0f} MB + largest shard "
                  f"{default['child_mb']:.0f} MB | --processes 1 {one['wall']:6.1f}s {one['rss_mb']:.0f} MB | "
                  f"--workers 1 {sequential['wall'] if sequential else float('nan'):6.1f}s | speedup {speedup} | "
                  f"{default['functions']} functions, {default['calls']} API calls | CPU s: scan "
                  f"{default['scan_cpu']:.1f} (--processes 1: {one['scan_cpu']:.1f}), moto + proxy "
                  f"{default['moto_cpu']:.1f}", flush=True)
    finally:
        server.stop()
    for (n0, d0, _), (n1, d1, _) in pairwise(rows):
        per_account = (d1["rss_mb"] + d1["child_mb"] - d0["rss_mb"] - d0["child_mb"]) / (n1 - n0)
        print(f"peak RSS per additional account, N={n0} -> N={n1}: {per_account:.2f} MB (scan + largest shard; "
              "while N x regions is below the units run at once, more accounts also mean more units in flight)")
    if args.replay:
        print("replay: requests seen before answered by the proxy from moto's first answer")
    where = (f"the simulated AWS on core {sorted(os.sched_getaffinity(0))[0]}, the scan on {sorted(cores)}"
             if cores else "the moto server shares them with the scan")
    print(f"latency {args.latency * 1000:.0f} ms per call, {len(REGIONS)} regions, {os.cpu_count()} cores ({where})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
