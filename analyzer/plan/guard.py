"""The guard stage: deploy and test the re-association guard before any production function moves.

Lambda replaces Hyperplane ENIs on its own (past 65,000 connections, after 14
idle days, for its own maintenance) and the new ENI comes up without the
Elastic IP. ``lambda-egress guard`` writes a deployable guard per plan (an
EventBridge rule on Lambda's CreateNetworkInterface calls plus a schedule,
both running one reconciliation); this stage deploys it, proves it works on a
warmed ENI that no real function uses yet, and schedules ``lambda-egress
verify`` against the plan's allow-list. Its rollback removes both.
"""

from __future__ import annotations

import re

from analyzer.models import PlanStep
from analyzer.plan.commands import allowed_ips_file, cmd, comment, describe_addresses, disassociate
from analyzer.plan.layout import Layout, Target
from analyzer.plan.steps import association_placeholder

GUARD_DIR = "guard"


def stack_name(plan_id: str) -> str:
    """A CloudFormation stack name per plan (letters, digits, hyphens; at most 128)."""
    return ("lambda-egress-guard-" + re.sub(r"[^A-Za-z0-9-]", "-", plan_id))[:128]


def guard_out(plan_id: str) -> str:
    return f"{GUARD_DIR}/{re.sub(r'[^A-Za-z0-9_.+-]', '_', plan_id)}"


def _generate(layout: Layout) -> str:
    nats = [arg for n in layout.nat_ids for arg in ("--nat", n)]
    resolve = [arg for a in layout.new_allocations for arg in ("--allocation", f"{a}=<eipalloc-id-of-{a.strip('<>')}>")]
    resolve += [arg for s in layout.new_subnets for arg in ("--subnet", f"{s.placeholder}=<subnet-id-created-for-it>")]
    return cmd("lambda-egress", "guard", "report.json", *nats, *resolve, "--out", guard_out(layout.plan_id),
               "--format", "cloudformation")


def _test_target(layout: Layout) -> Target | None:
    """A warmed target no real function uses yet, whose address is on its ENI before the moves."""
    return next((t for t in layout.targets if t.warmer and not t.in_window and t.to_associate), None)


def guard_step(layout: Layout) -> PlanStep:
    region, acct, plan = layout.region, layout.account_id, layout.plan_id
    template = f"{guard_out(plan)}/{acct}/{region}/cloudformation.yaml"
    stack = stack_name(plan)
    mapping = "; ".join(
        f"{t.subnet_id} + {','.join(t.security_group_ids)} -> {', '.join(t.allocations)}" for t in layout.targets
    )
    pending = (
        f" The mappings to {', '.join(layout.window_reused)} are pending until the NAT is deleted: the guard never "
        "takes an address another resource holds, it reports it and waits."
        if layout.window_reused else ""
    )  # fmt: skip
    commands = [
        _generate(layout),
        cmd("aws", "cloudformation", "deploy", "--template-file", template, "--stack-name", stack,
            "--capabilities", "CAPABILITY_NAMED_IAM", "--region", region),
    ]
    test = _test_target(layout)
    if test is not None:
        alloc = test.to_associate[0].allocation_id
        commands += [
            comment(f"Test it on {test.warmer}'s ENI (nothing real runs there yet): take the address off, run the "
                    "guard once, and expect the address back."),
            disassociate(association_placeholder(alloc), region),
            cmd("aws", "lambda", "invoke", "--function-name", stack, "--region", region, "guard-test.json"),
            describe_addresses((alloc,), region),
        ]
    commands += [
        comment("Schedule this every 5 minutes (cron, CI) and alert on exit 1 (drift) or 3 (incomplete), "
                "before any function moves:"),
        cmd("lambda-egress", "verify", "--region", region, "--allowed-ips", allowed_ips_file(plan)),
    ]
    return PlanStep(
        stage="guard",
        title="Deploy and test the re-association guard, schedule verify",
        detail=(
            "Before any production function moves: Lambda may replace an ENI at any time (past 65,000 connections, "
            "after 14 idle days, for its own maintenance) and the new ENI has no Elastic IP, so the functions "
            "behind it silently lose their allow-listed address. The guard associates the free allocation of a "
            f"(subnet, security groups) key with any Lambda ENI there that lacks it: {mapping}.{pending} "
            "Fill in the real allocation and subnet ids in the first command. EventBridge sees "
            "CreateNetworkInterface only when a trail logs management events in this region; the schedule "
            "reconciles either way."
        ),
        commands=tuple(commands),
        rollback=(
            cmd("aws", "cloudformation", "delete-stack", "--stack-name", stack, "--region", region),
            cmd("aws", "cloudformation", "wait", "stack-delete-complete", "--stack-name", stack, "--region", region),
            comment(f"Remove the scheduled `lambda-egress verify --region {region}` job."),
        ),
    )
