"""Lambda functions, their VPC config and (for VPC functions) their state.

``ListFunctions`` does not return ``State``/``StateReasonCode``/
``LastUpdateStatus`` on real AWS, so each VPC-attached function costs one
``GetFunctionConfiguration``: the only per-resource call of the scan.
Functions outside a VPC need no second call; they cannot be behind a NAT.

Those calls run on a small thread pool per region (one call is ~40-50 ms, so
500 functions took 20-25 s one at a time). They run one at a time only until
the first succeeds: a principal without ``lambda:GetFunctionConfiguration``
is denied on every function, and finding that out must cost one call, not
one per worker. Each call keeps its own error list, merged in list order, so
the functions and the coverage errors come out in the same order as before.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from analyzer.collect.context import UnitContext
from analyzer.models import CoverageError, LambdaFunction

LIST_PAGE = 50  # ListFunctions returns at most 50 per page whatever MaxItems says
# Denials are per principal, not per function: after one, asking again per
# function would only add hundreds of identical errors and calls.
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})

GONE = frozenset({"ResourceNotFoundException"})
# Per region; regions already run in parallel (scan --workers), so keep it small.
STATE_WORKERS = 4

# (GetFunctionConfiguration response or None on failure or {} when gone, the call's errors)
Outcome = tuple[dict[str, Any] | None, list[CoverageError]]

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


def get_state(ctx: UnitContext, arn: str) -> Outcome:
    """One GetFunctionConfiguration with its own error list (safe to run on any thread)."""
    own = UnitContext(account_id=ctx.account_id, region=ctx.region, pool=ctx.pool)
    config = own.call("lambda", "GetFunctionConfiguration", GONE, FunctionName=arn)
    return config, own.errors


def denied(outcome: Outcome) -> bool:
    return any(e.error_code in DENIED_CODES for e in outcome[1])


def collect_states(ctx: UnitContext, arns: list[str], workers: int = STATE_WORKERS) -> list[Outcome | None]:
    """The outcome for each ARN, in order; ``None`` where the call was skipped after a denial."""
    outcomes: list[Outcome | None] = [None] * len(arns)
    start = 0
    while start < len(arns):  # one at a time until access is proven (or denied)
        outcomes[start] = outcome = get_state(ctx, arns[start])
        start += 1
        if denied(outcome):
            return outcomes
        if outcome[0]:
            break
    stop = threading.Event()

    def task(arn: str) -> Outcome | None:
        if stop.is_set():
            return None
        outcome = get_state(ctx, arn)
        if denied(outcome):
            stop.set()  # calls already in flight finish; no new ones start
        return outcome

    if start < len(arns):
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fn-state") as executor:
            outcomes[start:] = executor.map(task, arns[start:])
    return outcomes


def collect_functions(ctx: UnitContext, with_state: bool = True) -> list[LambdaFunction] | None:
    """Every function of the region; ``None`` when ListFunctions failed.

    ``with_state=False`` skips GetFunctionConfiguration (``verify`` needs no state).
    """
    items = ctx.paginate("lambda", "ListFunctions", "Functions", LIST_PAGE)
    if items is None:
        return None
    wanted = [i for i, item in enumerate(items) if with_state and in_vpc(item)]
    outcomes = collect_states(ctx, [items[i]["FunctionArn"] for i in wanted])
    outcome_at = dict(zip(wanted, outcomes, strict=True))
    functions: list[LambdaFunction] = []
    for i, item in enumerate(items):
        outcome = outcome_at.get(i)
        config = None
        if outcome is not None:
            config, errors = outcome
            ctx.errors.extend(errors)
            if config == {}:
                continue  # deleted between the list and the get
        functions.append(to_function(ctx, item, config))
    return functions
