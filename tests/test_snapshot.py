"""Snapshot files: round trip, gzip, and every malformed input as one clear line."""

from __future__ import annotations

import gzip
import json

import pytest
from builders import function, snapshot, subnet

from analyzer.errors import SnapshotError
from analyzer.snapshot import read_snapshot, write_snapshot


@pytest.fixture
def snap():
    return snapshot(subnets=(subnet("subnet-a"),), functions=(function("fn", ("subnet-a",)),))


@pytest.mark.parametrize("name", ["snapshot.json", "snapshot.json.gz"])
def test_round_trip(tmp_path, snap, name):
    path = write_snapshot(snap, tmp_path / name)
    assert read_snapshot(path) == snap
    assert not list(tmp_path.glob(".*tmp"))  # the temporary file was renamed away
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"


def _one_line_error(path) -> str:
    with pytest.raises(SnapshotError) as info:
        read_snapshot(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_corrupt_json(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"schema_version": "1", "collected_at": ')
    assert "not valid JSON (line 1" in _one_line_error(path)


def test_corrupt_gzip(tmp_path):
    path = tmp_path / "s.json.gz"
    path.write_bytes(b"\x1f\x8bnot really gzip")
    assert "not a valid gzip file" in _one_line_error(path)


def test_wrong_schema_version(tmp_path, snap):
    data = json.loads(snap.model_dump_json())
    data["schema_version"] = "99"
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    assert "schema_version '99' is not supported" in _one_line_error(path)


def test_missing_required_field_names_the_field(tmp_path, snap):
    data = json.loads(snap.model_dump_json())
    del data["functions"][0]["arn"]
    path = tmp_path / "s.json.gz"
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    assert "functions.0.arn: Field required" in _one_line_error(path)


def test_not_a_snapshot_and_missing_file(tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    assert "expected a JSON object" in _one_line_error(path)
    assert "no such file" in _one_line_error(tmp_path / "nope.json")
    (tmp_path / "other.json").write_text('{"hello": 1}')
    assert "missing schema_version" in _one_line_error(tmp_path / "other.json")


def test_metric_series_with_mismatched_lengths_is_rejected(tmp_path, snap):
    data = json.loads(snap.model_dump_json())
    data["metrics"] = [{"account_id": "1", "region": "us-east-1", "namespace": "AWS/NATGateway",
                        "metric_name": "BytesInFromSource", "dimension_name": "NatGatewayId",
                        "dimension_value": "nat-1", "stat": "Sum",
                        "timestamps": ["2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z"], "values": [1.0]}]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    assert "2 timestamps but 1 values" in _one_line_error(path)
