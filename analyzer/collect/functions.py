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
from datetime import datetime
from typing import Any

from analyzer.collect.context import UnitContext
from analyzer.collect.workers import fan_out
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


def to_function(ctx: UnitContext, item: dict[str, Any]) -> LambdaFunction:
    """A function from its ListFunctions item (state fields come later, from ``with_state``)."""
    vpc = item.get("VpcConfig") or {}
    subnet_ids = tuple(sorted(vpc.get("SubnetIds") or []))
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
        last_modified=parse_last_modified(item.get("LastModified")),
    )


def with_state(fn: LambdaFunction, config: dict[str, Any]) -> LambdaFunction:
    """The function with the state fields of its GetFunctionConfiguration answer."""
    return fn.model_copy(update={
        "state": _text(config.get("State")),
        "state_reason_code": _text(config.get("StateReasonCode")),
        "last_update_status": _text(config.get("LastUpdateStatus")),
    })


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def get_state(ctx: UnitContext, arn: str) -> Outcome:
    """One GetFunctionConfiguration with its own error list (safe to run on any thread)."""
    own = UnitContext(account_id=ctx.account_id, region=ctx.region, clients=ctx.clients, deadline=ctx.deadline,
                      stop=ctx.stop)
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

    outcomes[start:] = fan_out([lambda arn=arn: task(arn) for arn in arns[start:]], workers, "fn-state")
    return outcomes


def collect_functions(ctx: UnitContext, with_state_calls: bool = True) -> list[LambdaFunction] | None:
    """Every function of the region; ``None`` when ListFunctions failed.

    ``with_state_calls=False`` skips GetFunctionConfiguration (``verify`` needs no state).
    """
    listed = ctx.paginate("lambda", "ListFunctions", lambda i: to_function(ctx, i), LIST_PAGE)
    if listed is None:
        return None
    wanted = [i for i, fn in enumerate(listed) if with_state_calls and fn.in_vpc]
    outcomes = collect_states(ctx, [listed[i].arn for i in wanted])
    outcome_at = dict(zip(wanted, outcomes, strict=True))
    functions: list[LambdaFunction] = []
    for i, fn in enumerate(listed):
        outcome = outcome_at.get(i)
        if outcome is not None:
            config, errors = outcome
            for error in errors:
                ctx.add_error(error.operation, error.error_code, error.message)
            if config == {}:
                continue  # deleted between the list and the get
            if config:
                fn = with_state(fn, config)
        functions.append(fn)
    return functions
