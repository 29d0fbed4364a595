"""NAT-side steps: taking secondary addresses off, the guard, the maintenance window, the clean-up.

A NAT's secondary addresses come off while it runs, before anything moves.
The window exists only when the NAT's primary Elastic IP is reused: deleting
the NAT frees it, so the routes and the NAT go, the freed allocation is
associated with the ENI a warmer already created, then the functions that
get it move. Rolling back walks the same steps backwards: move the functions
back, disassociate, re-create the NAT on the same allocations (per AZ for a
regional one), restore the routes, give the secondary addresses back.
"""

from __future__ import annotations

from analyzer.models import PlanStep
from analyzer.plan_addresses import by_zone, primary_first
from analyzer.plan_commands import (
    associate_nat_addresses,
    cmd,
    comment,
    create_route,
    delete_nat,
    delete_route,
    describe_addresses,
    disassociate_nat_addresses,
    event_pattern,
    nat_addresses_released,
    recover_address,
    recreate_nat,
    release,
)
from analyzer.plan_layout import Layout

NEW_NAT_ID = "If the NAT was re-created, use its new id instead."


def release_step(layout: Layout) -> PlanStep:
    """Secondary addresses leave the NAT now, so Lambda ENIs reuse them without a window."""
    region, nat_id = layout.region, layout.nat.nat_gateway_id
    allocs = tuple(str(a.allocation_id) for a in layout.released)
    regional = layout.gateway is not None and layout.gateway.availability_mode == "regional"
    zones = by_zone(layout.gateway, allocs) if regional else {"": list(allocs)}
    held = ", ".join(layout.address_of(a) for a in layout.nat_held) or "its primary address"
    return PlanStep(
        stage="release",
        title=f"Take {len(allocs)} secondary address(es) off {nat_id}",
        detail=(
            "Only a NAT gateway's primary address is locked while it exists. Secondary address(es) "
            f"{', '.join(layout.address_of(a) for a in allocs)}: disassociated now, they go to Lambda ENIs "
            "before any window and the partner's allow-list does not change. The NAT keeps serving "
            f"through {held} (fewer addresses mean fewer ports per destination: watch ErrorPortAllocation). "
            "Connections on the released addresses drain for up to 350 seconds (MaxDrainDurationSeconds) and no "
            "other address change is accepted meanwhile, so they go in one call; the loop returns once none is "
            "associated."
        ),
        commands=(
            disassociate_nat_addresses(nat_id, (str(a.association_id) for a in layout.released), region),
            nat_addresses_released(allocs, region),
            describe_addresses(allocs, region),
        ),
        rollback=(
            comment(NEW_NAT_ID + " If a Lambda ENI holds the address, undo that association first."),
            *(associate_nat_addresses(nat_id, group, zone or None, region) for zone, group in zones.items()),
        ),
    )


def guard_step(layout: Layout) -> PlanStep:
    """Lambda replaces ENIs on its own; a new one comes up without the Elastic IP."""
    region, nat_id = layout.region, layout.nat.nat_gateway_id
    rule = f"lambda-egress-guard-{nat_id}"
    handler = "<reassociate-function-arn>"
    mapping = "; ".join(
        f"{t.subnet_id} + {','.join(t.security_group_ids)} -> {', '.join(t.allocations)}" for t in layout.targets
    )
    pattern = event_pattern(t.subnet_id for t in layout.targets)
    later = (
        f" The mappings to {', '.join(layout.window_reused)} hold once the NAT is deleted; until then the NAT "
        "still holds those addresses and the association fails."
        if layout.window_reused
        else ""
    )
    return PlanStep(
        stage="guard",
        title="Install the re-association guard",
        detail=(
            "Lambda may replace an ENI at any time (past 65,000 connections, after 14 idle days, for its own "
            "maintenance) and the new ENI has no Elastic IP: the function silently loses egress. Schedule "
            f"`lambda-egress verify --region {region}` every few minutes and alert on drift. Send Lambda's "
            "CreateNetworkInterface calls in the target subnets to a small function you own that associates the "
            f"free allocation of that (subnet, security groups) with the new ENI: {mapping}.{later} EventBridge sees "
            "these CloudTrail events only when a trail logs management events in this region; check the pattern "
            "against a real event first (lookup-events)."
        ),
        commands=(
            cmd("lambda-egress", "verify", "--region", region),
            cmd(
                "aws", "cloudtrail", "lookup-events", "--lookup-attributes",
                "AttributeKey=EventName,AttributeValue=CreateNetworkInterface", "--max-results", "5",
                "--region", region,
            ),
            cmd("aws", "events", "put-rule", "--name", rule, "--event-pattern", pattern, "--region", region),
            cmd(
                "aws", "lambda", "add-permission", "--function-name", handler, "--statement-id", rule,
                "--action", "lambda:InvokeFunction", "--principal", "events.amazonaws.com",
                "--source-arn", "<rule-arn-from-put-rule>", "--region", region,
            ),
            cmd("aws", "events", "put-targets", "--rule", rule, "--targets", f"Id=reassociate,Arn={handler}",
                "--region", region),
        ),
        rollback=(
            cmd("aws", "events", "remove-targets", "--rule", rule, "--ids", "reassociate", "--region", region),
            cmd("aws", "events", "delete-rule", "--name", rule, "--region", region),
            cmd("aws", "lambda", "remove-permission", "--function-name", handler, "--statement-id", rule,
                "--region", region),
            comment(f"Remove the scheduled `lambda-egress verify --region {region}` job."),
        ),
    )


def _window_starts(layout: Layout) -> str:
    window = [m.name for m in layout.moves if m.in_window]
    return f" The maintenance window for {', '.join(window)} starts here." if window else ""


def route_step(layout: Layout) -> PlanStep:
    region, nat_id = layout.region, layout.nat.nat_gateway_id
    routes = layout.nat_routes
    return PlanStep(
        stage="cutover",
        title=f"Remove the routes to {nat_id}",
        detail=(
            f"{len(routes)} route(s) point at {nat_id}: "
            + (", ".join(f"{table} ({r.destination_cidr_block or 'other'})" for table, r in routes) or "none found")
            + ". Nothing but Lambda ENIs used them."
            + _window_starts(layout)
        ),
        commands=tuple(delete_route(table, r, region) for table, r in routes),
        rollback=(
            comment(NEW_NAT_ID),
            *(create_route(table, r, nat_id, region) for table, r in routes),
        ),
    )


def _recreate(layout: Layout) -> tuple[str, ...]:
    gateway, held, region = layout.gateway, layout.nat_held, layout.region
    if gateway is None or gateway.availability_mode != "regional":
        subnet = gateway.subnet_id if gateway else None
        return recreate_nat(subnet or "<nat-subnet-id>", layout.vpc_id, primary_first(gateway, held), region)
    if layout.auto_managed:
        return (
            comment("AWS managed this gateway's addresses: re-created in automatic mode it gets new ones, which "
                    "the partner must allow-list."),
            *recreate_nat(None, layout.vpc_id, (), region),
        )  # fmt: skip
    return recreate_nat(None, layout.vpc_id, held, region, zones=by_zone(gateway, held))


def delete_nat_step(layout: Layout) -> PlanStep:
    region, nat_id = layout.region, layout.nat.nat_gateway_id
    held = ", ".join(layout.nat_held) or "none recorded"
    freed = (
        " and no Lambda ENI reuses them: AWS managed this regional gateway's addresses. After the deletion, "
        "check describe-addresses and release any that remain (each costs the public IPv4 hourly price)."
        if layout.auto_managed
        else ": they stay in the account and can be associated with the Lambda ENIs next."
    )
    starts = "" if layout.nat_routes else _window_starts(layout)
    return PlanStep(
        stage="cutover",
        title=f"Delete {nat_id} (its Elastic IPs stay allocated)",
        detail=(
            f"Deleting the gateway frees its Elastic IP(s) ({held}) without releasing them{freed} Its hourly "
            f"charge stops.{starts}"
        ),
        commands=delete_nat(nat_id, region),
        rollback=(
            comment("If the freed allocation(s) are associated already, undo the association step first."),
            *_recreate(layout),
        ),
    )


def retire_step(layout: Layout) -> PlanStep:
    """The NAT's addresses no ENI needs: release them (they cost the IPv4 hourly price) and tell the partner."""
    region, unused = layout.region, layout.unused_nat_allocations
    ips = dict(layout.nat_ips)
    return PlanStep(
        stage="partner",
        title=f"Release {len(unused)} unused NAT address(es) and tell the partner",
        detail=(
            f"{', '.join(layout.address_of(a) for a in unused)} served the NAT and no Lambda ENI needs them. "
            "Ask the partner to remove them from the allow-list, then release them; a released address can be "
            "recovered only while nobody else has taken it."
        ),
        commands=tuple(release(a, region) for a in unused),
        rollback=tuple(recover_address(ips.get(a, "<public-ip>"), region) for a in unused),
    )


def keep_nat_step(layout: Layout) -> PlanStep:
    nat = layout.nat
    return PlanStep(
        stage="cutover",
        title=f"Keep {nat.nat_gateway_id}: {len(nat.other_consumer_eni_ids)} non-Lambda ENI(s) still use it",
        detail=(
            f"{', '.join(nat.other_consumer_eni_ids)} still route through {nat.nat_gateway_id}, so it and its "
            "routes stay. The saving is the Lambda share of its processed bytes, not its hours or addresses."
        ),
        rollback=(comment("Nothing to undo: the NAT and its routes did not change."),),
    )
