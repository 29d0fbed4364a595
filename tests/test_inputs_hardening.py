"""Hostile input files: each is exit 2 with one stderr line naming the file and the field, never a traceback.

Snapshot, price book and suppression file, each through ``lambda-egress report`` in process (``CliRunner``),
a few also through the console script. Data no scan can produce (negative or NaN counts, duplicated ids,
an active route to a NAT the snapshot lacks) is refused; a blackhole route to a deleted NAT is normal AWS.
"""

from __future__ import annotations

import copy
import gzip
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import analyzer.pricing
import analyzer.snapshot
import analyzer.suppressions
from analyzer.cli import app

ROOT = Path(__file__).resolve().parent.parent
DEMO = json.loads((ROOT / "sample_data/demo_snapshot.json").read_text())
PRICES = json.loads((ROOT / "analyzer/data/price_book.json").read_text())
runner = CliRunner()

NAT = DEMO["nat_gateways"][0]["nat_gateway_id"]  # nat-04dba26a74c1e7fc3, routed to by route_tables.1
CONNECTIONS = next(i for i, m in enumerate(DEMO["metrics"]) if m["metric_name"] == "ActiveConnectionCount")
assert DEMO["metrics"][0]["metric_name"] == "BytesInFromSource"


def mutated(change: Callable[[dict], Any], base: dict = DEMO) -> dict:
    doc = copy.deepcopy(base)
    change(doc)
    return doc


def one_error_line(result: Any) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in result.output
    return lines[0]


def report(*args: str, out: Path) -> Any:
    return runner.invoke(app, ["report", *args, "--out", str(out), "--format", "json"])


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _route_to_missing_nat(doc: dict, state: str) -> None:
    doc["nat_gateways"] = [n for n in doc["nat_gateways"] if n["nat_gateway_id"] != NAT]
    doc["metrics"] = [m for m in doc["metrics"] if m["dimension_value"] != NAT]
    for table in doc["route_tables"]:
        for route in table["routes"]:
            if route["nat_gateway_id"] == NAT:
                route["state"] = state


# --------------------------------------------------------------------------- snapshots

BYTES_0 = "metrics.0.values.3"
SNAPSHOT_CASES = {
    "nan": ("NaN", f"{BYTES_0}: nan is not a count"),
    "infinity": ("Infinity", f"{BYTES_0}: inf is not a count"),
    "minus-infinity": ("-Infinity", f"{BYTES_0}: -inf is not a count"),
    "1e308": ("1e308", f"{BYTES_0}: 1e+308 is not a count"),
    "negative-bytes": ("-5", f"{BYTES_0}: -5.0 is not a count"),
    "5000-digits": ("9" * 5000, "not valid JSON (number out of range at line 1 column"),
}


@pytest.mark.parametrize("case", SNAPSHOT_CASES)
def test_hostile_metric_numbers(tmp_path, case):
    literal, expected = SNAPSHOT_CASES[case]
    text = json.dumps(mutated(lambda d: d["metrics"][0]["values"].__setitem__(3, "<X>")))
    snap = write(tmp_path / "snap.json", text.replace('"<X>"', literal))
    line = one_error_line(report(str(snap), out=tmp_path / "out"))
    assert str(snap) in line and expected in line
    assert not (tmp_path / "out").exists()


def test_negative_connection_count(tmp_path):
    doc = mutated(lambda d: d["metrics"][CONNECTIONS]["values"].__setitem__(0, -1))
    snap = write(tmp_path / "snap.json", json.dumps(doc))
    assert f"metrics.{CONNECTIONS}.values.0: -1.0 is not a count" in one_error_line(report(str(snap), out=tmp_path))


def test_negative_flow_log_bytes(tmp_path):
    row = {"account_id": NAT and DEMO["nat_gateways"][0]["account_id"], "region": DEMO["nat_gateways"][0]["region"],
           "nat_gateway_id": NAT, "source_eni_id": "eni-1", "bytes": -1}  # fmt: skip
    snap = write(tmp_path / "snap.json", json.dumps(mutated(lambda d: d["flow_log_bytes"].append(row))))
    assert "flow_log_bytes.0.bytes: -1.0 is not a count" in one_error_line(report(str(snap), out=tmp_path))


@pytest.mark.parametrize(
    ("collection", "field"),
    [("nat_gateways", "nat_gateway_id"), ("functions", "arn"), ("network_interfaces", "network_interface_id"),
     ("subnets", "subnet_id"), ("route_tables", "route_table_id")],
)  # fmt: skip
def test_duplicated_ids_within_one_account_and_region(tmp_path, collection, field):
    items = DEMO[collection]
    doc = mutated(lambda d: d[collection].append(copy.deepcopy(d[collection][0])))
    snap = write(tmp_path / "snap.json", json.dumps(doc))
    line = one_error_line(report(str(snap), out=tmp_path))
    first = items[0]
    assert (f"{collection}.{len(items)}.{field}: {first[field]} appears twice in "
            f"{first['account_id']}/{first['region']}") in line  # fmt: skip


def test_the_same_id_in_another_region_is_not_a_duplicate(tmp_path):
    def copy_nat_elsewhere(d: dict) -> None:
        nat = copy.deepcopy(d["nat_gateways"][0])
        nat["region"] = "eu-west-1" if nat["region"] != "eu-west-1" else "us-east-1"
        d["nat_gateways"].append(nat)

    snap = write(tmp_path / "snap.json", json.dumps(mutated(copy_nat_elsewhere)))
    assert report(str(snap), out=tmp_path / "out").exit_code in (0, 1, 3)


def test_duplicated_metric_series_would_be_summed_twice(tmp_path):
    doc = mutated(lambda d: d["metrics"].append(copy.deepcopy(d["metrics"][0])))
    snap = write(tmp_path / "snap.json", json.dumps(doc))
    line = one_error_line(report(str(snap), out=tmp_path))
    assert f"metrics.{len(DEMO['metrics'])}: a second BytesInFromSource series for {NAT}" in line


def test_an_active_route_to_a_nat_missing_from_the_snapshot_is_refused(tmp_path):
    snap = write(tmp_path / "snap.json", json.dumps(mutated(lambda d: _route_to_missing_nat(d, "active"))))
    line = one_error_line(report(str(snap), out=tmp_path))
    table = next(t for t in DEMO["route_tables"] if any(r["nat_gateway_id"] == NAT for r in t["routes"]))
    assert f"route table {table['route_table_id']} routes 0.0.0.0/0 to {NAT}, which is not among" in line


def test_a_blackhole_route_to_a_deleted_nat_is_normal(tmp_path):
    snap = write(tmp_path / "snap.json", json.dumps(mutated(lambda d: _route_to_missing_nat(d, "blackhole"))))
    result = report(str(snap), out=tmp_path / "out")
    assert result.exit_code in (0, 1), result.output
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert NAT not in {n["nat_gateway_id"] for n in data["nat_gateways"]}
    blackholed = [p for f in data["functions"] for p in f["paths"] if p["target_type"] == "blackhole"]
    assert blackholed and all(p["target_id"] == NAT for p in blackholed)


def test_a_route_to_a_missing_nat_in_a_region_with_a_gap_is_the_gap(tmp_path):
    """DescribeNatGateways failed there: the missing NAT is already reported as a coverage error."""
    def gap(d: dict) -> None:
        _route_to_missing_nat(d, "active")
        nat = DEMO["nat_gateways"][0]
        d["coverage"]["errors"].append({"account_id": nat["account_id"], "region": nat["region"],
                                        "operation": "DescribeNatGateways", "error_code": "Throttling",
                                        "message": "Rate exceeded"})  # fmt: skip

    snap = write(tmp_path / "snap.json", json.dumps(mutated(gap)))
    assert report(str(snap), out=tmp_path / "out").exit_code == 3


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("schema_version"), "missing schema_version; is this a lambda-egress snapshot?"),
        (lambda d: d["functions"][0].__setitem__("name", "\ud800"),
         "functions.0.name: a lone surrogate (\\ud800-\\udfff escape) is not text"),
        (lambda d: d["functions"][0]["tags"].__setitem__("\udfff", "x"), "functions.0.tags.\\udfff: a lone surrogate"),
        (lambda d: d.__setitem__("collected_at", "2026-11-01T06:00:00"),
         "collected_at: a timestamp without a time zone"),
        (lambda d: d.__setitem__("collected_at", "0001-01-01T00:00:00Z"),
         "collected_at: a timestamp outside 1970-2200"),
        (lambda d: d["eip_quotas"][0].__setitem__("value", -5), "eip_quotas.0.value: -5 is not a quota"),
    ],
    ids=["no-schema-version", "surrogate-value", "surrogate-key", "naive-time", "year-1", "negative-quota"],
)
def test_snapshot_fields_no_scan_can_produce(tmp_path, change, expected):
    snap = write(tmp_path / "snap.json", json.dumps(mutated(change)))  # ensure_ascii: surrogates as \\u escapes
    line = one_error_line(report(str(snap), out=tmp_path))
    assert str(snap) in line and expected in line


def test_fifty_thousand_deep_nesting(tmp_path):
    text = json.dumps(mutated(lambda d: d.__setitem__("accounts", "<X>")))
    snap = write(tmp_path / "snap.json", text.replace('"<X>"', "[" * 50_000 + "]" * 50_000))
    line = one_error_line(report(str(snap), out=tmp_path))
    assert f"{snap}: not valid JSON (nested too deeply: recursion limit exceeded at line 1 column" in line


def test_devices_folders_and_missing_files(tmp_path):
    assert "/dev/zero: not a regular file (a device or socket?)" in one_error_line(report("/dev/zero", out=tmp_path))
    assert f"{tmp_path}: is a folder, not a file" in one_error_line(report(str(tmp_path), out=tmp_path))
    gone = tmp_path / "gone.json"
    assert f"{gone}: no such file" in one_error_line(report(str(gone), out=tmp_path))


def test_an_unreadable_file_is_one_line(tmp_path, monkeypatch):
    snap = write(tmp_path / "snap.json", json.dumps(DEMO))

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")  # chmod cannot stop root, who runs CI

    monkeypatch.setattr(Path, "open", denied)
    assert f"{snap}: cannot read (Permission denied)" in one_error_line(report(str(snap), out=tmp_path))


def test_a_snapshot_over_the_size_bound(tmp_path, monkeypatch):
    snap = write(tmp_path / "snap.json", json.dumps(DEMO))
    monkeypatch.setattr(analyzer.snapshot, "MAX_SNAPSHOT_BYTES", 100 << 10)
    line = one_error_line(report(str(snap), out=tmp_path))
    assert f"{snap}: larger than the 100 KiB limit for a file" in line


def test_a_gzip_bomb_is_not_unpacked(tmp_path, monkeypatch):
    bomb = tmp_path / "snap.json.gz"
    bomb.write_bytes(gzip.compress(b" " * (2 << 20) + json.dumps(DEMO).encode()))  # 2 MiB of spaces first
    assert bomb.stat().st_size < 100 << 10
    monkeypatch.setattr(analyzer.snapshot, "MAX_SNAPSHOT_BYTES", 1 << 20)
    line = one_error_line(report(str(bomb), out=tmp_path))
    assert f"{bomb}: unpacks to more than the 1 MiB limit for a snapshot" in line


def test_the_bound_is_far_above_a_large_estate():
    assert analyzer.snapshot.MAX_SNAPSHOT_BYTES == 1 << 30  # 50,000 functions are about 175 MB (tests/perf)


def test_diff_checks_snapshots_too(tmp_path):
    text = json.dumps(mutated(lambda d: d["metrics"][0]["values"].__setitem__(3, "<X>")))
    snap = write(tmp_path / "snap.json", text.replace('"<X>"', "NaN"))
    result = runner.invoke(app, ["diff", str(ROOT / "sample_data/demo_snapshot.json"), str(snap)])
    assert f"{snap}: invalid snapshot: {BYTES_0}: nan is not a count" in one_error_line(result)


# --------------------------------------------------------------------------- price books

PRICE = "regions.us-east-1.nat_hour.usd"
PRICE_CASES = {
    "nan": ("NaN", f"{PRICE}: Input should be a finite number"),
    "infinity": ("Infinity", f"{PRICE}: Input should be a finite number"),
    "1e308": ("1e308", f"{PRICE}: 1E+308 is not a unit price (over $1000)"),
    "negative": ("-0.045", f"{PRICE}: Input should be greater than or equal to 0"),
    "5000-digits": ("9" * 5000, "not valid JSON (number out of range at line"),
    "deep": ("[" * 50_000 + "]" * 50_000, "not valid JSON (nested too deeply"),
    "surrogate": ('"\\ud800"', "regions.us-east-1.nat_hour.usd: a lone surrogate"),
}


@pytest.mark.parametrize("case", PRICE_CASES)
def test_hostile_price_books(tmp_path, case):
    literal, expected = PRICE_CASES[case]
    text = json.dumps(mutated(lambda d: d["regions"]["us-east-1"]["nat_hour"].__setitem__("usd", "<X>"), PRICES))
    book = write(tmp_path / "prices.json", text.replace('"<X>"', literal))
    line = one_error_line(report(str(ROOT / "sample_data/demo_snapshot.json"), "--prices", str(book), out=tmp_path))
    assert str(book) in line and expected in line


def test_price_book_devices_and_size(tmp_path, monkeypatch):
    demo = str(ROOT / "sample_data/demo_snapshot.json")
    assert "/dev/zero: not a regular file" in one_error_line(report(demo, "--prices", "/dev/zero", out=tmp_path))
    book = write(tmp_path / "prices.json", json.dumps(PRICES))
    monkeypatch.setattr(analyzer.pricing, "MAX_PRICE_BOOK_BYTES", 1 << 10)
    line = one_error_line(report(demo, "--prices", str(book), out=tmp_path))
    assert f"{book}: larger than the 1 KiB limit for a price book" in line


# --------------------------------------------------------------------------- suppression files

ENTRY = "suppressions:\n  - rule_id: shared-eni\n    resource_id: subnet-1\n    reason: {reason}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ENTRY.format(reason='"\\ud800"'), "suppressions[0]: field 'reason' holds a lone surrogate"),
        ("suppressions: " + "[" * 50_000, "bad YAML: nested too deeply"),
        (ENTRY.format(reason="ok") + "    expires: .nan\n", "'expires' must be a date (YYYY-MM-DD), got nan"),
        ("suppressions:\n  - \x00", "bad YAML at character 18: special characters are not allowed (#x0000)"),
    ],
    ids=["surrogate", "deep", "nan-date", "nul"],
)
def test_hostile_suppression_files(tmp_path, text, expected):
    path = write(tmp_path / "s.yaml", text)
    line = one_error_line(report(str(ROOT / "sample_data/demo_snapshot.json"), "--suppressions", str(path),
                                 out=tmp_path))  # fmt: skip
    assert f"suppression file {path}" in line and expected in line


def test_suppression_devices_and_size(tmp_path, monkeypatch):
    demo = str(ROOT / "sample_data/demo_snapshot.json")
    line = one_error_line(report(demo, "--suppressions", "/dev/zero", out=tmp_path))
    assert "suppression file /dev/zero: not a regular file" in line
    path = write(tmp_path / "s.yaml", ENTRY.format(reason="x" * 2000))
    monkeypatch.setattr(analyzer.suppressions, "MAX_SUPPRESSIONS_BYTES", 1 << 10)
    line = one_error_line(report(demo, "--suppressions", str(path), out=tmp_path))
    assert f"suppression file {path}: larger than the 1 KiB limit for a file" in line


# --------------------------------------------------------------------------- the console script


@pytest.mark.e2e
@pytest.mark.parametrize("flag", ["snapshot", "--prices", "--suppressions"])
def test_console_script_says_the_same_in_one_line(tmp_path, flag):
    demo = str(ROOT / "sample_data/demo_snapshot.json")
    args = ["/dev/zero"] if flag == "snapshot" else [demo, flag, "/dev/zero"]
    proc = subprocess.run([sys.executable, "-m", "analyzer", "report", *args, "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "/dev/zero" in proc.stderr and "not a regular file" in proc.stderr
    assert not (tmp_path / "out").exists()
