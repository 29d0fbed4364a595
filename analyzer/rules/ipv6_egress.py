"""ipv6-egress: dual-stack functions send IPv6 traffic around the allow-listed IPv4 address.

A function with ``Ipv6AllowedForDualStack`` reaches IPv6 destinations from
its subnet's IPv6 addresses (through an egress-only or internet gateway),
never from the NAT gateway's or the Elastic IP's IPv4 address, in both
designs. A partner that allow-lists one IPv4 address and publishes an AAAA
record sees a different source. The migration also needs an IPv6 CIDR on
every target subnet, or Lambda rejects the update.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.models import Finding, Settings, Topology, Usage
from analyzer.rules.base import VPC_DOC, Rule, ids_text

DUAL_STACK_DOC = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-ipv6"


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    lands: dict[tuple[str, str, str], list] = {}
    for t in topology.targets:
        for arn in t.function_arns:
            lands.setdefault((t.account_id, t.region, arn), []).append(t)
    for fn in topology.functions:
        if not fn.ipv6_allowed_for_dual_stack or fn.egress not in ("nat", "igw-eip", "igw-no-public-ip"):
            continue
        live = [p.subnet_id for p in fn.paths if p.ipv6_egress]
        missing = [t.subnet_id for t in lands.get((fn.account_id, fn.region, fn.arn), []) if not t.has_ipv6_cidr]
        route = (f"subnets {ids_text(live)} route ::/0 out of the VPC, so IPv6 egress is live today"
                 if live else "no subnet of it routes ::/0 out of the VPC yet")  # fmt: skip
        gap = (f" Target subnet(s) {ids_text(missing)} have no IPv6 CIDR: the move fails until one is associated."
               if missing else "")  # fmt: skip
        yield rule.finding(
            account_id=fn.account_id,
            region=fn.region,
            severity="medium" if live or missing else "info",
            resource_ids=[fn.arn, *fn.subnet_ids],
            message=(
                f"{fn.name} allows IPv6 (Ipv6AllowedForDualStack): traffic to IPv6 destinations leaves from its "
                f"subnet's IPv6 addresses, not the allow-listed IPv4, with a NAT gateway and with an Elastic IP "
                f"alike; {route}.{gap}"
            ),
            evidence={
                "function_arn": fn.arn,
                "ipv6_egress_subnet_ids": live,
                "target_subnets_without_ipv6": missing,
            },
        )


RULE = Rule(
    id="ipv6-egress",
    severity="medium",
    title="Dual-stack function: IPv6 traffic bypasses the allow-listed IPv4 address",
    rationale=(
        "Lambda uses IPv6 towards destinations with AAAA records when Ipv6AllowedForDualStack is set; that traffic "
        "never passes the NAT gateway or the Elastic IP, so an IPv4 allow-list does not cover it in either design."
    ),
    remediation=(
        "Ask the partner whether its endpoint has an AAAA record; if it does, allow-list the subnets' IPv6 "
        "prefixes too or turn Ipv6AllowedForDualStack off for the functions that call it. Give every target "
        "subnet an IPv6 CIDR before moving a dual-stack function."
    ),
    references=(DUAL_STACK_DOC, VPC_DOC),
    check=_check,
)
