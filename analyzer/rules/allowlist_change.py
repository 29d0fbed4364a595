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
from dataclasses import dataclass

from analyzer.models import Finding, NatView, Settings, TargetEni, Topology, Usage
from analyzer.rules.base import NETWORKING_DOC, Rule, candidate_nats, ids_text, plural, targets_by_nat


@dataclass(frozen=True)
class AllowlistDelta:
    """What the partner's allow-list gains and loses when one NAT's functions move."""

    addresses: int  # addresses the NAT's target ENIs egress from
    new: int  # addresses the partner must add: new allocations and ones already on other ENIs there
    unknown: tuple[str, ...]  # of those, addresses already on ENIs (not the NAT's)
    kept: tuple[str, ...]  # the NAT's own addresses the ENIs reuse
    dropped: tuple[str, ...]  # the NAT's addresses that can leave the list once it is deleted


def allowlist_delta(topology: Topology, nat: NatView,
                    owned: dict[tuple[str, str, str], list[TargetEni]] | None = None) -> AllowlistDelta:
    """The one computation of a NAT's allow-list change (the rule's message and the decision table).

    ``owned`` is ``targets_by_nat(topology, owner=True)``, built once by a caller that asks for every NAT.
    """
    owned = owned if owned is not None else targets_by_nat(topology, owner=True)
    addresses = [a for t in owned.get((nat.account_id, nat.region, nat.nat_gateway_id), []) for a in t.addresses]
    unknown = tuple(a.public_ip or a.allocation_id for a in addresses
                    if a.origin == "existing" and a.public_ip not in nat.public_ips)  # fmt: skip
    kept = tuple(a.public_ip or a.allocation_id for a in addresses if a.nat_gateway_id == nat.nat_gateway_id)
    dropped = tuple(sorted(set(nat.public_ips) - set(kept))) if nat.removable else ()
    new = sum(1 for a in addresses if a.origin == "new") + len(unknown)
    return AllowlistDelta(len(addresses), new, unknown, kept, dropped)


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    owned = targets_by_nat(topology, owner=True)
    for nat in candidate_nats(topology):
        delta = allowlist_delta(topology, nat, owned)
        count, unknown, kept, dropped = delta.new, list(delta.unknown), list(delta.kept), list(delta.dropped)
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
                f"Moving the functions behind {nat.nat_gateway_id} needs {plural(delta.addresses, 'address', 'es')} "
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
