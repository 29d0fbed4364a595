"""NAT-side steps: taking secondary addresses off, the routes and the deletion, the NATs that stay, the clean-up.

A NAT's secondary addresses come off while it runs, before anything moves.
A removable NAT goes only after every function has left it: its routes
(named with the subnets that use them) and then the gateway. A window exists
only when a NAT's held address is reused (``--reuse-nat-addresses``): then
the deletion frees it, it is associated with the ENI a warmer already
created, and the functions that get it move. Rolling back walks the same
steps backwards: move the functions back, disassociate, re-create the NAT on
the same allocations (per AZ for a regional one), restore the routes, give
the secondary addresses back.
"""

from __future__ import annotations

from analyzer.models import PlanStep
from analyzer.nat_addresses import by_zone, primary_first
from analyzer.plan.commands import (
    associate_nat_addresses,
    comment,
    create_route,
    delete_nat,
    delete_route,
    describe_addresses,
    disassociate_nat_addresses,
    nat_addresses_released,
    recover_address,
    recreate_nat,
    release,
)
from analyzer.plan.layout import Layout, NatCutover
from analyzer.routing import route_destination

NEW_NAT_ID = "If the NAT was re-created, use its new id instead."


def release_step(layout: Layout, cut: NatCutover) -> PlanStep:
    """Secondary addresses leave the NAT now, so Lambda ENIs reuse them without a window."""
    region, nat_id = layout.region, cut.nat_gateway_id
    allocs = tuple(str(a.allocation_id) for a in cut.released)
    regional = cut.gateway is not None and cut.gateway.availability_mode == "regional"
    zones = by_zone(cut.gateway, allocs) if regional else {"": list(allocs)}
    held = ", ".join(layout.address_of(a) for a in cut.held) or "its primary address"
    return PlanStep(
        stage="release",
        title=f"Take {len(allocs)} secondary address(es) off {nat_id}",
        detail=(
            "Only a NAT gateway's primary address is locked while it exists. Secondary address(es) "
            f"{', '.join(layout.address_of(a) for a in allocs)}: disassociated now, they go to Lambda ENIs "
            "before anything moves and the partner's allow-list does not change. The NAT keeps serving "
            f"through {held} (fewer addresses mean fewer ports per destination: watch ErrorPortAllocation). "
            "Connections on the released addresses drain for up to 350 seconds (MaxDrainDurationSeconds) and no "
            "other address change is accepted meanwhile, so they go in one call; the loop returns once none is "
            "associated."
        ),
        commands=(
            disassociate_nat_addresses(nat_id, (str(a.association_id) for a in cut.released), region),
            nat_addresses_released(allocs, region),
            describe_addresses(allocs, region),
        ),
        rollback=(
            comment(NEW_NAT_ID + " If a Lambda ENI holds the address, undo that association first."),
            *(associate_nat_addresses(nat_id, group, zone or None, region) for zone, group in zones.items()),
        ),
    )


def _route_text(cut: NatCutover) -> str:
    parts = []
    for r in cut.routes:
        used = ", ".join(r.subnet_ids) if r.subnet_ids else "no subnet"
        parts.append(f"{route_destination(r.route)} in {r.table_id} (used by {used})")
    return "; ".join(parts) or "none found"


def route_step(layout: Layout, cuts: tuple[NatCutover, ...], window_starts: str) -> PlanStep:
    """Every active route to the removable NATs goes: nothing but the moved Lambda ENIs used them."""
    region = layout.region
    routes = [(c, r) for c in cuts for r in c.routes]
    empty = sorted({s for c in cuts for r in c.routes for s in r.subnet_ids} - set(_moved_sources(layout)))
    later = (f" Subnets {', '.join(empty)} held no other ENI in the snapshot: anything launched there later has no "
             "route to these destinations until you give it one.") if empty else ""  # fmt: skip
    return PlanStep(
        stage="cutover",
        title=f"Remove the routes to {', '.join(c.nat_gateway_id for c in cuts)}",
        detail=(
            " ".join(f"{c.nat_gateway_id}: {_route_text(c)}." for c in cuts)
            + " Every ENI in those subnets was a Lambda ENI that moved, so nothing uses them now."
            + later + window_starts
        ),
        commands=tuple(delete_route(r.table_id, r.route, region) for _, r in routes),
        rollback=(
            comment(NEW_NAT_ID),
            *(create_route(r.table_id, r.route, c.nat_gateway_id, region) for c, r in routes),
        ),
    )


def _moved_sources(layout: Layout) -> set[str]:
    return {s for t in layout.targets for s in t.eni.source_subnet_ids}


def _recreate(layout: Layout, cut: NatCutover) -> tuple[str, ...]:
    gateway, held, region = cut.gateway, cut.held, layout.region
    if gateway is None or gateway.availability_mode != "regional":
        subnet = gateway.subnet_id if gateway else None
        return recreate_nat(subnet or "<nat-subnet-id>", layout.vpc_id, primary_first(gateway, held), region)
    if cut.auto_managed:
        return (
            comment("AWS managed this gateway's addresses: re-created in automatic mode it gets new ones, which "
                    "the partner must allow-list."),
            *recreate_nat(None, layout.vpc_id, (), region),
        )  # fmt: skip
    return recreate_nat(None, layout.vpc_id, held, region, zones=by_zone(gateway, held))


def delete_nat_step(layout: Layout, cut: NatCutover, window_starts: str = "") -> PlanStep:
    region, nat_id = layout.region, cut.nat_gateway_id
    held = ", ".join(cut.held) or "none recorded"
    freed = (
        " and no Lambda ENI reuses them: AWS managed this regional gateway's addresses. After the deletion, "
        "check describe-addresses and release any that remain (each costs the public IPv4 hourly price)."
        if cut.auto_managed
        else ": they stay in the account until the plan's last step."
    )
    return PlanStep(
        stage="cutover",
        title=f"Delete {nat_id} (its Elastic IPs stay allocated)",
        detail=(
            f"Deleting the gateway frees its Elastic IP(s) ({held}) without releasing them{freed} Its hourly "
            f"charge stops.{window_starts}"
        ),
        commands=delete_nat(nat_id, region),
        rollback=(
            comment("If the freed allocation(s) are associated already, undo the association step first."),
            *_recreate(layout, cut),
        ),
    )


def retire_step(layout: Layout) -> PlanStep:
    """The NAT addresses no ENI needs: tell the partner, then release them (they cost the IPv4 hourly price)."""
    region = layout.region
    unused = [a for c in layout.removable for a in c.unused]
    return PlanStep(
        stage="partner",
        title=f"Release {len(unused)} unused NAT address(es) and tell the partner",
        detail=(
            f"{', '.join(layout.address_of(a) for a in unused)} served the NAT gateway(s) and no Lambda ENI needs "
            "them. Ask the partner to remove them from the allow-list, then release them; a released address can "
            "be recovered only while nobody else has taken it."
        ),
        commands=tuple(release(a, region) for a in unused),
        rollback=tuple(recover_address(layout.nat_ips.get(a, "<public-ip>"), region) for a in unused),
    )


def keep_nat_step(cut: NatCutover) -> PlanStep:
    nat = cut.nat
    others = [*nat.other_consumer_eni_ids, *nat.partial_function_arns]
    return PlanStep(
        stage="cutover",
        title=f"Keep {nat.nat_gateway_id}: {len(others)} other consumer(s) still use it",
        detail=(
            f"{', '.join(others)} still route through {nat.nat_gateway_id}, so it and its routes stay. The saving "
            "is the Lambda share of its processed bytes, not its hours or addresses."
        ),
        rollback=(comment("Nothing to undo: the NAT and its routes did not change."),),
    )
