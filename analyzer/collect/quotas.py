"""The region's Elastic IP quota (Service Quotas ``ec2`` / ``L-0263D0A3``).

Only ``GetServiceQuota`` is called. When it cannot be read the AWS default of
5 is assumed and the record says so in its note. ``NoSuchResourceException``
(the quota is not available in this region or endpoint) is not a gap in the
scan, so it is not a coverage error; any other failure (AccessDenied,
throttling, an answer without a usable value) is recorded, because then the
real quota may well differ.
"""

from __future__ import annotations

import math

from analyzer.collect.context import UnitContext
from analyzer.models import EipQuota

SERVICE_CODE = "ec2"
EIP_QUOTA_CODE = "L-0263D0A3"
DEFAULT_EIP_QUOTA = 5
NOT_AVAILABLE = frozenset({"NoSuchResourceException"})


def default_quota(ctx: UnitContext, why: str) -> EipQuota:
    return EipQuota(
        account_id=ctx.account_id,
        region=ctx.region,
        value=DEFAULT_EIP_QUOTA,
        source="default",
        note=f"AWS default of {DEFAULT_EIP_QUOTA} assumed: {why}",
    )


def collect_eip_quota(ctx: UnitContext) -> EipQuota:
    """The quota, or the default with a note; a quota that could not be read is a coverage gap too."""
    response = ctx.call(
        "service-quotas", "GetServiceQuota", NOT_AVAILABLE, ServiceCode=SERVICE_CODE, QuotaCode=EIP_QUOTA_CODE
    )
    if response is None:
        return default_quota(ctx, "the Service Quotas call failed (see coverage errors)")
    if not response:
        return default_quota(ctx, f"Service Quotas has no value for {SERVICE_CODE}/{EIP_QUOTA_CODE} here")
    value = response["Quota"].get("Value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        ctx.add_error("GetServiceQuota", "MalformedResponse",
                      f"the quota {SERVICE_CODE}/{EIP_QUOTA_CODE} has no usable Value (got {value!r})")
        return default_quota(ctx, "Service Quotas answered without a usable value (see coverage errors)")
    return EipQuota(account_id=ctx.account_id, region=ctx.region, value=int(value), source="service-quotas")
