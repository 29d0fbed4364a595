"""quotas.py: the Elastic IP quota, or the default of 5 with a note."""

from __future__ import annotations

from botocore.stub import Stubber

from analyzer.collect.context import UnitContext
from analyzer.collect.quotas import collect_eip_quota

PARAMS = {"ServiceCode": "ec2", "QuotaCode": "L-0263D0A3"}


def test_moto_has_no_ec2_quota_so_default_without_a_coverage_error(ctx: UnitContext) -> None:
    quota = collect_eip_quota(ctx)
    assert (quota.value, quota.source) == (5, "default")
    assert quota.note and "default of 5" in quota.note
    assert ctx.errors == []
    assert ctx.clients.counter.snapshot()["servicequotas:GetServiceQuota"] == 1


def test_applied_quota_is_read(ctx: UnitContext) -> None:
    # Stubber, shaped like real GetServiceQuota output: moto only knows "vpc" quotas.
    with Stubber(ctx.client("service-quotas")) as stub:
        stub.add_response("get_service_quota", {"Quota": {
            "ServiceCode": "ec2", "QuotaCode": "L-0263D0A3", "QuotaName": "EC2-VPC Elastic IPs",
            "Value": 20.0, "Unit": "None", "Adjustable": True, "GlobalQuota": False}}, PARAMS)
        quota = collect_eip_quota(ctx)
    assert (quota.value, quota.source, quota.note, quota.region) == (20, "service-quotas", None, "us-east-1")


def test_denied_quota_is_a_coverage_gap_and_default(ctx: UnitContext) -> None:
    with Stubber(ctx.client("service-quotas")) as stub:
        stub.add_client_error("get_service_quota", "AccessDeniedException", "no servicequotas:GetServiceQuota",
                              http_status_code=400, expected_params=PARAMS)
        quota = collect_eip_quota(ctx)
    assert (quota.value, quota.source) == (5, "default")
    assert [(e.operation, e.error_code, e.message) for e in ctx.errors] == [
        ("GetServiceQuota", "AccessDeniedException", "no servicequotas:GetServiceQuota")]
