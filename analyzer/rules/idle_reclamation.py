"""idle-reclamation: a function idle long enough for Lambda to reclaim its ENI.

Lambda marks a function idle for about 14 days Inactive and reclaims its
*unused* Hyperplane ENIs; the next invoke fails, the function goes Pending and
a new ENI is created. An EIP associated with the old ENI does not follow.

An ENI is shared by every function with the same (subnet, security-group
set), so it is unused only when all of them are idle: an idle function whose
group also serves a recently active function keeps its ENI (and the EIP on
it), though the function itself may still go Inactive. Grades:

* high: the function is Inactive, or idle for the reclaim age with an ENI
  group whose other functions are all idle that long too (or unknown): that
  ENI is unused and really at risk;
* medium: idle for the reclaim age but every one of its ENI groups also
  serves a recently active function, or idle for the warning age;
* nothing otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from analyzer.models import Finding, FunctionEgress, FunctionUsage, Settings, Severity, Topology, Usage
from analyzer.rules.base import EXPOSED_EGRESS, STATES_DOC, VPC_DOC, Rule, function_name, names_text


def _groups_by_function(topology: Topology) -> dict[str, list[tuple[str, ...]]]:
    """Function ARN -> the function ARNs of each ENI group it is in."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for group in topology.eni_groups:
        for arn in group.function_arns:
            out.setdefault(arn, []).append(group.function_arns)
    return out


def _is_active(arn: str, states: dict[str, str | None], usage: Usage, settings: Settings) -> bool:
    """Invoked within the reclaim age. Unknown usage is no proof of use, and Inactive is not active."""
    fu = usage.functions.get(arn)
    if states.get(arn) == "Inactive" or fu is None or fu.idle_days is None:
        return False
    return fu.idle_days < settings.idle_reclaim_days


def _sharing(
    fn: FunctionEgress, groups: list[tuple[str, ...]], is_active: Callable[[str], bool]
) -> tuple[list[str], bool]:
    """(active functions sharing an ENI group with ``fn``, whether some group of ``fn`` has none).

    A group with no active function has an unused ENI: that one is really at risk.
    """
    active: set[str] = set()
    unused_group = not groups
    for members in groups:
        in_use = {a for a in members if a != fn.arn and is_active(a)}
        active |= in_use
        unused_group = unused_group or not in_use
    return sorted(active), unused_group


def _grade(fn: FunctionEgress, fu: FunctionUsage | None, unused_group: bool, settings: Settings) -> Severity | None:
    idle = fu.idle_days if fu is not None else None
    if fn.state == "Inactive":
        return "high"
    if idle is not None and idle >= settings.idle_reclaim_days:
        return "high" if unused_group else "medium"
    if idle is not None and idle >= settings.idle_warn_days:
        return "medium"
    return None


def _message(
    fn: FunctionEgress, fu: FunctionUsage | None, active: list[str], unused_group: bool, settings: Settings
) -> str:
    name = function_name(fn.arn)
    impact = (
        "an EIP on its ENI does not follow the new ENI Lambda creates on the next invoke"
        if fn.egress != "nat"
        else "after a move to EIP-on-ENI egress the EIP would be lost with the reclaimed ENI"
    )
    if fn.state == "Inactive":
        reason = f" ({fn.state_reason_code})" if fn.state_reason_code else ""
        if not unused_group:
            return (
                f"Function {name} is Inactive{reason}: its next invoke fails while it goes Pending. Its ENI "
                f"group is still used by {names_text(active)}, so the ENI stays for now; if they stop too, "
                f"{impact}."
            )
        return f"Function {name} is Inactive{reason}: Lambda has reclaimed its unused ENI; {impact}."
    idle = fu.idle_days if fu is not None else None
    last = f" (last invoked {fu.last_active.isoformat()})" if fu is not None and fu.last_active else ""
    head = f"Function {name} has not been invoked for {idle} days{last}"
    if idle is not None and idle >= settings.idle_reclaim_days and not unused_group:
        return (
            f"{head}, past the {settings.idle_reclaim_days}-day reclaim age, but its ENI group is also used by "
            f"recently active {names_text(active)}, so Lambda keeps the ENI (and an EIP on it). The function "
            "itself may still be set Inactive: its next invoke fails while it goes Pending, and if the active "
            "functions stop too the ENI is reclaimed."
        )
    return (
        f"{head}; Lambda reclaims the unused ENI of a function idle for {settings.idle_reclaim_days} days: "
        f"{impact}."
    )


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    groups = _groups_by_function(topology)
    states = {f.arn: f.state for f in topology.functions}

    def is_active(arn: str) -> bool:
        return _is_active(arn, states, usage, settings)

    for fn in topology.functions:
        if fn.egress not in EXPOSED_EGRESS:
            continue
        fu = usage.functions.get(fn.arn)
        active, unused_group = _sharing(fn, groups.get(fn.arn, []), is_active)
        severity = _grade(fn, fu, unused_group, settings)
        if severity is None:
            continue
        yield rule.finding(
            account_id=fn.account_id,
            region=fn.region,
            resource_ids=[fn.arn, *fn.eni_ids],
            severity=severity,
            message=_message(fn, fu, active, unused_group, settings),
            evidence={
                "function_arn": fn.arn,
                "state": fn.state,
                "state_reason_code": fn.state_reason_code,
                "idle_days": fu.idle_days if fu else None,
                "last_active": fu.last_active.isoformat() if fu and fu.last_active else None,
                "reclaim_days": settings.idle_reclaim_days,
                "warn_days": settings.idle_warn_days,
                "shared_with_active": active,
                "egress": fn.egress,
                "eni_ids": list(fn.eni_ids),
            },
        )


RULE = Rule(
    id="idle-reclamation",
    severity="high",
    title="Function idle long enough for its ENI to be reclaimed",
    rationale=(
        "Lambda sets a function that has not been invoked for about 14 days Inactive and reclaims its unused "
        "Hyperplane ENIs. An ENI shared with a recently active function stays in use, but one used only by "
        "idle functions is deleted: the next invoke fails while Lambda creates a new ENI, and an Elastic IP "
        "that was associated with the old ENI is not moved to the new one."
    ),
    remediation=(
        "Invoke the function on a schedule (an EventBridge rule every few days) so it and its ENI stay in "
        "use, and run a guard that re-associates the EIP when a new ENI appears; for rarely used functions "
        "keep NAT egress. Where an active function shares the ENI group, the ENI stays, but the idle "
        "function's first invoke after going Inactive still fails."
    ),
    references=(STATES_DOC, VPC_DOC),
    check=_check,
)
