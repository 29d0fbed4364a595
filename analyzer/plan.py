"""Migration plans: one runbook per candidate NAT gateway, with the real ids filled in.

The order is what keeps the partner's allow-list working and every outage
announced:

1. prerequisites (quota, saved configs, a public subnet per AZ if missing);
2. allocate only the Elastic IPs the NAT cannot lend;
3. the partner allow-lists the new addresses (and hears about the window);
4. functions whose ENIs get *new* addresses move, each ENI is associated
   before the update completes; verify; install the guard;
5. only for a removable NAT, the maintenance window: the functions that get
   the NAT's *own* addresses move, the routes and the NAT go (that frees the
   addresses), the freed allocations are associated; verify;
6. release the NAT's addresses nobody needs.

A NAT that also serves non-Lambda ENIs stays: nothing is reused, every
address is new, there is no window and no route changes.

Layout decisions live in ``plan_layout``; step text in ``plan_steps`` and
``plan_cutover``; commands in ``plan_commands``; HCL in ``plan_terraform``.
``build_plans`` indexes the snapshot, topology and findings once
(``plan_index``), so each plan costs only what its NAT owns.
"""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.models import Finding, MigrationPlan, NatView, PlanStep, Scenario, Snapshot, Topology
from analyzer.plan_cutover import delete_nat_step, guard_step, keep_nat_step, retire_step, route_step
from analyzer.plan_index import PlanIndex
from analyzer.plan_layout import Layout, Move, Target, build_layout
from analyzer.plan_steps import (
    allocate_step,
    announce_step,
    associate_step,
    move_step,
    names,
    prerequisite_steps,
    verify_step,
)
from analyzer.plan_terraform import terraform

EARLY_MOVE = (
    "Same security groups, a public subnet in the same AZ. Lambda creates the new ENI while the update is "
    "InProgress and keeps invoking through the old configuration, which still leaves through the NAT with the "
    "addresses the partner knows: run the next step right away, before the update completes."
)
EARLY_ASSOCIATE = (
    "Associating before the wait returns means no invocation runs in the public subnet without a public IP."
)
WINDOW_MOVE = (
    "The maintenance window starts when these updates complete: the functions then run in the public subnet "
    "with no Elastic IP until the NAT's address is freed and associated below."
)
WINDOW_ASSOCIATE = "The NAT is gone, so its address is free; associating it ends the maintenance window."


def _phase_one(layout: Layout, targets: list[Target], moves: list[Move]) -> list[PlanStep]:
    """Move and associate one ENI group at a time, so each gap between them stays short."""
    steps: list[PlanStep] = []
    first: dict[str, int] = {}  # each function moves with the first target it lands on
    for i, target in enumerate(targets):
        for arn in target.function_arns:
            first.setdefault(arn, i)
    by_target: dict[int | None, list[Move]] = {}
    for m in moves:
        by_target.setdefault(first.get(m.arn), []).append(m)
    for i, target in enumerate(targets):
        now = by_target.get(i, [])
        if now:
            title = f"Move {names(now)} to {target.subnet_id}"
            steps.append(move_step(layout, now, title, EARLY_MOVE, wait=False))
        steps.append(associate_step(layout, target, now, EARLY_ASSOCIATE))
    rest = by_target.get(None, [])
    if rest:
        steps.append(move_step(layout, rest, f"Move {names(rest)}", EARLY_MOVE, wait=True))
    return steps


def _window(layout: Layout, targets: list[Target], moves: list[Move]) -> list[PlanStep]:
    steps: list[PlanStep] = []
    if moves:
        steps.append(move_step(layout, moves, f"Maintenance window: move {names(moves)}", WINDOW_MOVE, wait=True))
    if layout.nat_routes:
        steps.append(route_step(layout))
    steps.append(delete_nat_step(layout))
    steps += [associate_step(layout, t, [], WINDOW_ASSOCIATE) for t in targets]
    return steps


def build_steps(layout: Layout) -> tuple[PlanStep, ...]:
    early = [t for t in layout.targets if not t.in_window]
    late = [t for t in layout.targets if t.in_window]
    steps = prerequisite_steps(layout)
    if layout.new_allocations:
        steps.append(allocate_step(layout))
    steps.append(announce_step(layout))
    steps += _phase_one(layout, early, [m for m in layout.moves if not m.in_window])
    if early:
        steps += [verify_step(layout, early, "Verify the egress address of the moved functions"), guard_step(layout)]
    if not layout.removable:
        return (*steps, keep_nat_step(layout))
    steps += _window(layout, late, [m for m in layout.moves if m.in_window])
    if late:
        steps.append(verify_step(layout, list(layout.targets), "Verify the egress address of every function"))
    if not early:
        steps.append(guard_step(layout))
    if layout.unused_nat_allocations:
        steps.append(retire_step(layout))
    return tuple(steps)


def rule_ids(index: PlanIndex, nat: NatView) -> tuple[str, ...]:
    """Unsuppressed findings about this NAT, its functions, their ENIs or their current subnets."""
    ours = {nat.nat_gateway_id, *nat.function_arns, *nat.lambda_eni_ids, *(k[2] for k in nat.eni_group_keys)}
    return index.rules_about(nat.account_id, nat.region, sorted(ours))


def build_plan(index: PlanIndex, nat: NatView) -> MigrationPlan:
    """One NAT's plan; ``index`` comes from ``PlanIndex.build`` over the whole snapshot."""
    layout = build_layout(index, nat)
    return MigrationPlan(
        account_id=nat.account_id,
        region=nat.region,
        nat_gateway_id=nat.nat_gateway_id,
        vpc_id=nat.vpc_id,
        function_arns=nat.function_arns,
        reused_allocation_ids=layout.reused,
        new_eips_needed=len(layout.new_allocations),
        steps=build_steps(layout),
        finding_rule_ids=rule_ids(index, nat),
        terraform=terraform(layout),
    )


def build_plans(
    snapshot: Snapshot, topology: Topology, scenarios: Sequence[Scenario], findings: Sequence[Finding]
) -> tuple[MigrationPlan, ...]:
    """One plan per candidate NAT (one with Lambda functions) that has a scenario, in scenario order."""
    nats = {(n.account_id, n.region, n.nat_gateway_id): n for n in topology.nats}
    index = PlanIndex.build(snapshot, topology, findings)
    plans, seen = [], set()
    for scenario in scenarios:
        key = (scenario.account_id, scenario.region, scenario.nat_gateway_id)
        nat = nats.get(key)
        if nat is not None and nat.function_arns and key not in seen:
            seen.add(key)
            plans.append(build_plan(index, nat))
    return tuple(plans)
