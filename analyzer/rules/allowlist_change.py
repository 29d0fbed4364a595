"""allowlist-change: the partner must allow-list new addresses.

Today the partner allow-lists the NAT's public IPs. After a migration each
Lambda ENI group egresses from its own EIP: a removable NAT's EIPs can be
reused for some groups, the rest are new addresses the partner must add.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.models import Finding, NatView, Settings, Topology, Usage
from analyzer.rules.base import NETWORKING_DOC, Rule, candidate_nats, ids_text, new_addresses, plural


def _message(nat: NatView, new: int) -> str:
    current = f"{plural(len(nat.public_ips), 'address', 'es')} ({ids_text(nat.public_ips)})"
    if nat.removable:
        reuse = f"its current {current} can be moved to ENI groups"
    else:
        reuse = f"the NAT stays for other consumers and keeps its {current}"
    return (
        f"Moving the functions behind {nat.nat_gateway_id} needs {plural(nat.eips_needed, 'EIP')} (one per "
        f"Lambda ENI); {reuse}, so the partner must allow-list {plural(new, 'new address', 'es')} "
        "before cutover."
    )


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    for nat in candidate_nats(topology):
        new = new_addresses(nat)
        if new <= 0:
            continue
        yield rule.finding(
            account_id=nat.account_id,
            region=nat.region,
            resource_ids=[nat.nat_gateway_id, *nat.function_arns],
            message=_message(nat, new),
            evidence={
                "nat_gateway_id": nat.nat_gateway_id,
                "nat_public_ips": list(nat.public_ips),
                "eips_needed": nat.eips_needed,
                "new_addresses": new,
                "nat_removable": nat.removable,
            },
        )


RULE = Rule(
    id="allowlist-change",
    severity="medium",
    title="Partner must allow-list new egress addresses",
    rationale=(
        "Functions behind a NAT gateway share its public IPs, which is what the partner allow-lists today. "
        "EIP-on-ENI egress needs one Elastic IP per Lambda ENI, so more addresses leave the VPC than before."
    ),
    remediation=(
        "Allocate the new EIPs first, send the exact addresses to the partner, and cut over only after they "
        "confirm the allow-list change; keep the NAT route in place until then so rollback is one route "
        "change."
    ),
    references=(NETWORKING_DOC,),
    check=_check,
)
