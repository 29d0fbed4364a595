"""Benchmark: `--cur` reconciliation of a CUR 2.0 month in Parquet (not part of the default test run).

    python tests/perf/bench_cur.py                    # 5,000,000 line items
    python tests/perf/bench_cur.py --sizes 1000000 5000000

For each size it writes one month of CUR 2.0 line items as Parquet (4 files;
hourly NatGateway-Hours and -Bytes lines of 20 NAT gateways, the rest EC2, S3,
public IPv4 and data-transfer lines with CUR 2.0's usual columns), then, in a
child process, reads the NAT lines and reconciles them with a snapshot's
scenarios (``read_cur`` + ``analyze``). Target on a 2-core machine: 5M line
items in <= 10 s. Nothing generated is kept.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "perf"))
from bench_flow_logs import NATS, snapshot_json  # noqa: E402

FILES = 4


def generate(folder: Path, items: int) -> None:
    import duckdb

    nat = "(i % 200)"  # one line in 10 is a NAT line (20 NATs), the rest other services
    is_nat = f"{nat} < {NATS}"
    hour = "((i // 200) % 744)"
    cols = {
        "identity_line_item_id": "'li-' || i",
        "identity_time_interval": "'2026-10-01T00:00:00Z/2026-11-01T00:00:00Z'",
        "bill_bill_type": "'Anniversary'", "bill_payer_account_id": "'111111111111'",
        "bill_billing_entity": "'AWS'",
        "bill_billing_period_start_date": "TIMESTAMP '2026-10-01 00:00:00'",
        "bill_billing_period_end_date": "TIMESTAMP '2026-11-01 00:00:00'",
        "line_item_usage_account_id": "'123456789012'",
        "line_item_line_item_type": "CASE WHEN i % 100003 = 0 THEN 'Credit' ELSE 'Usage' END",
        "line_item_usage_start_date": f"TIMESTAMP '2026-10-01 00:00:00' + to_hours({hour})",
        "line_item_usage_end_date": f"TIMESTAMP '2026-10-01 00:00:00' + to_hours({hour} + 1)",
        "line_item_product_code": f"CASE WHEN {is_nat} THEN 'AmazonEC2' ELSE 'AmazonS3' END",
        "line_item_usage_type": f"CASE WHEN {is_nat} AND (i // 200) % 2 = 0 THEN 'NatGateway-Hours' "
                                f"WHEN {is_nat} THEN 'NatGateway-Bytes' WHEN i % 3 = 0 THEN 'BoxUsage:m5.large' "
                                "WHEN i % 3 = 1 THEN 'TimedStorage-ByteHrs' ELSE 'DataTransfer-Out-Bytes' END",
        "line_item_operation": "'NatGateway'",
        "line_item_resource_id": f"CASE WHEN {is_nat} THEN 'arn:aws:ec2:us-east-1:123456789012:natgateway/nat-' "
                                 f"|| lpad({nat}::VARCHAR, 4, '0') ELSE 'i-' || (i % 5000) END",
        "line_item_usage_amount": "CASE WHEN i % 2 = 0 THEN 1.0 ELSE (i % 97) / 10.0 END",
        "line_item_unblended_rate": "0.045", "line_item_unblended_cost": "CASE WHEN i % 2 = 0 THEN 0.045 "
                                                                        "ELSE (i % 97) / 10.0 * 0.045 END",
        "line_item_blended_cost": "0.045", "line_item_currency_code": "'USD'",
        "line_item_line_item_description": "'$0.045 per NAT Gateway Hour'",
        "product_region_code": "'us-east-1'", "product_servicecode": "'AmazonEC2'",
        "pricing_unit": "'Hrs'", "pricing_public_on_demand_cost": "0.045",
        "product": "MAP {'region': 'us-east-1', 'product_name': 'Amazon Elastic Compute Cloud'}",
    }
    select = ", ".join(f"{v} AS {k}" for k, v in cols.items())
    con = duckdb.connect()
    per_file = items // FILES
    for k in range(FILES):
        path = folder / f"cur2-00{k + 1:03d}.snappy.parquet"
        con.execute(f"COPY (SELECT {select} FROM range({k * per_file}, {(k + 1) * per_file}) t(i)) TO '{path}' "
                    "(FORMAT parquet, COMPRESSION snappy)")
    con.close()


CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from analyzer.inputs.cur import read_cur
from analyzer.models import Snapshot
from analyzer.pricing import load_price_book
from analyzer.result import analyze
snap = Snapshot.model_validate_json(Path({snap!r}).read_text())
t0, c0 = time.perf_counter(), time.process_time()
billing = read_cur(snap, [Path({folder!r})])
report = analyze(snap.model_copy(update={{"billing": billing}}), load_price_book()).billing
print(json.dumps({{"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                   "nats": len(report.nat_gateways), "lines": len(billing.lines)}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000_000])
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        snap = Path(tmp) / "snapshot.json"
        snap.write_text(snapshot_json())
        for n in args.sizes:
            folder = Path(tmp) / f"cur-{n}"
            folder.mkdir()
            t0 = time.perf_counter()
            generate(folder, n)
            made = time.perf_counter() - t0
            size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            code = CHILD.format(root=str(ROOT), snap=str(snap), folder=str(folder))
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise SystemExit(proc.stderr.strip())
            out = json.loads(proc.stdout.strip().splitlines()[-1])
            rss = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
            print(f"{n:>11,} line items ({size:5.0f} MiB Parquet): reconciled in {out['seconds']:6.2f} s "
                  f"(CPU {out['cpu']:6.2f} s, load average {os.getloadavg()[0]:.1f}), peak RSS {rss:5.0f} MiB, "
                  f"{out['lines']} aggregated lines, {out['nats']} NAT gateways [generated in {made:.0f} s]")


if __name__ == "__main__":
    main()
