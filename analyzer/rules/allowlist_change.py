"""allowlist-change: the partner must allow-list new addresses (and may drop old ones).

Today the partner allow-lists the NAT gateway's public IPs. After a migration
each target ENI (public subnet + security groups) egresses from its own
Elastic IP: a NAT's secondary addresses can move to ENIs before anything
changes; its primary only by deleting it first (a maintenance window, with
``--reuse-nat-addresses``); every other ENI gets a new address, which the
partner must add before cutover. ``analyzer.design`` decided which is which.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.models import Finding, Settings, Topology, Usage
from analyzer.rules.base import NETWORKING_DOC, Rule, candidate_nats, ids_text, plural, targets_by_nat


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    owned = targets_by_nat(topology, owner=True)
    for nat in candidate_nats(topology):
        addresses = [a for t in owned.get((nat.account_id, nat.region, nat.nat_gateway_id), []) for a in t.addresses]
        new = [a for a in addresses if a.origin == "new"]
        unknown = [a.public_ip or a.allocation_id for a in addresses
                   if a.origin == "existing" and a.public_ip not in nat.public_ips]  # fmt: skip
        kept = [a.public_ip or a.allocation_id for a in addresses if a.nat_gateway_id == nat.nat_gateway_id]
        dropped = sorted(set(nat.public_ips) - set(kept)) if nat.removable else []
        count = len(new) + len(unknown)
        if count == 0:
            continue
        reuse = f"it reuses {ids_text(kept)}" if kept else "it reuses none of the NAT's addresses"
        if not nat.removable:
            reuse = "the NAT stays for other consumers and keeps its addresses"
        elif dropped and not settings.reuse_nat_addresses:
            reuse += (f"; {ids_text(dropped)} can leave the list after the NAT is deleted (reusing the primary "
                      "instead costs a maintenance window: --reuse-nat-addresses)")  # fmt: skip
        known = f" ({ids_text(unknown)} already on ENIs there)" if unknown else ""
        yield rule.finding(
            account_id=nat.account_id,
            region=nat.region,
            resource_ids=[nat.nat_gateway_id, *nat.function_arns],
            message=(
                f"Moving the functions behind {nat.nat_gateway_id} needs {plural(len(addresses), 'address', 'es')} "
                f"(one per Lambda ENI of each target subnet + security groups); {reuse}, so the partner must "
                f"allow-list {plural(count, 'new address', 'es')}{known} before cutover."
            ),
            evidence={
                "nat_gateway_id": nat.nat_gateway_id,
                "nat_public_ips": list(nat.public_ips),
                "eips_needed": nat.eips_needed,
                "new_addresses": count,
                "reused_nat_addresses": kept,
                "addresses_to_remove": dropped,
                "nat_removable": nat.removable,
            },
        )


RULE = Rule(
    id="allowlist-change",
    severity="medium",
    title="Partner must allow-list new egress addresses",
    rationale=(
        "Functions behind a NAT gateway share its public IPs, which is what the partner allow-lists today. "
        "EIP-on-ENI egress needs one Elastic IP per Lambda ENI of each target key, and a NAT's primary address "
        "moves only once the NAT is deleted, so the partner sees new addresses."
    ),
    remediation=(
        "Allocate the new EIPs first, send the exact addresses to the partner, and move functions only after they "
        "confirm the allow-list change; remove the NAT's old addresses from the list only after the NAT is gone."
    ),
    references=(NETWORKING_DOC,),
    check=_check,
)
