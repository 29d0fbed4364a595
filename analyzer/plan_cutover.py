"""Plan steps from the guard on: the re-association guard, the maintenance window, the clean-up.

The window exists only when the NAT's own Elastic IPs are reused: they are
freed by deleting the NAT, so the functions that get them move, then the
routes and the NAT go, then the freed allocations are associated. Rolling
back walks the same steps backwards: disassociate, re-create the NAT on the
same allocations, restore the routes, move the functions back.
"""

from __future__ import annotations

from analyzer.models import PlanStep
from analyzer.plan_commands import (
    cmd,
    comment,
    create_route,
    delete_nat,
    delete_route,
    event_pattern,
    recover_address,
    recreate_nat,
    release,
)
from analyzer.plan_layout import Layout


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
        f" The mappings to {', '.join(layout.reused)} hold once the NAT is deleted; until then the NAT still "
        "holds those addresses and the association fails."
        if layout.reused
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


def route_step(layout: Layout) -> PlanStep:
    region, nat_id = layout.region, layout.nat.nat_gateway_id
    routes = layout.nat_routes
    return PlanStep(
        stage="cutover",
        title=f"Remove the routes to {nat_id}",
        detail=(
            f"{len(routes)} route(s) point at {nat_id}: "
            + (", ".join(f"{table} ({r.destination_cidr_block or 'other'})" for table, r in routes) or "none found")
            + ". Nothing but the moved Lambda ENIs used them."
        ),
        commands=tuple(delete_route(table, r, region) for table, r in routes),
        rollback=(
            comment("If the NAT was re-created, use its new id instead."),
            *(create_route(table, r, nat_id, region) for table, r in routes),
        ),
    )


def delete_nat_step(layout: Layout) -> PlanStep:
    region, nat_id = layout.region, layout.nat.nat_gateway_id
    allocations = layout.gateway.allocation_ids if layout.gateway else ()
    subnet = layout.gateway.subnet_id if layout.gateway else "<nat-subnet-id>"
    if layout.gateway and layout.gateway.availability_mode == "regional":
        subnet = None
    return PlanStep(
        stage="cutover",
        title=f"Delete {nat_id} (its Elastic IPs stay allocated)",
        detail=(
            "Deleting the gateway frees its Elastic IP(s) "
            f"({', '.join(allocations) or 'none recorded'}) without releasing them: they stay in the account and "
            "can be associated with the Lambda ENIs next. Its hourly charge stops."
        ),
        commands=delete_nat(nat_id, region),
        rollback=(
            comment("If the freed allocation(s) are associated already, undo the association step first."),
            *recreate_nat(subnet, layout.vpc_id, allocations, region),
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
