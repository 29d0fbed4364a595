"""Plan steps before the cutover: prerequisites, new addresses, the partner, moves, associations, checks.

Every step carries its own rollback (undo it, walking the steps backwards),
except verification, which changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.models import PlanStep
from analyzer.plan.commands import (
    allocate,
    allowed_ips_file,
    associate,
    associate_ipv6_cidr,
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
    write_allowed_ips,
)
from analyzer.plan.lambda_steps import (
    VERSIONS_NOTE,
    alias_commands,
    alias_rollback,
    aliases_file,
    config_file,
    versions_commands,
)
from analyzer.plan.layout import Layout, Move, NewSubnet, Target

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
    """Update $LATEST once per function (all its subnets), wait, then publish a version and re-point the aliases."""
    region = layout.region
    commands = [
        update_function(m.name, m.target_subnet_ids, m.security_group_ids, m.ipv6_dual_stack, region)
        for m in moves
    ]
    commands += [wait_updated(m.name, region) for m in moves]
    for m in moves:
        commands += alias_commands(m.name, region)
    detail += (
        " Each function moves once, with all of its subnets in one update. Once each update completes, for each "
        "function with aliases (the saved aliases-*.json): publish a version and run update-alias once per alias; "
        "the rollback points them back at the saved versions."
    )
    spread = [f"{m.name} leaves {', '.join(m.nat_gateway_ids)} in this one update." for m in moves
              if len(m.nat_gateway_ids) > 1]  # fmt: skip
    return PlanStep(
        stage="move",
        title=title,
        detail=" ".join([detail, *spread]),
        commands=tuple(commands),
        rollback=move_back(layout, moves),
    )


def eni_placeholders(target: Target) -> tuple[str, ...]:
    count = len(target.to_associate)
    if count == 1:
        return ("<eni-id-from-previous-step>",)
    return tuple(f"<eni-id-from-previous-step-{k}>" for k in range(1, count + 1))


def association_placeholder(allocation: str) -> str:
    return f"<association-id-of-{allocation.strip('<>')}>"


def associate_step(layout: Layout, target: Target, detail: str) -> PlanStep:
    """Put the address(es) on the ENI(s) of the key, then check each association."""
    region = layout.region
    todo = target.to_associate
    allocations = tuple(a.allocation_id for a in todo)
    pairs = zip(allocations, eni_placeholders(target), strict=True)
    commands = [
        describe_lambda_enis(target.subnet_id, target.security_group_ids, region),
        *(associate(alloc, eni, region) for alloc, eni in pairs),
        describe_addresses(allocations, region),
    ]
    addresses = ", ".join(layout.address_of(a) for a in allocations)
    who = f"{target.warmer} created" if target.warmer else "the functions already on this key use"
    return PlanStep(
        stage="associate",
        title=f"Associate {len(todo)} Elastic IP(s) with the Lambda ENI(s) in {target.subnet_id}",
        detail=(
            f"The ENI(s) {who} in {target.subnet_id} with security groups exactly "
            f"{', '.join(target.security_group_ids)} get one address each: {addresses}. {detail} Check that "
            "describe-addresses shows each allocation on that ENI (note the AssociationId for the rollback) "
            "before anything moves. An allocation with no ENI yet waits for the guard: Lambda adds ENIs as the "
            "group scales. If Lambda later creates more ENIs than there are allocations, each extra one needs "
            "its own Elastic IP (allocate, associate, tell the partner)."
        ),
        commands=tuple(commands),
        rollback=tuple(disassociate(association_placeholder(a), region) for a in allocations),
    )


def _quota_text(layout: Layout) -> str:
    if layout.eip_quota is None or layout.eips_allocated is None:
        return ""
    peak = layout.eips_allocated + len(layout.new_allocations)
    return (f" The region's quota is {layout.eip_quota} with {layout.eips_allocated} allocated; the migration "
            f"holds {peak} at its peak (the NAT addresses are released last).")  # fmt: skip


def _auto_notes(layout: Layout) -> str:
    notes = []
    for c in layout.cutovers:
        gateway = c.gateway
        if not c.auto_managed or gateway is None:
            continue
        modes = [label for label, value in (("auto-provisioned zones", gateway.auto_provision_zones),
                 ("auto-scaling IPs", gateway.auto_scaling_ips)) if value == "enabled"]  # fmt: skip
        notes.append(
            f" {gateway.nat_gateway_id} is a regional NAT gateway with {' and '.join(modes)} enabled: AWS manages "
            "its addresses and may change them, so the plan reuses none of them."
        )
    return "".join(notes)


def prerequisite_steps(layout: Layout) -> list[PlanStep]:
    region, moves = layout.region, layout.moves
    total = len(layout.addresses)
    gaps = (
        " The public route table lacks routes the private one has; add them or accept the change: "
        + "; ".join(layout.route_gaps) + "."
        if layout.route_gaps
        else ""
    )  # fmt: skip
    files = ", ".join(aliases_file(m.name) for m in moves) or "none"
    steps = [
        PlanStep(
            stage="prerequisites",
            title="Check the Elastic IP quota, save each function's VPC config and list its aliases and versions",
            detail=(
                f"Run with credentials for account {layout.account_id} in {region}. {len(layout.targets)} target "
                f"ENI key(s) (public subnet + security groups) need {total} address(es): "
                f"{len(layout.reused)} reuse NAT addresses, {len(layout.new_allocations)} are new, "
                f"{total - len(layout.reused) - len(layout.new_allocations)} are already on an ENI."
                f"{_quota_text(layout)}{_auto_notes(layout)} The saved configs are what every rollback restores. "
                f"{VERSIONS_NOTE.format(files=files)}{gaps}"
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
    ipv6 = ipv6_step(layout)
    if ipv6 is not None:
        steps.append(ipv6)
    return steps


def ipv6_step(layout: Layout) -> PlanStep | None:
    """Dual-stack functions need an IPv6 CIDR on every subnet they land in, or the update fails."""
    missing = dict.fromkeys(s for m in layout.moves for s in m.ipv6_missing)
    if not missing:
        return None
    who = names(m for m in layout.moves if m.ipv6_missing)
    region = layout.region
    return PlanStep(
        stage="prerequisites",
        title=f"Give {len(missing)} target subnet(s) an IPv6 CIDR for the dual-stack functions",
        detail=(
            f"{who} run with Ipv6AllowedForDualStack; Lambda rejects that setting on a subnet without an IPv6 "
            f"CIDR, and {', '.join(missing)} have none in the snapshot. Associate a /64 of the VPC's IPv6 range "
            "with each (or drop the setting from those functions, which then lose IPv6 egress). IPv6 traffic "
            "leaves from the subnet's IPv6 addresses, not the allow-listed Elastic IP, in either design."
        ),
        commands=tuple(associate_ipv6_cidr(s, region) for s in missing),
        rollback=tuple(cmd("aws", "ec2", "disassociate-subnet-cidr-block", "--association-id",
                           f"<ipv6-association-id-of-{s.strip('<>')}>", "--region", region) for s in missing),
    )  # fmt: skip


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
    region = layout.region
    new = layout.new_allocations
    return PlanStep(
        stage="allocate",
        title=f"Allocate {len(new)} new Elastic IP(s)",
        detail=(
            f"Only the addresses no ENI has and no NAT can lend: {len(layout.reused)} NAT address(es) are reused. "
            f"Note each AllocationId and PublicIp; they are {', '.join(new)} in the steps below. "
            "Each costs the public IPv4 hourly price from now on."
        ),
        commands=tuple(allocate(f"lambda-egress-{layout.plan_id}-{n}", region) for n in range(1, len(new) + 1)),
        rollback=tuple(release(a, region) for a in new),
    )


def announce_step(layout: Layout) -> PlanStep:
    """The partner allow-lists the new addresses before any function starts using them; the downtime choice."""
    new = layout.new_allocations
    window = [m for m in layout.moves if m.in_window]
    released = [layout.address_of(str(a.allocation_id)) for c in layout.cutovers for a in c.released]
    held = [layout.address_of(a) for a in layout.window_reused]
    retired = [layout.address_of(a) for c in layout.removable for a in c.unused]
    parts = []
    if new:
        parts.append(f"Add {', '.join(layout.address_of(a) for a in new)} to the allow-list before anything moves.")
    if released:
        parts.append(f"Keep {', '.join(released)}: NAT secondary address(es), moved to Lambda ENIs before anything "
                     "else changes.")  # fmt: skip
    if held:
        parts.append(f"Keep {', '.join(held)}: NAT address(es) reused after the NAT is deleted.")
    if retired:
        parts.append(f"Remove {', '.join(retired)} from the allow-list only after the plan's last step: the NAT "
                     "serves through them until it is deleted, then they are released.")  # fmt: skip
    if window:
        parts.append(
            f"Announce a maintenance window of about {layout.settings.window_minutes} minutes for {names(window)}: "
            "from the deletion of the NAT until they move onto the ENI that holds its address (delete-nat-gateway, "
            "one association and their update) they have no internet egress."
        )
    for c in layout.kept:
        ips = ", ".join(c.nat.public_ips) or "its addresses"
        parts.append(f"{c.nat_gateway_id} stays for its other consumers: keep {ips} on the allow-list only if they "
                     "call the partner too.")  # fmt: skip
    known = tuple(dict.fromkeys(a.public_ip for a in layout.addresses if a.public_ip))
    parts.append(f"The last command writes the plan's allow-list, {allowed_ips_file(layout.plan_id)}: the addresses "
                 "the functions will leave from, which the guard and the scheduled verify check against.")
    commands = (
        *((describe_addresses(new, layout.region),) if new else ()),
        write_allowed_ips(layout.plan_id, layout.region, known),
    )
    rollback = (
        comment(f"Ask the partner to remove the new address(es) of {', '.join(new)} once the functions are back.")
        if new
        else comment("Nothing to undo: the allow-list did not change; cancel the announced window.")
    )
    title = "Get the new addresses allow-listed" + (" and announce the window" if window else "")
    return PlanStep(
        stage="partner",
        title=title,
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
            cmd("lambda-egress", "verify", "--region", region, "--allowed-ips", allowed_ips_file(layout.plan_id)),
        ),
    )
