"""Plan steps before the cutover: prerequisites, new addresses, the partner, moves, associations, checks.

Every step carries its own rollback (undo it, walking the steps backwards),
except verification, which changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.models import PlanStep
from analyzer.plan_commands import (
    allocate,
    associate,
    cmd,
    comment,
    describe_addresses,
    describe_lambda_enis,
    disassociate,
    quota_commands,
    release,
    save_function_config,
    update_function,
    wait_updated,
)
from analyzer.plan_lambda import (
    VERSIONS_NOTE,
    alias_commands,
    alias_rollback,
    aliases_file,
    config_file,
    versions_commands,
)
from analyzer.plan_layout import Layout, Move, NewSubnet, Target

READ_ONLY = (comment("Read-only: nothing to undo."),)


def names(moves: Iterable[Move]) -> str:
    return ", ".join(m.name for m in moves) or "none"


def move_back(layout: Layout, moves: Iterable[Move]) -> tuple[str, ...]:
    """Point the aliases back, then restore each function's original subnets and security groups."""
    region, out = layout.region, []
    for m in moves:
        out += [
            alias_rollback(m.name, region),
            update_function(m.name, m.original_subnet_ids, m.security_group_ids, m.ipv6_dual_stack, region),
            wait_updated(m.name, region),
        ]
    return tuple(out)


def move_step(layout: Layout, moves: list[Move], title: str, detail: str) -> PlanStep:
    """Update $LATEST, wait, then publish a version and re-point the aliases (they keep their own config)."""
    region = layout.region
    commands = [
        update_function(m.name, m.target_subnet_ids, m.security_group_ids, m.ipv6_dual_stack, region)
        for m in moves
    ]
    commands += [wait_updated(m.name, region) for m in moves]
    for m in moves:
        commands += alias_commands(m.name, region)
    detail += (
        " Once each update completes, for each function with aliases (the saved aliases-*.json): publish a "
        "version and run update-alias once per alias; the rollback points them back at the saved versions."
    )
    notes = [
        f"{m.name} also uses {', '.join(m.other_nat_ids)} through its other subnets: they stay as they are here; "
        "if another plan moves them later, start from the function's config after this step."
        for m in moves
        if m.other_nat_ids
    ]
    return PlanStep(
        stage="move",
        title=title,
        detail=" ".join([detail, *notes]),
        commands=tuple(commands),
        rollback=move_back(layout, moves),
    )


def eni_placeholders(target: Target) -> tuple[str, ...]:
    if len(target.allocations) == 1:
        return ("<eni-id-from-previous-step>",)
    return tuple(f"<eni-id-from-previous-step-{k}>" for k in range(1, len(target.allocations) + 1))


def association_placeholder(allocation: str) -> str:
    return f"<association-id-of-{allocation.strip('<>')}>"


def associate_step(layout: Layout, target: Target, detail: str) -> PlanStep:
    """Put the address(es) on the ENI the warmer created, then check each association."""
    region = layout.region
    pairs = zip(target.allocations, eni_placeholders(target), strict=True)
    commands = [
        describe_lambda_enis(target.subnet_id, target.security_group_ids, region),
        *(associate(alloc, eni, region) for alloc, eni in pairs),
        describe_addresses(target.allocations, region),
    ]
    addresses = ", ".join(layout.address_of(a) for a in target.allocations)
    return PlanStep(
        stage="associate",
        title=f"Associate {len(target.allocations)} Elastic IP(s) with the Lambda ENI(s) in {target.subnet_id}",
        detail=(
            f"The ENI(s) {target.warmer} created in {target.subnet_id} with security groups exactly "
            f"{', '.join(target.security_group_ids)} get one address each: {addresses}. {detail} Check that "
            "describe-addresses shows each allocation on that ENI (note the AssociationId for the rollback) "
            "before anything moves. An allocation with no ENI yet waits for the guard: Lambda adds ENIs as the "
            "group scales. If Lambda later creates more ENIs than there are allocations, each extra one needs "
            "its own Elastic IP (allocate, associate, tell the partner)."
        ),
        commands=tuple(commands),
        rollback=tuple(disassociate(association_placeholder(a), region) for a in target.allocations),
    )


def prerequisite_steps(layout: Layout) -> list[PlanStep]:
    region, moves = layout.region, layout.moves
    total = sum(len(t.allocations) for t in layout.targets)
    quota = (
        f" The region's quota is {layout.eip_quota} with {layout.eips_allocated} allocated."
        if layout.eip_quota is not None and layout.eips_allocated is not None
        else ""
    )
    gaps = (
        " The public route table lacks routes the private one has; add them or accept the change: "
        + "; ".join(layout.route_gaps)
        + "."
        if layout.route_gaps
        else ""
    )
    files = ", ".join(aliases_file(m.name) for m in moves) or "none"
    steps = [
        PlanStep(
            stage="prerequisites",
            title="Check the Elastic IP quota, save each function's VPC config and list its aliases and versions",
            detail=(
                f"Run with credentials for account {layout.account_id} in {region}. "
                f"{total} Lambda ENI(s) need an Elastic IP: {len(layout.reused)} reuse the NAT's, "
                f"{len(layout.new_allocations)} are new.{quota}{_auto_note(layout)} The saved configs are what "
                f"every rollback restores. {VERSIONS_NOTE.format(files=files)}{gaps}"
            ),
            commands=(
                *quota_commands(region),
                *(save_function_config(m.name, config_file(m.name), region) for m in moves),
                *versions_commands((m.name for m in moves), region),
            ),
            rollback=READ_ONLY,
        )
    ]
    steps += [new_subnet_step(layout, s) for s in layout.new_subnets]
    return steps


def _auto_note(layout: Layout) -> str:
    gateway = layout.gateway
    if not layout.auto_managed or gateway is None:
        return ""
    modes = [label for label, value in (("auto-provisioned zones", gateway.auto_provision_zones),
             ("auto-scaling IPs", gateway.auto_scaling_ips)) if value == "enabled"]  # fmt: skip
    return (
        f" {gateway.nat_gateway_id} is a regional NAT gateway with {' and '.join(modes)} enabled: AWS manages "
        "its addresses and may change them, so the plan reuses none of them; every Lambda ENI gets a new address."
    )


def new_subnet_step(layout: Layout, new: NewSubnet) -> PlanStep:
    """No public subnet in that AZ: create one and route it to the VPC's internet gateway."""
    region, table = layout.region, new.igw_route_table_id or "<igw-route-table-id>"
    commands = [
        cmd(
            "aws", "ec2", "create-subnet", "--vpc-id", new.vpc_id, "--availability-zone", new.availability_zone,
            "--cidr-block", "<free-cidr-in-the-vpc>", "--region", region,
        ),
    ]
    if new.igw_route_table_id is None:
        igw = new.igw_id or "<internet-gateway-id>"
        commands += [
            cmd("aws", "ec2", "create-route-table", "--vpc-id", new.vpc_id, "--region", region),
            cmd(
                "aws", "ec2", "create-route", "--route-table-id", table, "--destination-cidr-block", "0.0.0.0/0",
                "--gateway-id", igw, "--region", region,
            ),
        ]
    commands.append(
        cmd("aws", "ec2", "associate-route-table", "--route-table-id", table, "--subnet-id", new.placeholder,
            "--region", region)
    )
    no_igw = "" if new.igw_id else " The VPC has no internet gateway in the snapshot: create and attach one first."
    return PlanStep(
        stage="prerequisites",
        title=f"Create a public subnet in {new.availability_zone}",
        detail=(
            f"{new.vpc_id} has no subnet in {new.availability_zone} whose default route goes to an internet "
            f"gateway. Create one (pick a free CIDR in the VPC) and use its id wherever the plan says "
            f"{new.placeholder}.{no_igw}"
        ),
        commands=tuple(commands),
        rollback=(
            cmd("aws", "ec2", "disassociate-route-table", "--association-id", "<route-table-association-id>",
                "--region", region),
            cmd("aws", "ec2", "delete-subnet", "--subnet-id", new.placeholder, "--region", region),
        ),
    )


def allocate_step(layout: Layout) -> PlanStep:
    region, nat_id = layout.region, layout.nat.nat_gateway_id
    new = layout.new_allocations
    return PlanStep(
        stage="allocate",
        title=f"Allocate {len(new)} new Elastic IP(s)",
        detail=(
            f"Only the addresses the NAT cannot lend: {len(layout.reused)} ENI(s) reuse the NAT's own. "
            f"Note each AllocationId and PublicIp; they are {', '.join(new)} in the steps below. "
            "Each costs the public IPv4 hourly price from now on."
        ),
        commands=tuple(allocate(f"lambda-egress-{nat_id}-{n}", region) for n in range(1, len(new) + 1)),
        rollback=tuple(release(a, region) for a in new),
    )


def announce_step(layout: Layout) -> PlanStep:
    """The partner allow-lists the new addresses before any function starts using them."""
    new, window = layout.new_allocations, [m for m in layout.moves if m.in_window]
    early = [layout.address_of(str(a.allocation_id)) for a in layout.released]
    kept = [layout.address_of(a) for a in layout.window_reused]
    parts = []
    if new:
        parts.append(f"Add {', '.join(layout.address_of(a) for a in new)} to the allow-list before anything moves.")
    if early:
        parts.append(f"Keep {', '.join(early)}: the NAT's secondary address(es), moved to Lambda ENIs before any "
                     "window.")  # fmt: skip
    if kept:
        parts.append(f"Keep {', '.join(kept)}: the NAT's address(es), reused after the NAT is deleted.")
    if window:
        parts.append(
            f"Announce a maintenance window for {names(window)}: from the deletion of the NAT until they move onto "
            "the ENI that holds its address (delete-nat-gateway, one association and their update: a few "
            "minutes) they have no internet egress."
        )
    if not layout.removable:
        nat_ips = ", ".join(ip for _, ip in layout.nat_ips) or "its addresses"
        parts.append(
            f"{layout.nat.nat_gateway_id} stays for its other consumers: keep {nat_ips} on the allow-list only if "
            "they call the partner too."
        )
    commands = (describe_addresses(new, layout.region),) if new else ()
    rollback = (
        comment(f"Ask the partner to remove the new address(es) of {', '.join(new)} once the functions are back.")
        if new
        else comment("Nothing to undo: the allow-list did not change; cancel the announced window.")
    )
    return PlanStep(
        stage="partner",
        title="Get the new addresses allow-listed and announce the window" if window else "Get the new addresses "
        "allow-listed",
        detail=" ".join(parts) or "No address changes for the partner.",
        commands=commands,
        rollback=(rollback,),
    )


def expected(layout: Layout, targets: Iterable[Target]) -> str:
    return "; ".join(
        f"{t.subnet_id} ({', '.join(t.security_group_ids)}): {', '.join(layout.address_of(a) for a in t.allocations)}"
        for t in targets
    )


def verify_step(layout: Layout, targets: list[Target], title: str) -> PlanStep:
    region = layout.region
    return PlanStep(
        stage="verify",
        title=title,
        detail=(
            f"Expect {expected(layout, targets)}. A probe function that returns the body of "
            "https://checkip.amazonaws.com, configured with the same subnet and security groups, shares the "
            "ENI, so it shows the address the partner sees. Then call the partner's endpoint once. If anything "
            "is off, roll back the previous steps in reverse order."
        ),
        commands=(
            *(describe_lambda_enis(t.subnet_id, t.security_group_ids, region) for t in targets),
            cmd("aws", "lambda", "invoke", "--function-name", "<egress-ip-probe>", "--region", region,
                "egress-ip.json"),
            cmd("cat", "egress-ip.json"),
            cmd("lambda-egress", "verify", "--region", region),
        ),
    )
