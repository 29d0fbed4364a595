"""`report --flow-logs / --cur` through the real command line: report.json fields, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

from curgen import nat_month, write_csv
from flowgen import V2, flow, record, write_text
from traffic_case import EC2_IP, GIB, LAMBDA_IP, NAT_IP, REMOTE, shared_nat_snapshot


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analyzer", *args], capture_output=True, text=True)


def _snapshot_file(tmp_path):
    path = tmp_path / "snapshot.json"
    path.write_text(shared_nat_snapshot().model_dump_json())
    return path


def test_report_with_flow_logs_and_cur_fills_attribution_and_billing(tmp_path):
    logs = write_text(tmp_path / "logs" / "a.log.gz", [*flow("eni-nat-a", NAT_IP, LAMBDA_IP, REMOTE, 2 * GIB, GIB),
                                                        *flow("eni-nat-a", NAT_IP, EC2_IP, REMOTE, GIB // 2, GIB // 2)])
    cur = write_csv(tmp_path / "cur" / "cur-00001.csv.gz", nat_month("nat-a"))
    proc = _cli("report", str(_snapshot_file(tmp_path)), "--flow-logs", str(logs.parent), "--cur", str(cur),
                "--out", str(tmp_path / "out"), "--format", "json,md,html")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "out/report.json").read_text())
    (nat,) = report["nat_gateways"]
    assert (nat["attribution"], nat["lambda_share"]) == ("flow-logs", 0.75)
    assert report["coverage"]["flow_logs"]["attributed_records"] == 4
    billing = report["billing"]
    assert {"source", "periods", "nat_gateways"} <= set(billing)
    (row,) = billing["nat_gateways"]
    assert {"nat_gateway_id", "billed_usd", "billed_hours", "billed_gb", "modelled_usd", "difference_usd",
            "difference_pct"} <= set(row)
    assert row["nat_gateway_id"] == "nat-a" and row["billed_hours"] == 730.0
    md = (tmp_path / "out/report.md").read_text()
    assert "## Billed vs modelled" in md and "| nat-a |" in md
    html = (tmp_path / "out/report.html").read_text()
    assert '<section id="billing">' in html and 'href="#billing"' in html


def test_a_flow_log_without_pkt_srcaddr_is_exit_2_with_one_line(tmp_path):
    logs = write_text(tmp_path / "default.log", [record("eni-nat-a", LAMBDA_IP, NAT_IP, LAMBDA_IP, REMOTE, 10)], V2)
    proc = _cli("report", str(_snapshot_file(tmp_path)), "--flow-logs", str(logs), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "no pkt-srcaddr field" in lines[0] and "--log-format" in lines[0]
    assert not (tmp_path / "out").exists()


def test_option_pairs_and_bad_table_names_are_exit_2(tmp_path):
    snap = str(_snapshot_file(tmp_path))
    proc = _cli("report", snap, "--cur", str(tmp_path), "--cur-athena", "db.cur")
    assert proc.returncode == 2 and "either --cur or --cur-athena" in proc.stderr
    proc = _cli("report", snap, "--flow-logs-athena", "no-dot")
    assert proc.returncode == 2 and "is not DATABASE.TABLE" in proc.stderr
    proc = _cli("report", snap, "--flow-logs-athena", "db.t", "--athena-output", "bucket/prefix")
    assert proc.returncode == 2 and "is not an s3://" in proc.stderr
