"""idle-reclamation: a function idle long enough for Lambda to reclaim its ENI.

Lambda reclaims the ENIs of a function idle for about 14 days and marks it
Inactive; the next invoke fails, the function goes Pending and a new ENI is
created. An EIP associated with the old ENI does not follow.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.models import Finding, FunctionEgress, FunctionUsage, Settings, Severity, Topology, Usage
from analyzer.rules.base import EXPOSED_EGRESS, STATES_DOC, VPC_DOC, Rule, function_name


def _grade(fn: FunctionEgress, fu: FunctionUsage | None, settings: Settings) -> Severity | None:
    """high when Inactive or past the reclaim age, medium past the warning age, else nothing."""
    idle = fu.idle_days if fu is not None else None
    if fn.state == "Inactive" or (idle is not None and idle >= settings.idle_reclaim_days):
        return "high"
    if idle is not None and idle >= settings.idle_warn_days:
        return "medium"
    return None


def _message(fn: FunctionEgress, fu: FunctionUsage | None, settings: Settings) -> str:
    name = function_name(fn.arn)
    impact = (
        "an EIP on its ENI does not follow the new ENI Lambda creates on the next invoke"
        if fn.egress != "nat"
        else "after a move to EIP-on-ENI egress the EIP would be lost with the reclaimed ENI"
    )
    if fn.state == "Inactive":
        reason = f" ({fn.state_reason_code})" if fn.state_reason_code else ""
        return f"Function {name} is Inactive{reason}: Lambda has reclaimed its ENI; {impact}."
    idle = fu.idle_days if fu is not None else None
    last = f" (last invoked {fu.last_active.isoformat()})" if fu is not None and fu.last_active else ""
    return (
        f"Function {name} has not been invoked for {idle} days{last}; Lambda reclaims the ENI "
        f"of a function idle for {settings.idle_reclaim_days} days: {impact}."
    )


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    for fn in topology.functions:
        if fn.egress not in EXPOSED_EGRESS:
            continue
        fu = usage.functions.get(fn.arn)
        severity = _grade(fn, fu, settings)
        if severity is None:
            continue
        yield rule.finding(
            account_id=fn.account_id,
            region=fn.region,
            resource_ids=[fn.arn, *fn.eni_ids],
            severity=severity,
            message=_message(fn, fu, settings),
            evidence={
                "function_arn": fn.arn,
                "state": fn.state,
                "state_reason_code": fn.state_reason_code,
                "idle_days": fu.idle_days if fu else None,
                "last_active": fu.last_active.isoformat() if fu and fu.last_active else None,
                "reclaim_days": settings.idle_reclaim_days,
                "warn_days": settings.idle_warn_days,
                "egress": fn.egress,
                "eni_ids": list(fn.eni_ids),
            },
        )


RULE = Rule(
    id="idle-reclamation",
    severity="high",
    title="Function idle long enough for its ENI to be reclaimed",
    rationale=(
        "Lambda reclaims the Hyperplane ENI of a function that has not been invoked for about 14 days and "
        "sets it Inactive. The next invoke fails while Lambda creates a new ENI, and an Elastic IP that was "
        "associated with the old ENI is not moved to the new one."
    ),
    remediation=(
        "Invoke the function on a schedule (an EventBridge rule every few days) so its ENI stays in use, and "
        "run a guard that re-associates the EIP when the function returns from Inactive; for rarely used "
        "functions keep NAT egress."
    ),
    references=(STATES_DOC, VPC_DOC),
    check=_check,
)
