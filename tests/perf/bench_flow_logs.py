"""Benchmark: `--flow-logs` attribution over v5 text, gzip (not part of the default test run).

    python tests/perf/bench_flow_logs.py                      # 1M, 2M, 5M and 10M records
    python tests/perf/bench_flow_logs.py --sizes 1000000 10000000

For each size it generates the logs (v5 custom format, every v2-v5 field,
gzip, 20 files: a realistic mix of 200 private source addresses over 20 NAT
gateways, each flow leaving its four records on the NAT's ENI), then runs
``read_flow_logs`` in a child process and reports wall time, the child's peak
RSS and the ratio to the first size. Targets on a 2-core machine: 10M records
in <= 15 s and <= 1 GB peak RSS, growing linearly. Nothing generated is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from flowgen import V5  # noqa: E402  (the v5 field list the tests use)

NATS, SOURCES_PER_NAT, FILES = 20, 10, 20
COLLECTED_AT = datetime(2026, 11, 1, 6, tzinfo=UTC)


def snapshot_json() -> str:
    """20 NAT gateways in one VPC each, 10 consumer ENIs per NAT (7 Lambda, 3 EC2)."""
    sys.path.insert(0, str(ROOT))
    from analyzer.models import NatGateway, NetworkInterface, Snapshot

    nats, enis = [], []
    for n in range(NATS):
        vpc = f"vpc-{n:04d}"
        nats.append(NatGateway(account_id="123456789012", region="us-east-1", nat_gateway_id=f"nat-{n:04d}",
                               vpc_id=vpc, subnet_id=f"subnet-pub-{n}", availability_zone="us-east-1a",
                               public_ips=(f"198.51.100.{n}",), private_ips=(f"10.{n}.0.1",),
                               network_interface_ids=(f"eni-nat{n:02d}",)))
        for s in range(SOURCES_PER_NAT):
            enis.append(NetworkInterface(account_id="123456789012", region="us-east-1", vpc_id=vpc,
                                         network_interface_id=f"eni-src{n:02d}{s}", subnet_id=f"subnet-{n}",
                                         interface_type="lambda" if s < 7 else "interface",
                                         private_ip=f"10.{n}.1.{s}"))
    return Snapshot(collected_at=COLLECTED_AT, window_days=30, nat_gateways=tuple(nats),
                    network_interfaces=tuple(enis)).model_dump_json()


def generate(folder: Path, records: int) -> None:
    """``records`` v5 records in FILES gzip files, written by DuckDB (fast, and not what is measured)."""
    import duckdb

    start = int(datetime(2026, 10, 2, tzinfo=UTC).timestamp())
    nat = "(i % 20)"
    src = f"'10.' || {nat} || '.1.' || ((i // 20) % 10)"
    natip = f"'10.' || {nat} || '.0.1'"
    remote = "'203.0.113.' || ((i // 200) % 250)"
    leg = "((i // 7) % 4)"  # 0 source->NAT, 1 NAT->destination, 2 destination->NAT, 3 NAT->source
    values = {
        "version": "5", "account-id": "'123456789012'", "interface-id": f"'eni-nat' || lpad({nat}::VARCHAR, 2, '0')",
        "srcaddr": f"CASE {leg} WHEN 0 THEN {src} WHEN 2 THEN {remote} ELSE {natip} END",
        "dstaddr": f"CASE {leg} WHEN 0 THEN {natip} WHEN 1 THEN {remote} WHEN 2 THEN {natip} ELSE {src} END",
        "srcport": "443", "dstport": "(i % 60000) + 1024", "protocol": "6", "packets": "(i % 90) + 1",
        "bytes": "(i % 9000) + 40", "start": f"{start} + (i % 2592000)", "end": f"{start} + (i % 2592000) + 60",
        "action": "CASE WHEN i % 50 = 0 THEN 'REJECT' ELSE 'ACCEPT' END", "log-status": "'OK'",
        "vpc-id": f"'vpc-' || lpad({nat}::VARCHAR, 4, '0')", "subnet-id": f"'subnet-pub-' || {nat}",
        "instance-id": "'-'", "tcp-flags": "19", "type": "'IPv4'",
        "pkt-srcaddr": f"CASE {leg} WHEN 0 THEN {src} WHEN 1 THEN {natip} ELSE {remote} END",
        "pkt-dstaddr": f"CASE {leg} WHEN 0 THEN {remote} WHEN 1 THEN {remote} WHEN 2 THEN {natip} ELSE {src} END",
        "region": "'us-east-1'", "az-id": "'use1-az1'", "sublocation-type": "'-'", "sublocation-id": "'-'",
        "pkt-src-aws-service": "'-'", "pkt-dst-aws-service": "'-'",
        "flow-direction": "CASE WHEN " + leg + " IN (0, 2) THEN 'ingress' ELSE 'egress' END",
        "traffic-path": "'-'",
    }
    select = ", ".join(f'{values[f]} AS "{f}"' for f in V5)
    con = duckdb.connect()
    per_file = records // FILES
    for k in range(FILES):
        path = folder / f"123456789012_vpcflowlogs_us-east-1_fl-{k:02d}_20261015T0000Z_{k:04x}.log.gz"
        con.execute(f"COPY (SELECT {select} FROM range({k * per_file}, {(k + 1) * per_file}) t(i)) TO '{path}' "
                    "(FORMAT csv, DELIMITER ' ', HEADER, QUOTE '', COMPRESSION gzip)")
    con.close()


CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from analyzer.models import Snapshot
from analyzer.inputs.flow_logs import read_flow_logs
snap = Snapshot.model_validate_json(Path({snap!r}).read_text())
t0, c0 = time.perf_counter(), time.process_time()
read = read_flow_logs(snap, [Path({folder!r})])
print(json.dumps({{"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "records": read.stats.records,
                   "rows": len(read.flow_log_bytes)}}))
"""


def run_child(snap: Path, folder: Path) -> tuple[dict, float]:
    code = CHILD.format(root=str(ROOT), snap=str(snap), folder=str(folder))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.strip())
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return json.loads(proc.stdout.strip().splitlines()[-1]), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 2_000_000, 5_000_000, 10_000_000])
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}; "
          "the machine is shared: CPU time is the figure that does not depend on the neighbours")
    first = None
    with tempfile.TemporaryDirectory() as tmp:
        snap = Path(tmp) / "snapshot.json"
        snap.write_text(snapshot_json())
        for n in args.sizes:
            folder = Path(tmp) / f"logs-{n}"
            folder.mkdir()
            t0 = time.perf_counter()
            generate(folder, n)
            made = time.perf_counter() - t0
            size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
            out, rss = run_child(snap, folder)
            first = first or out["seconds"]
            print(f"{out['records']:>11,} records ({size:6.0f} MiB gzip): attributed in {out['seconds']:6.2f} s "
                  f"(CPU {out['cpu']:6.2f} s, load average {os.getloadavg()[0]:.1f}), "
                  f"peak RSS {rss:6.0f} MiB, x{out['seconds'] / first:5.2f} of the first size, "
                  f"{out['rows']} (NAT, ENI) rows [generated in {made:.0f} s]")
            for p in folder.iterdir():
                p.unlink()


if __name__ == "__main__":
    main()
