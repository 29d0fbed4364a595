"""The bundled demo snapshot and the synthetic benchmark generator.

The demo is what `lambda-egress demo` shows a first-time user, so it must stay
valid, realistic and exactly what ``devtools/demo.py`` writes. Whether
every rule fires on it is checked where the pipeline is wired, not here.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from analyzer.models import Snapshot
from analyzer.snapshot import dump_snapshot, parse_snapshot, read_snapshot
from devtools import demo as generate

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "sample_data" / "demo_snapshot.json"
REGIONS = {"us-east-1", "eu-west-1", "ap-northeast-1"}
NAT_METRICS = {"BytesInFromSource", "BytesInFromDestination", "BytesOutToDestination", "BytesOutToSource",
               "ActiveConnectionCount", "ErrorPortAllocation"}
RULE_IDS = {"public-subnet-no-eip", "shared-eni", "connection-limit", "idle-reclamation", "eni-not-persistent",
            "nat-shared", "cross-az-nat", "eip-quota", "allowlist-change", "idle-nat", "no-gateway-endpoint"}


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


synth = _load("perf_synth", ROOT / "tests" / "perf" / "synth.py")


@pytest.fixture(scope="module")
def demo() -> Snapshot:
    return read_snapshot(DEMO)


def _series(snap: Snapshot, namespace: str) -> dict[tuple[str, str], object]:
    return {(m.dimension_value, m.metric_name): m for m in snap.metrics if m.namespace == namespace}


def _fn(snap: Snapshot, name: str):
    return next(f for f in snap.functions if f.name == name)


# --------------------------------------------------------------------------- the committed demo


def test_demo_has_the_promised_minimums(demo):
    names = {a.name for a in demo.accounts}
    assert {"payments-prod", "data-platform-prod"} <= names
    assert len(demo.accounts) >= 2
    assert set(demo.coverage.regions) == REGIONS
    assert {f.region for f in demo.functions} == REGIONS
    assert len([f for f in demo.functions if f.in_vpc]) >= 20
    assert len([f for f in demo.functions if not f.in_vpc]) >= 3
    assert len(demo.nat_gateways) >= 5
    regional = [n for n in demo.nat_gateways if n.availability_mode == "regional"]
    assert len(regional) == 1
    assert regional[0].subnet_id is None and regional[0].availability_zone is None
    inactive = [f for f in demo.functions if f.state == "Inactive"]
    assert [(f.name, f.state_reason_code) for f in inactive] == [("legacy-sftp-bridge", "Idle")]


def test_demo_is_a_clean_labelled_sample(demo):
    assert demo.tool_version == "sample"
    assert demo.collected_at == datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    assert demo.window_days == 30
    assert demo.coverage.errors == ()
    assert any("Sample data" in note for note in demo.coverage.notes)
    assert demo.coverage.api_calls["lambda:GetFunctionConfiguration"] == sum(1 for f in demo.functions if f.in_vpc)


def test_demo_coverage_lists_only_calls_the_collector_makes(demo):
    """Every call the demo's coverage record counts is one the shipped read-only policy allows."""
    from analyzer.collect.policy import load_policy

    allowed = {a for st in load_policy()["Statement"] for a in st["Action"]}
    assert set(demo.coverage.api_calls) <= allowed, set(demo.coverage.api_calls) - allowed
    assert "lambda:ListTags" not in demo.coverage.api_calls


def test_every_nat_has_30_daily_points_per_metric(demo):
    series = _series(demo, "AWS/NATGateway")
    first, last = datetime(2026, 10, 2, tzinfo=UTC), datetime(2026, 10, 31, tzinfo=UTC)
    for nat in demo.nat_gateways:
        for metric in NAT_METRICS:
            s = series[(nat.nat_gateway_id, metric)]
            assert s.dimension_name == "NatGatewayId" and s.period_seconds == 86400
            assert s.stat == ("Maximum" if metric == "ActiveConnectionCount" else "Sum")
            assert len(s.values) == 30 and (s.timestamps[0], s.timestamps[-1]) == (first, last)


def _monthly_gb(snap: Snapshot, nat_id: str) -> float:
    series = _series(snap, "AWS/NATGateway")
    total = sum(sum(series[(nat_id, m)].values) for m in ("BytesInFromSource", "BytesInFromDestination"))
    return total * 730 / (24 * snap.window_days) / 2**30


def test_nat_volumes_and_connection_peaks(demo):
    by_name = {n.name: n for n in demo.nat_gateways}
    gb = {name: _monthly_gb(demo, n.nat_gateway_id) for name, n in by_name.items()}
    assert 0.1 < gb["data-lake-nat-b"] < 0.3  # the idle NAT
    assert all(40 <= v <= 950 for name, v in gb.items() if name != "data-lake-nat-b")
    peaks = {name: max(_series(demo, "AWS/NATGateway")[(n.nat_gateway_id, "ActiveConnectionCount")].values)
             for name, n in by_name.items()}
    # connection-limit averages the Lambda peak over the NAT's Lambda ENIs (all Lambda, share 1 here).
    assert peaks["payments-core-nat-c"] == 56_112  # on 1 ENI: 56,112 / 65,000 = 0.86, high
    assert peaks["data-lake-nat-a"] == 109_440  # on 3 ENIs: 36,480 each = 0.56, medium
    assert sorted(peaks.values())[-3] < 32_500  # every other NAT under half the limit even on one ENI
    assert len(_lambda_enis_in(demo, "payments-core-app-c")) == 1
    assert len(_lambda_enis_in(demo, "data-lake-app-a")) == 3


def _lambda_enis_in(snap: Snapshot, subnet_name: str) -> list:
    subnet = next(s.subnet_id for s in snap.subnets if s.name == subnet_name)
    return [e for e in snap.network_interfaces if e.interface_type == "lambda" and e.subnet_id == subnet]


def _idle_days(snap: Snapshot, name: str) -> int:
    inv = _series(snap, "AWS/Lambda")[(name, "Invocations")]
    active = [t.date() for t, v in zip(inv.timestamps, inv.values, strict=True) if v > 0]
    return (snap.collected_at.date() - max(active)).days if active else snap.window_days


def test_function_idle_cases(demo):
    assert _idle_days(demo, "chargeback-evidence-upload") == 20
    assert _idle_days(demo, "payouts-batch-scheduler") == 9
    assert _idle_days(demo, "legacy-sftp-bridge") == 30
    # Idle past the reclaim age, but its ENI group is kept in use by an active function.
    assert _idle_days(demo, "geoip-db-refresh") == 16
    geoip, enricher = _fn(demo, "geoip-db-refresh"), _fn(demo, "clickstream-enricher")
    assert (geoip.subnet_ids, geoip.security_group_ids) == (enricher.subnet_ids, enricher.security_group_ids)
    assert _idle_days(demo, "clickstream-enricher") <= 2
    # chargeback-evidence-upload is alone in its group: its ENI is really unused.
    chargeback = _fn(demo, "chargeback-evidence-upload")
    assert [f.name for f in demo.functions
            if (f.subnet_ids, f.security_group_ids) == (chargeback.subnet_ids, chargeback.security_group_ids)] \
        == ["chargeback-evidence-upload"]
    assert _idle_days(demo, "payments-stripe-webhook") <= 2
    busy = _series(demo, "AWS/Lambda")[("payments-stripe-webhook", "Invocations")]
    assert len(busy.values) == 30 and min(busy.values) > 10_000


def test_every_vpc_function_has_lambda_metrics(demo):
    series = _series(demo, "AWS/Lambda")
    for fn in (f for f in demo.functions if f.in_vpc):
        assert series[(fn.name, "Invocations")].stat == "Sum"
        assert series[(fn.name, "ConcurrentExecutions")].stat == "Maximum"


ID_PATTERN = re.compile(r"^(subnet|vpc|nat|eni|eipalloc|eipassoc|rtb|igw|vpce|sg|tgw)-0[0-9a-f]{16}$")


def test_ids_look_real_and_are_unique(demo):
    ids = ([s.subnet_id for s in demo.subnets] + [v.vpc_id for v in demo.vpcs]
           + [n.nat_gateway_id for n in demo.nat_gateways] + [e.network_interface_id for e in demo.network_interfaces]
           + [e.allocation_id for e in demo.elastic_ips] + [r.route_table_id for r in demo.route_tables]
           + [i.internet_gateway_id for i in demo.internet_gateways] + [e.vpc_endpoint_id for e in demo.vpc_endpoints])
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not ID_PATTERN.match(i)] == []
    assert all(re.fullmatch(r"\d{12}", a.account_id) for a in demo.accounts)
    doc_ranges = ("203.0.113.", "198.51.100.", "192.0.2.")
    publics = [e.public_ip for e in demo.elastic_ips] + [i.public_ip for i in demo.network_interfaces if i.public_ip]
    assert publics and all(ip.startswith(doc_ranges) for ip in publics)


def test_references_join_up(demo):
    subnets = {s.subnet_id for s in demo.subnets}
    enis = {e.network_interface_id: e for e in demo.network_interfaces}
    eips = {e.allocation_id: e for e in demo.elastic_ips}
    for fn in demo.functions:
        assert set(fn.subnet_ids) <= subnets
    for nat in demo.nat_gateways:
        assert all(a in eips for a in nat.allocation_ids)
        assert [eips[a].public_ip for a in nat.allocation_ids] == list(nat.public_ips)
        assert all(enis[e].interface_type == "nat_gateway" for e in nat.network_interface_ids)
    assert [e.name for e in demo.elastic_ips if e.association_id is None] == ["sepa-migration-reserved"]
    lambda_groups = {(e.subnet_id, tuple(sorted(e.security_group_ids)))
                     for e in demo.network_interfaces if e.interface_type == "lambda"}
    fn_groups = {(s, tuple(sorted(f.security_group_ids))) for f in demo.functions for s in f.subnet_ids}
    assert lambda_groups <= fn_groups
    assert len(fn_groups - lambda_groups) == 1  # the Inactive function's ENI was reclaimed
    for eni in (e for e in demo.network_interfaces if e.interface_type == "lambda"):
        assert eni.description.startswith("AWS Lambda VPC ENI-")
        assert eni.requester_managed is (eni.region == "ap-northeast-1")  # seen both ways on real AWS


def test_public_subnet_cases_and_escaping_tags(demo):
    lambda_enis = defaultdict(list)
    for e in demo.network_interfaces:
        if e.interface_type == "lambda":
            lambda_enis[(e.subnet_id, tuple(sorted(e.security_group_ids)))].append(e)

    def enis_of(name):
        fn = _fn(demo, name)
        return lambda_enis[(fn.subnet_ids[0], tuple(sorted(fn.security_group_ids)))]

    assert [e.public_ip for e in enis_of("kyc-onfido-callback")] == [None]
    with_eip = enis_of("partner-bank-sftp-push")
    assert len(with_eip) == 1 and with_eip[0].public_ip.startswith("198.51.100.") and with_eip[0].allocation_id
    assert len(enis_of("card-tokenization-proxy")) == 2  # Lambda scaled the group out
    assert len(enis_of("card-auth-gateway")) == 1  # all of payments-core-nat-c's Lambda traffic on one ENI
    assert _fn(demo, "marketing-attribution-sync").tags["Name"] == "<script>alert(1)</script>"
    assert "|" in _fn(demo, "apac-fraud-scorer").tags["team"]


def test_generator_is_deterministic_and_matches_the_committed_file():
    first, second = generate.build_demo(), generate.build_demo()
    assert dump_snapshot(first) == dump_snapshot(second)
    assert dump_snapshot(first) == DEMO.read_bytes(), "run: python -m devtools.demo"


def test_the_generator_is_a_development_tool_not_in_the_wheel():
    """``lambda-egress demo`` needs only the snapshot; the generator stays in devtools/, which is not packaged."""
    import tomllib
    from importlib import resources

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert not [p for p in config["packages"] if p.split(".")[0] == "devtools"]
    shipped = {p.name for p in resources.files("analyzer.sample_data").iterdir() if p.name.endswith(".py")}
    assert shipped == {"__init__.py"}
    assert "demo_snapshot.json" in {p.name for p in resources.files("analyzer.sample_data").iterdir()}


def test_suppression_example_names_demo_resources(demo):
    data = yaml.safe_load((ROOT / "sample_data" / "suppressions.example.yaml").read_text())
    entries = data["suppressions"]
    assert len(entries) == 2
    dumped = dump_snapshot(demo).decode()
    for entry in entries:
        assert entry["rule_id"] in RULE_IDS
        assert f'"{entry["resource_id"]}"' in dumped
        assert len(entry["reason"]) > 30
    assert [e.get("expires") for e in entries] == [date(2027, 3, 31), None]


# --------------------------------------------------------------------------- synthetic benchmark data


def test_synth_snapshot_validates_and_has_n_functions(tmp_path):
    snap = synth.build_snapshot(200, seed=1)
    parsed = parse_snapshot(json.loads(dump_snapshot(snap)))
    vpc_functions = [f for f in parsed.functions if f.in_vpc]
    assert len(vpc_functions) == 200
    assert len(parsed.vpcs) == 4 and len(parsed.nat_gateways) >= 8
    nat_series = _series(parsed, "AWS/NATGateway")
    assert all(len(nat_series[(n.nat_gateway_id, m)].values) == 30
               for n in parsed.nat_gateways for m in NAT_METRICS)
    assert {(f.name, "Invocations") for f in vpc_functions} <= set(_series(parsed, "AWS/Lambda"))
    assert any(e.interface_type == "interface" for e in parsed.network_interfaces)  # a shared NAT
    out = synth.main(["--functions", "60", "--out", str(tmp_path / "s.json.gz"), "--seed", "3"])
    assert out == 0 and len([f for f in read_snapshot(tmp_path / "s.json.gz").functions if f.in_vpc]) == 60


def test_synth_is_seeded():
    assert dump_snapshot(synth.build_snapshot(50, seed=1)) == dump_snapshot(synth.build_snapshot(50, seed=1))
    assert dump_snapshot(synth.build_snapshot(50, seed=1)) != dump_snapshot(synth.build_snapshot(50, seed=2))
