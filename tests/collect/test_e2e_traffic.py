"""End to end: `lambda-egress scan --flow-logs --cur` in a subprocess against a local moto server.

The estate's NAT is shared by the ``orders``/``billing`` Lambda ENI and an EC2
ENI; its flow logs (built from the NAT ENI and private IPs moto assigned) split
it 3 GiB Lambda to 1 GiB EC2, and a CUR month bills it. The scan saves both in
snapshot.json and the report shows them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from curgen import nat_month, write_csv
from flowgen import flow, write_text
from moto_seed import client, seed_estate, seed_metrics

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
GIB = 2**30


def _month_start(at: datetime) -> datetime:
    return at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def test_scan_saves_flow_log_bytes_and_billing_in_the_snapshot(moto_server, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    estate = seed_estate("us-east-1", moto_server.url, other_consumer=True)
    seed_metrics(estate, now, moto_server.url)
    ec2 = client("ec2", "us-east-1", moto_server.url)
    nat = ec2.describe_nat_gateways(NatGatewayIds=[estate.nat_id])["NatGateways"][0]
    nat_ip = nat["NatGatewayAddresses"][0]["PrivateIp"]
    ips = {e["NetworkInterfaceId"]: e["PrivateIpAddress"] for e in ec2.describe_network_interfaces()[
        "NetworkInterfaces"]}
    start = int((now - timedelta(days=3)).timestamp())
    logs = write_text(tmp_path / "logs" / "nat.log.gz", [
        *flow(estate.nat_eni, nat_ip, ips[estate.enis["private"]], "203.0.113.5", 2 * GIB, GIB, start=start),
        *flow(estate.nat_eni, nat_ip, ips[estate.enis["ec2"]], "203.0.113.5", GIB // 2, GIB // 2, start=start),
    ])
    # a CUR month that overlaps the 30-day window: the previous calendar month
    period_end = _month_start(now)
    period_start = _month_start(period_end - timedelta(days=1))
    rows = [{**r, "bill_billing_period_start_date": period_start, "bill_billing_period_end_date": period_end,
             "line_item_usage_start_date": period_start, "line_item_usage_end_date": period_end}
            for r in nat_month(estate.nat_id, hours=1)]
    cur = write_csv(tmp_path / "cur" / "cur.csv", rows)

    run = subprocess.run(
        [sys.executable, "-m", "analyzer", "scan", "--region", "us-east-1", "--out", str(tmp_path / "out"),
         "--flow-logs", str(logs.parent), "--cur", str(cur), "--format", "json"],
        cwd=REPO, env={**os.environ, "AWS_ENDPOINT_URL": moto_server.url, "AWS_DEFAULT_REGION": "us-east-1"},
        capture_output=True, text=True, timeout=180, check=False)

    assert run.returncode == 0, run.stderr
    snapshot = json.loads((tmp_path / "out" / "snapshot.json").read_text())
    saved = {(r["nat_gateway_id"], r["source_eni_id"]): r["bytes"] for r in snapshot["flow_log_bytes"]}
    assert saved == {(estate.nat_id, estate.enis["private"]): 3.0 * GIB, (estate.nat_id, estate.enis["ec2"]): 1.0 * GIB}
    assert snapshot["billing"]["engine"] == "duckdb" and snapshot["billing"]["lines"]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    (nat_report,) = report["nat_gateways"]
    assert (nat_report["attribution"], nat_report["lambda_share"]) == ("flow-logs", 0.75)
    assert [n["nat_gateway_id"] for n in report["billing"]["nat_gateways"]] == [estate.nat_id]
