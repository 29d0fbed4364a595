"""idle-nat: a NAT gateway that processed almost nothing in the window.

Its hourly charge and public IP are paid for almost no traffic; it may be
left over, or its consumers may not need internet egress at all.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.models import Finding, Settings, Topology, Usage
from analyzer.rules.base import NAT_PRICING_DOC, Rule, num


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    for nat in topology.nats:
        nu = usage.nats.get(nat.nat_gateway_id)
        if nu is None or not nu.has_metrics or nu.monthly_gb >= settings.idle_nat_monthly_gb:
            continue
        yield rule.finding(
            account_id=nat.account_id,
            region=nat.region,
            resource_ids=[nat.nat_gateway_id],
            message=(
                f"{nat.nat_gateway_id} processed {nu.window_bytes:,.0f} bytes in {usage.window_days} days "
                f"({nu.days_with_data} with data), about {float(nu.monthly_gb):.3f} GB/month, below "
                f"{settings.idle_nat_monthly_gb} GB: its hourly charge buys almost no traffic."
            ),
            evidence={
                "nat_gateway_id": nat.nat_gateway_id,
                "monthly_gb": num(nu.monthly_gb),
                "window_bytes": nu.window_bytes,
                "window_days": usage.window_days,
                "days_with_data": nu.days_with_data,
                "threshold_monthly_gb": num(settings.idle_nat_monthly_gb),
                "function_arns": list(nat.function_arns),
            },
        )


RULE = Rule(
    id="idle-nat",
    severity="low",
    title="NAT gateway with almost no traffic",
    rationale=(
        "A NAT gateway is billed for every hour it exists, and its public IPv4 address by the hour too, "
        "whether or not traffic flows. One that processes almost nothing is nearly all fixed cost."
    ),
    remediation=(
        "Confirm what still routes to it; if nothing needs internet egress, remove the 0.0.0.0/0 routes and "
        "delete the NAT gateway and release its EIP, or consolidate it with another NAT in the VPC."
    ),
    references=(NAT_PRICING_DOC,),
    check=_check,
)
