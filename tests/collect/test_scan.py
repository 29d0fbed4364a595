"""scan.py: run_scan against a local moto server: units, merge, coverage, faults, determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from moto_seed import ACCOUNT, deny_assume_role, seed_estate, seed_metrics
from moto_server import Fault, MotoServer

from analyzer.collect.progress import ScanStatus
from analyzer.collect.scan import ScanRequest, run_scan
from analyzer.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 31, 9, 45, tzinfo=UTC)
REGIONS = ("us-east-1", "eu-west-1")
# What one region costs, whatever it holds: one call per resource type (one page each here),
# one GetFunctionConfiguration per VPC function (4 in the estate), one GetMetricData
# (6 NAT + 2 x 4 function queries = 14 <= 500), one quota read.
PER_REGION = {
    "cloudwatch:GetMetricData": 1,
    "ec2:DescribeAddresses": 1,
    "ec2:DescribeInternetGateways": 1,
    "ec2:DescribeNatGateways": 1,
    "ec2:DescribeNetworkInterfaces": 1,
    "ec2:DescribeRouteTables": 1,
    "ec2:DescribeSubnets": 1,
    "ec2:DescribeVpcEndpoints": 1,
    "ec2:DescribeVpcs": 1,
    "lambda:GetFunctionConfiguration": 4,
    "lambda:ListFunctions": 1,
    "servicequotas:GetServiceQuota": 1,
}


def test_two_regions_merge_into_one_sorted_snapshot(moto_server: MotoServer) -> None:
    estates = {r: seed_estate(r, moto_server.moto_url) for r in REGIONS}
    for estate in estates.values():
        seed_metrics(estate, NOW, moto_server.moto_url)
    progress: list[tuple[str, int, int, int]] = []

    def on_progress(status: ScanStatus) -> None:
        progress.append((status.last, status.units_done, status.units_expected, status.accounts_entered))

    snapshot = run_scan(ScanRequest(regions=REGIONS, now=NOW, workers=2), on_progress)

    assert snapshot.collected_at == NOW.replace(second=0) and snapshot.window_days == 30
    assert snapshot.coverage.accounts == (ACCOUNT,) and snapshot.coverage.regions == ("eu-west-1", "us-east-1")
    assert snapshot.coverage.errors == ()
    assert snapshot.coverage.api_calls == {"sts:GetCallerIdentity": 1, **{k: 2 * v for k, v in PER_REGION.items()}}
    # the account entered (two units known), then each unit done
    assert progress[0] == ("", 0, 2, 1)
    assert sorted(p[0] for p in progress[1:]) == [f"{ACCOUNT}/eu-west-1", f"{ACCOUNT}/us-east-1"]
    assert [p[1:] for p in progress[1:]] == [(1, 2, 1), (2, 2, 1)]

    assert [(f.region, f.name) for f in snapshot.functions] == sorted(
        (r, n) for r in ("eu-west-1", "us-east-1") for n in ("billing", "orders", "plain", "poller", "webhook"))
    orders = next(f for f in snapshot.functions if f.name == "orders" and f.region == "us-east-1")
    assert orders.vpc_id == estates["us-east-1"].vpc_id  # from the subnet; moto's VpcConfig.VpcId is a placeholder
    assert orders.state == "Active"
    assert {n.nat_gateway_id for n in snapshot.nat_gateways} == {e.nat_id for e in estates.values()}
    lambda_enis = {e.network_interface_id for e in snapshot.network_interfaces if e.interface_type == "lambda"}
    assert lambda_enis == {eni for e in estates.values() for eni in e.enis.values()}
    assert {(q.region, q.value, q.source) for q in snapshot.eip_quotas} == {
        ("eu-west-1", 5, "default"), ("us-east-1", 5, "default")}
    # 14 series per region, identified by (region, namespace, dimension value, metric, stat).
    assert len(snapshot.metrics) == 28
    keys = [(m.account_id, m.region, m.namespace, m.dimension_value, m.metric_name, m.stat) for m in snapshot.metrics]
    assert keys == sorted(keys)

    again = run_scan(ScanRequest(regions=REGIONS, now=NOW, workers=1))
    assert again.model_dump_json() == snapshot.model_dump_json()  # same state, same bytes


def test_faults_are_recorded_and_the_other_regions_complete(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # keep the persistent throttle short
    for region in ("us-east-1", "us-west-2", "eu-west-1"):
        seed_estate(region, moto_server.url)
    assert moto_server.layer is not None
    moto_server.layer.faults += [
        Fault("ec2", "us-west-2", "*", "deny"),
        Fault("lambda", "us-west-2", "*", "deny"),
        Fault("lambda", "eu-west-1", "ListFunctions", "throttle"),
        Fault("ec2", "us-east-1", "DescribeNatGateways", "throttle", times=1),  # retried, then fine
    ]

    snapshot = run_scan(ScanRequest(regions=("us-east-1", "us-west-2", "eu-west-1"), now=NOW))

    errors = [(e.region, e.operation, e.error_code) for e in snapshot.coverage.errors]
    assert errors == [
        ("eu-west-1", "ListFunctions", "TooManyRequestsException"),
        ("us-west-2", "DescribeAddresses", "UnauthorizedOperation"),
        ("us-west-2", "DescribeInternetGateways", "UnauthorizedOperation"),
        ("us-west-2", "DescribeNatGateways", "UnauthorizedOperation"),
        ("us-west-2", "DescribeNetworkInterfaces", "UnauthorizedOperation"),
        ("us-west-2", "DescribeRouteTables", "UnauthorizedOperation"),
        ("us-west-2", "DescribeSubnets", "UnauthorizedOperation"),
        ("us-west-2", "DescribeVpcEndpoints", "UnauthorizedOperation"),
        ("us-west-2", "DescribeVpcs", "UnauthorizedOperation"),
        ("us-west-2", "ListFunctions", "AccessDeniedException"),
    ]
    assert {f.region for f in snapshot.functions} == {"us-east-1"}
    assert len([f for f in snapshot.functions if f.region == "us-east-1"]) == 5
    assert {n.region for n in snapshot.nat_gateways} == {"us-east-1", "eu-west-1"}
    assert snapshot.coverage.regions == ("eu-west-1", "us-east-1", "us-west-2")
    # logical calls, not attempts: the retried DescribeNatGateways counts once per region
    assert snapshot.coverage.api_calls["ec2:DescribeNatGateways"] == 3
    assert snapshot.coverage.api_calls["lambda:ListFunctions"] == 3


def test_org_scan_records_a_failed_assume_role_and_scans_the_rest(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto_seed import client

    orgs = client("organizations", "us-east-1", moto_server.url)
    orgs.create_organization(FeatureSet="ALL")
    member = orgs.create_account(AccountName="prod", Email="p@example.com")["CreateAccountStatus"]["AccountId"]
    locked = orgs.create_account(AccountName="locked", Email="l@example.com")["CreateAccountStatus"]["AccountId"]
    deny_assume_role(monkeypatch, locked)
    snapshot = run_scan(ScanRequest(regions=("us-east-1",), org=True, role_name="Scan", now=NOW))

    assert snapshot.coverage.accounts == tuple(sorted((ACCOUNT, member, locked)))
    assert {a.account_id: a.name for a in snapshot.accounts}[member] == "prod"
    assert [(e.account_id, e.region, e.operation, e.error_code) for e in snapshot.coverage.errors] == [
        (locked, "global", "AssumeRole", "AccessDenied")]
    assert {q.account_id for q in snapshot.eip_quotas} == {ACCOUNT, member}  # both entered accounts scanned


@pytest.mark.parametrize(("request_", "message"), [
    (ScanRequest(days=0), "--days must be between 1 and 455"),
    (ScanRequest(workers=0), "--workers must be at least 1"),
    (ScanRequest(regions=("us-east-1", "moon-1")), "unknown region: moon-1"),
    (ScanRequest(accounts_file=Path("/nonexistent/accounts.txt"), role_name="Scan"), "cannot read accounts file"),
])
def test_bad_requests_are_config_errors(aws: None, request_: ScanRequest, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        run_scan(request_)


FREEZE_PROBE = """
import gc
from datetime import UTC, datetime
from moto import mock_aws
from moto_seed import seed_estate
from analyzer.collect import collector
from analyzer.collect.scan import ScanRequest, run_scan
during = []
real = collector.scan_unit
def watched(ctx, *args, **kwargs):
    during.append(gc.get_freeze_count())
    return real(ctx, *args, **kwargs)
collector.scan_unit = watched
with mock_aws():
    seed_estate("us-east-1")
    before = gc.get_freeze_count()
    run_scan(ScanRequest(regions=("us-east-1",), now=datetime(2026, 3, 31, tzinfo=UTC)))
print(before, during[0], gc.get_freeze_count())
"""


def test_the_scan_freezes_the_long_lived_heap_while_it_runs_and_gives_it_back(tmp_path: Path) -> None:
    """Full collections walked the loaded service models again and again (a fifth of an org scan's CPU).

    In a fresh interpreter: the test process's heap may be frozen already (``report`` freezes its snapshot).
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests" / "collect")])}
    run = subprocess.run([sys.executable, "-c", FREEZE_PROBE], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    before, during, after = (int(n) for n in run.stdout.split())
    assert before == 0 and during > 10_000  # the models (hundreds of thousands of objects) were frozen
    assert after == 0  # and the process got its heap back
