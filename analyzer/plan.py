"""Migration plans: one runbook per candidate NAT gateway, with the real ids filled in.

The order is what keeps the partner's allow-list working, every outage
announced, and no production function in a public subnet without its
Elastic IP:

1. prerequisites (quota, saved configs, aliases and versions, a public
   subnet per AZ if missing);
2. allocate only the Elastic IPs the NAT cannot lend;
3. the partner allow-lists the new addresses (and hears about the window);
4. the NAT's secondary addresses that Lambda ENIs reuse come off the NAT;
5. per target (public subnet, SG set): a warmer function makes Lambda create
   the shared ENI, the address is associated and checked; only then do the
   functions move (and their aliases follow), verify, delete the warmers,
   install the guard;
6. only for a removable NAT: the warmers for the targets that get the NAT's
   primary address, then the maintenance window (routes and NAT go, which
   frees the address; associate it; the functions move); verify;
7. release the NAT's addresses nobody needs.

A NAT that also serves non-Lambda ENIs stays: nothing is reused, every
address is new, there is no window and no route changes.

Layout decisions live in ``plan_layout`` (addresses in ``plan_addresses``);
step text in ``plan_steps``, ``plan_lambda`` and ``plan_cutover``; commands in
``plan_commands``; HCL in ``plan_terraform``. ``build_plans`` indexes the
snapshot, topology and findings once (``plan_index``), so each plan costs only
what its NAT owns.
"""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.models import Finding, MigrationPlan, NatView, PlanStep, Scenario, Snapshot, Topology
from analyzer.plan_cutover import (
    delete_nat_step,
    guard_step,
    keep_nat_step,
    release_step,
    retire_step,
    route_step,
)
from analyzer.plan_index import PlanIndex
from analyzer.plan_lambda import cleanup_step, warm_step
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

EARLY_WARM = "Nothing real uses this ENI yet, so it runs without a public IP harmlessly."
EARLY_ASSOCIATE = "Still nothing real runs here, so no invocation is without the address."
EARLY_MOVE = (
    "Same security groups, a public subnet in the same AZ: each function lands on the ENI the warmer created, "
    "which already has its Elastic IP, so the update completes in seconds and no invocation runs without it."
)
WINDOW_WARM = (
    "Done before the window, so the window needs no ENI creation; the ENI has no public IP until the NAT's "
    "address is freed, and only the warmer uses it."
)
WINDOW_ASSOCIATE = "The NAT is gone, so its address is free; the functions move onto this ENI next."
WINDOW_MOVE = (
    "They land on the ENI that now holds the NAT's address; the maintenance window ends when these updates complete."
)


def _phase_one(layout: Layout, targets: list[Target], moves: list[Move]) -> list[PlanStep]:
    """Warm and associate every target first; then the functions move onto ENIs that have their address."""
    steps: list[PlanStep] = []
    for target in targets:
        steps += [warm_step(layout, target, EARLY_WARM), associate_step(layout, target, EARLY_ASSOCIATE)]
    if moves:
        steps.append(move_step(layout, moves, f"Move {names(moves)}", EARLY_MOVE))
    return steps


def _window(layout: Layout, targets: list[Target], moves: list[Move]) -> list[PlanStep]:
    steps = [warm_step(layout, t, WINDOW_WARM) for t in targets]
    if layout.nat_routes:
        steps.append(route_step(layout))
    steps.append(delete_nat_step(layout))
    steps += [associate_step(layout, t, WINDOW_ASSOCIATE) for t in targets]
    if moves:
        steps.append(move_step(layout, moves, f"Maintenance window: move {names(moves)}", WINDOW_MOVE))
    return steps


def build_steps(layout: Layout) -> tuple[PlanStep, ...]:
    early = [t for t in layout.targets if not t.in_window]
    late = [t for t in layout.targets if t.in_window]
    steps = prerequisite_steps(layout)
    if layout.new_allocations:
        steps.append(allocate_step(layout))
    steps.append(announce_step(layout))
    if layout.released:
        steps.append(release_step(layout))
    steps += _phase_one(layout, early, [m for m in layout.moves if not m.in_window])
    if early:
        steps += [
            verify_step(layout, early, "Verify the egress address of the moved functions"),
            cleanup_step(layout, early),
            guard_step(layout),
        ]
    if not layout.removable:
        return (*steps, keep_nat_step(layout))
    steps += _window(layout, late, [m for m in layout.moves if m.in_window])
    if late:
        steps += [
            verify_step(layout, list(layout.targets), "Verify the egress address of every function"),
            cleanup_step(layout, late),
        ]
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
