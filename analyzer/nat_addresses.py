"""Which of a NAT gateway's addresses a migration may take, when, and how to give them back.

A NAT gateway's primary Elastic IP stays on it until the gateway is deleted;
secondary ones can be taken off while it runs (DisassociateNatGatewayAddress)
and given back (AssociateNatGatewayAddress). A regional gateway holds its
addresses per AZ, and one with auto-provisioned zones or auto-scaling IPs has
addresses AWS manages and may change: the plan lends none of those.
"""

from __future__ import annotations

from collections.abc import Mapping

from analyzer.models import NatAddress, NatGateway


def auto_managed(gateway: NatGateway | None) -> bool:
    """A regional NAT gateway whose AZs or addresses AWS manages."""
    return gateway is not None and "enabled" in (gateway.auto_provision_zones, gateway.auto_scaling_ips)


def _scope(gateway: NatGateway, address: NatAddress) -> str | None:
    """Where one primary address is kept: the whole zonal gateway, or one AZ of a regional one."""
    return address.availability_zone if gateway.availability_mode == "regional" else None


def nat_pools(gateway: NatGateway | None, removable: bool) -> tuple[tuple[NatAddress, ...], tuple[str, ...]]:
    """(secondary addresses releasable before the window, allocations locked until the NAT is deleted).

    Per scope the primary stays locked; a scope with no address flagged
    primary stays locked whole, as does an address in flux or without an
    association id. Without per-address detail (older snapshots) every
    allocation is locked, as before that detail was collected.
    """
    if gateway is None or not removable or auto_managed(gateway):
        return (), ()
    if not gateway.addresses:
        return (), gateway.allocation_ids
    live = [a for a in gateway.addresses if a.status == "succeeded" and a.allocation_id]
    kept = {_scope(gateway, a) for a in live if a.is_primary}
    early = tuple(a for a in live if not a.is_primary and a.association_id and _scope(gateway, a) in kept)
    taken = {a.allocation_id for a in early}
    return early, tuple(str(a.allocation_id) for a in live if a.allocation_id not in taken)


def nat_ips(eip_ips: Mapping[tuple[str, str, str], str], gateway: NatGateway | None) -> tuple[tuple[str, str], ...]:
    """(allocation id, public IP) of the gateway's EIPs; the Elastic IP record wins over the NAT's list."""
    if gateway is None:
        return ()
    ips = dict(zip(gateway.allocation_ids, gateway.public_ips, strict=False))
    for a in gateway.addresses:
        if a.allocation_id in ips and a.public_ip:
            ips[a.allocation_id] = a.public_ip
    for alloc in ips:
        ips[alloc] = eip_ips.get((gateway.account_id, gateway.region, alloc), ips[alloc])
    return tuple(ips.items())


def primary_first(gateway: NatGateway | None, allocations: tuple[str, ...]) -> tuple[str, ...]:
    """The allocations with the gateway's primary first (the first one when none is flagged)."""
    primary = {a.allocation_id for a in gateway.addresses if a.is_primary} if gateway else set()
    return tuple(sorted(allocations, key=lambda a: a not in primary))


def by_zone(gateway: NatGateway | None, allocations: tuple[str, ...]) -> dict[str, list[str]]:
    """A regional gateway's allocations per AZ (a placeholder AZ where the snapshot has none)."""
    zone = {a.allocation_id: a.availability_zone for a in gateway.addresses} if gateway else {}
    out: dict[str, list[str]] = {}
    for alloc in allocations:
        out.setdefault(zone.get(alloc) or f"<availability-zone-of-{alloc}>", []).append(alloc)
    return out
