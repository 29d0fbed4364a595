"""The scan is read-only, provably: every call a full scan makes is in the shipped policy.

The calls are recorded independently of the collector's own counter: every
botocore client created during the scan gets a ``before-call`` hook here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from moto_seed import client, seed_estate, seed_metrics

from analyzer.collect.clients import iam_action
from analyzer.collect.policy import NON_READ_ACTIONS, is_read_only, load_policy, policy_actions
from analyzer.collect.scan import ScanRequest, run_scan

NOW = datetime(2026, 3, 31, tzinfo=UTC)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    calls: set[str] = set()
    original = botocore.session.Session.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        created = original(self, *args, **kwargs)

        def hook(model: Any, **_: Any) -> None:
            calls.add(iam_action(model.service_model.service_name, model.name))

        created.meta.events.register("before-call.*.*", hook)
        return created

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    yield calls


def test_full_scan_calls_only_policy_actions_and_only_reads(aws: None, recorded: set[str]) -> None:
    estate = seed_estate("us-east-1", other_consumer=True)
    seed_metrics(estate, NOW)
    ec2 = client("ec2", "us-east-1")
    private_rt = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id",
                                                      "Values": [estate.private_subnet]}])["RouteTables"][0]
    ec2.create_vpc_endpoint(VpcId=estate.vpc_id, ServiceName="com.amazonaws.us-east-1.s3",
                            RouteTableIds=[private_rt["RouteTableId"]], VpcEndpointType="Gateway")
    recorded.clear()  # seeding calls are not the scan's

    snapshot = run_scan(ScanRequest(now=NOW))  # no --region: DescribeRegions, then every enabled region

    assert len(snapshot.coverage.regions) > 10 and snapshot.coverage.errors == ()
    # the gateway endpoint's route refers to the S3 prefix list: read, with its CIDRs
    [s3_list] = snapshot.prefix_lists
    assert s3_list.name == "com.amazonaws.us-east-1.s3" and s3_list.owner_id == "AWS" and s3_list.cidrs
    allowed = policy_actions(load_policy())
    assert recorded - allowed == set(), "calls missing from analyzer/data/iam_policy.json"
    assert {a for a in recorded if not is_read_only(a)} == set()
    assert set(snapshot.coverage.api_calls) == recorded  # the snapshot's own counts agree


def test_org_scan_adds_only_list_accounts_and_assume_role(aws: None, recorded: set[str]) -> None:
    orgs = client("organizations", "us-east-1")
    orgs.create_organization(FeatureSet="ALL")
    orgs.create_account(AccountName="prod", Email="p@example.com")
    recorded.clear()

    run_scan(ScanRequest(regions=("us-east-1",), org=True, role_name="Scan", now=NOW))

    assert recorded - policy_actions(load_policy()) == set()
    assert {a for a in recorded if not is_read_only(a)} == NON_READ_ACTIONS == {"sts:AssumeRole"}
    assert {"organizations:ListAccounts", "sts:AssumeRole"} <= recorded


ATHENA_WRITES = {"athena:StartQueryExecution", "athena:StopQueryExecution", "s3:PutObject",
                 "s3:AbortMultipartUpload"}


def test_policy_is_least_privilege() -> None:
    policy = load_policy()
    actions = policy_actions(policy)
    assert policy["Version"] == "2012-10-17"
    assert all("*" not in a for a in actions), "no wildcard actions"
    by_sid = {s["Sid"]: set(s["Action"]) for s in policy["Statement"]}
    # The scan statement is read-only; the only writes are the optional Athena inputs' query and its results.
    assert {a for a in by_sid["LambdaEgressReadOnlyScan"] if not is_read_only(a)} == set()
    assert {a for a in actions if not is_read_only(a)} == {"sts:AssumeRole"} | ATHENA_WRITES
    assert {a for a in by_sid["OptionalAthenaInputs"] if not is_read_only(a)} == ATHENA_WRITES
    assert by_sid["OptionalAthenaInputs"] == ATHENA_WRITES | {
        "athena:GetQueryExecution", "athena:GetQueryResults", "glue:GetDatabase", "glue:GetPartitions",
        "glue:GetTable", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads",
        "s3:ListMultipartUploadParts"}
    assert actions - by_sid["OptionalAthenaInputs"] == {
        "cloudwatch:GetMetricData",
        "ec2:DescribeAddresses", "ec2:DescribeInternetGateways", "ec2:DescribeNatGateways",
        "ec2:DescribeNetworkInterfaces", "ec2:DescribeRegions", "ec2:DescribeRouteTables",
        "ec2:DescribeSubnets", "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcs",
        "ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries",
        "lambda:GetFunctionConfiguration", "lambda:ListFunctions",
        "servicequotas:GetServiceQuota", "sts:GetCallerIdentity",
        "organizations:ListAccounts", "sts:AssumeRole",
        "pricing:GetProducts",  # `prices refresh` only: statement OptionalPricesRefresh
    }
