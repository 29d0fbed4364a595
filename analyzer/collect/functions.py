"""Lambda functions, their VPC config and (for VPC functions) their state.

``ListFunctions`` does not return ``State``/``StateReasonCode``/
``LastUpdateStatus`` on real AWS, so each VPC-attached function costs one
``GetFunctionConfiguration``: the only per-resource call of the scan.
Functions outside a VPC need no second call; they cannot be behind a NAT.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from analyzer.collect.context import UnitContext
from analyzer.models import LambdaFunction

LIST_PAGE = 50  # ListFunctions returns at most 50 per page whatever MaxItems says
# Denials are per principal, not per function: after one, asking again per
# function would only add hundreds of identical errors and calls.
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})

GONE = frozenset({"ResourceNotFoundException"})

_FRACTION = re.compile(r"\.(\d{1,9})")


def parse_last_modified(value: str | None) -> datetime | None:
    """Lambda's ``2019-08-14T22:24:09.789+0000`` (moto: nine fraction digits, ``Z``) as a datetime."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    text = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), text, count=1)
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def to_function(ctx: UnitContext, item: dict[str, Any], config: dict[str, Any] | None = None) -> LambdaFunction:
    """A function from its ListFunctions item, with state fields from GetFunctionConfiguration when given."""
    vpc = item.get("VpcConfig") or {}
    subnet_ids = tuple(sorted(vpc.get("SubnetIds") or []))
    state = config or {}
    return LambdaFunction(
        account_id=ctx.account_id,
        region=ctx.region,
        arn=item["FunctionArn"],
        name=item["FunctionName"],
        runtime=item.get("Runtime"),
        vpc_id=(vpc.get("VpcId") or None) if subnet_ids else None,
        subnet_ids=subnet_ids,
        security_group_ids=tuple(sorted(vpc.get("SecurityGroupIds") or [])),
        ipv6_allowed_for_dual_stack=bool(vpc.get("Ipv6AllowedForDualStack", False)),
        state=state.get("State"),
        state_reason_code=state.get("StateReasonCode"),
        last_update_status=state.get("LastUpdateStatus"),
        last_modified=parse_last_modified(item.get("LastModified")),
    )


def in_vpc(item: dict[str, Any]) -> bool:
    return bool((item.get("VpcConfig") or {}).get("SubnetIds"))


def collect_functions(ctx: UnitContext) -> list[LambdaFunction] | None:
    """Every function of the region; ``None`` when ListFunctions failed."""
    items = ctx.paginate("lambda", "ListFunctions", "Functions", LIST_PAGE)
    if items is None:
        return None
    functions: list[LambdaFunction] = []
    denied = False
    for item in items:
        config = None
        if in_vpc(item) and not denied:
            before = len(ctx.errors)
            config = ctx.call(
                "lambda", "GetFunctionConfiguration", GONE, FunctionName=item["FunctionArn"]
            )
            if config == {}:
                continue  # deleted between the list and the get
            denied = len(ctx.errors) > before and ctx.errors[-1].error_code in DENIED_CODES
        functions.append(to_function(ctx, item, config))
    return functions
