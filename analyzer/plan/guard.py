"""The guard stage: deploy and test the re-association guard before any production function moves.

Lambda replaces Hyperplane ENIs on its own (past 65,000 connections, after 14
idle days, for its own maintenance) and the new ENI comes up without the
Elastic IP. ``lambda-egress guard`` writes a deployable guard (an EventBridge
rule on Lambda's CreateNetworkInterface calls plus a schedule, both running
the reconciliation ``verify`` runs too); this stage writes one per plan, named
after the plan so plans in one region never replace each other's mapping,
deploys it, proves it works on a warmed ENI that no real function uses yet,
and schedules ``lambda-egress verify`` against the plan's allow-list. Its
rollback removes both. The commands come from :mod:`analyzer.guard.commands`,
so the runbook can never drift from what ``guard`` writes.
"""

from __future__ import annotations

import hashlib
import re

from analyzer.guard.commands import deploy_commands, generate_command, remove_commands
from analyzer.models import PlanStep
from analyzer.plan.commands import allowed_ips_file, cmd, comment, describe_addresses, disassociate
from analyzer.plan.layout import Layout, Target
from analyzer.plan.steps import association_placeholder

GUARD_DIR = "guard"
FORMAT = "cloudformation"


NAT_ID = re.compile(r"^nat-[0-9a-z]{1,20}$")


def guard_name(layout: Layout) -> str:
    """One guard per plan: ``lambda-egress-guard-<first NAT id>`` (a NAT belongs to one plan).

    An id that does not look like a NAT gateway id (a tampered snapshot) is replaced by a digest of it, so
    the name always fits AWS's naming rules and carries nothing from the input.
    """
    nat_id = layout.nat_ids[0]
    if not NAT_ID.match(nat_id):
        nat_id = "nat-" + hashlib.sha256(nat_id.encode()).hexdigest()[:17]
    return f"lambda-egress-guard-{nat_id}"


def guard_out(plan_id: str) -> str:
    return f"{GUARD_DIR}/{re.sub(r'[^A-Za-z0-9_.+-]', '_', plan_id)}"


def _test_target(layout: Layout) -> Target | None:
    """A warmed target no real function uses yet, whose address is on its ENI before the moves."""
    return next((t for t in layout.targets if t.warmer and not t.in_window and t.to_associate), None)


def guard_step(layout: Layout) -> PlanStep:
    region, acct, plan = layout.region, layout.account_id, layout.plan_id
    name, out = guard_name(layout), guard_out(plan)
    allocations = {a: f"<eipalloc-id-of-{a.strip('<>')}>" for a in layout.new_allocations}
    subnets = {s.placeholder: "<subnet-id-created-for-it>" for s in layout.new_subnets}
    mapping = "; ".join(
        f"{t.subnet_id} + {','.join(t.security_group_ids)} -> {', '.join(t.allocations)}" for t in layout.targets
    )
    pending = (
        f" The mappings to {', '.join(layout.window_reused)} wait until the NAT is deleted: the guard never takes "
        "an address another resource holds; it logs the wait and associates the address once the NAT lets go."
        if layout.window_reused else ""
    )  # fmt: skip
    commands = [
        generate_command("report.json", layout.nat_ids, allocations=allocations, subnets=subnets, out_dir=out,
                         formats=FORMAT, name=name),
        *deploy_commands(acct, region, FORMAT, out, name=name),
    ]
    test = _test_target(layout)
    if test is not None:
        alloc = test.to_associate[0].allocation_id
        commands += [
            comment(f"Test it on {test.warmer}'s ENI (nothing real runs there yet): take the address off, run the "
                    "guard once, and expect the address back."),
            disassociate(association_placeholder(alloc), region),
            cmd("aws", "lambda", "invoke", "--function-name", name, "--region", region, "guard-test.json"),
            describe_addresses((alloc,), region),
        ]
    commands += [
        comment("Schedule this every 5 minutes (cron, CI) and alert on exit 1 (drift) or 3 (incomplete), "
                "before any function moves:"),
        cmd("lambda-egress", "verify", "--region", region, "--allowed-ips", allowed_ips_file(plan)),
    ]
    return PlanStep(
        stage="guard",
        title=f"Deploy and test the re-association guard {name}, schedule verify",
        detail=(
            "Before any production function moves: Lambda may replace an ENI at any time (past 65,000 connections, "
            "after 14 idle days, for its own maintenance) and the new ENI has no Elastic IP, so the functions "
            "behind it silently lose their allow-listed address. The guard associates the free allocation of a "
            f"(subnet, security groups) key with any Lambda ENI there that lacks it: {mapping}.{pending} Fill in "
            "the real allocation and subnet ids in the first command, and an S3 bucket of yours in this region for "
            "the packaged code (or use --format terraform: terraform init and apply in the written folder, no "
            "bucket). EventBridge sees CreateNetworkInterface only when a trail logs management events in this "
            "region; the schedule reconciles every 5 minutes either way."
        ),
        commands=tuple(commands),
        rollback=(
            *remove_commands(acct, region, FORMAT, out, name=name),
            comment(f"Remove the scheduled `lambda-egress verify --region {region}` job."),
        ),
    )
