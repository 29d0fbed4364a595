"""Migration plans: one runbook per group of NAT gateways whose functions move together.

``build_plans`` is the one entry point. A plan covers the NAT gateways that
``analyzer.design`` joined (a function spread over two zonal NATs, or two
NATs whose functions land on one target ENI), so each function moves exactly
once, to all of its target subnets. The order keeps the partner's allow-list
working, the guard in place before anything real moves, and no production
function in a public subnet without its Elastic IP:

1. prerequisites (quota, saved configs, aliases and versions, a public
   subnet per AZ if missing, IPv6 CIDRs for dual-stack functions);
2. allocate only the Elastic IPs no ENI has and no NAT can lend;
3. the partner allow-lists the new addresses (and hears of any window);
4. NAT secondary addresses that Lambda ENIs reuse come off the running NATs;
5. per target (public subnet, SG set): a warmer function makes Lambda create
   the shared ENI and the address is associated;
6. the guard is deployed and tested, and ``verify`` scheduled;
7. the functions move (once each), verify, the warmers go;
8. per removable NAT: its routes and the gateway go (with a window only when
   a held NAT address is reused); a NAT that serves others stays;
9. the NAT addresses nobody needs are released and the partner told.

Layout decisions live in ``layout`` (targets from ``analyzer.design``); step
text in ``steps``, ``lambda_steps``, ``guard`` and ``cutover``; commands in
``commands``; HCL in ``terraform``. ``PlanIndex`` indexes the snapshot,
topology and findings once, so each plan costs only what it owns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from analyzer.models import (
    Finding,
    MigrationPlan,
    NatView,
    PlanStep,
    PlanTarget,
    Scenario,
    Settings,
    Snapshot,
    Topology,
)
from analyzer.plan.cutover import delete_nat_step, keep_nat_step, release_step, retire_step, route_step
from analyzer.plan.guard import guard_step
from analyzer.plan.index import PlanIndex
from analyzer.plan.lambda_steps import cleanup_step, warm_step
from analyzer.plan.layout import Layout, Move, Target, build_layout
from analyzer.plan.steps import (
    allocate_step,
    announce_step,
    associate_step,
    move_step,
    names,
    prerequisite_steps,
    verify_step,
)
from analyzer.plan.terraform import terraform

__all__ = ["build_plans"]

EARLY_WARM = "Nothing real uses this ENI yet, so it runs without a public IP harmlessly."
EARLY_ASSOCIATE = "Still nothing real runs here, so no invocation is without the address."
EARLY_MOVE = (
    "Same security groups, a public subnet in the same AZ: each function lands on the ENI the warmer created, "
    "which already has its Elastic IP and the guard watching it, so the update completes in seconds and no "
    "invocation runs without it."
)
WINDOW_WARM = (
    "Done before the window, so the window needs no ENI creation; the ENI has no public IP until the NAT's "
    "address is freed, and only the warmer uses it."
)
WINDOW_ASSOCIATE = "The NAT is gone, so its address is free; the functions move onto this ENI next."
WINDOW_MOVE = (
    "They land on the ENI that now holds the NAT's address; the maintenance window ends when these updates complete."
)


def _prepare(layout: Layout, targets: list[Target], warm_note: str, associate_note: str | None) -> list[PlanStep]:
    steps: list[PlanStep] = []
    for target in targets:
        if target.warmer:
            steps.append(warm_step(layout, target, warm_note))
        if associate_note is not None and target.to_associate:
            steps.append(associate_step(layout, target, associate_note))
    return steps


def _window_starts(moves: list[Move]) -> str:
    return f" The maintenance window for {names(moves)} starts here." if moves else ""


def _cutover(layout: Layout, late: list[Target], window: list[Move]) -> list[PlanStep]:
    """Removable NATs go once nothing uses them; with a window, their held addresses move in it."""
    removable = layout.removable
    steps = _prepare(layout, late, WINDOW_WARM, None)
    routed = tuple(c for c in removable if c.routes)
    if routed:
        steps.append(route_step(layout, routed, _window_starts(window)))
    starts = "" if routed else _window_starts(window)
    for i, cut in enumerate(removable):
        steps.append(delete_nat_step(layout, cut, starts if i == 0 else ""))
    steps += [associate_step(layout, t, WINDOW_ASSOCIATE) for t in late if t.to_associate]
    if window:
        steps.append(move_step(layout, window, f"Maintenance window: move {names(window)}", WINDOW_MOVE))
    if late:
        steps += [
            verify_step(layout, list(layout.targets), "Verify the egress address of every function"),
            cleanup_step(layout, late),
        ]
    return steps


def build_steps(layout: Layout) -> tuple[PlanStep, ...]:
    early = [t for t in layout.targets if not t.in_window]
    late = [t for t in layout.targets if t.in_window]
    early_moves = [m for m in layout.moves if not m.in_window]
    window = [m for m in layout.moves if m.in_window]
    steps = prerequisite_steps(layout)
    if layout.new_allocations:
        steps.append(allocate_step(layout))
    steps.append(announce_step(layout))
    steps += [release_step(layout, c) for c in layout.cutovers if c.released]
    steps += _prepare(layout, early, EARLY_WARM, EARLY_ASSOCIATE)
    steps.append(guard_step(layout))  # before the first production function moves
    if early_moves:
        steps.append(move_step(layout, early_moves, f"Move {names(early_moves)}", EARLY_MOVE))
    if early:
        steps += [
            verify_step(layout, early, "Verify the egress address of the moved functions"),
            cleanup_step(layout, early),
        ]
    steps += [keep_nat_step(c) for c in layout.kept]
    if layout.removable:
        steps += _cutover(layout, late, window)
    if any(c.unused for c in layout.removable):
        steps.append(retire_step(layout))
    return tuple(steps)


def _downtime(layout: Layout) -> tuple[int, str]:
    """(window minutes, the sentence that states both options and which one the plan lays out)."""
    minutes = layout.settings.window_minutes
    held = sum(len(c.held) for c in layout.removable if not c.auto_managed)
    if not layout.removable or held == 0:
        return 0, "No window: no NAT address is locked to a gateway that is deleted."
    new_for_held = f"one partner change adding {len(layout.new_allocations)} new address(es), allow-listed ahead"
    if layout.has_window:
        return minutes, (
            f"Laid out: reuse the NAT gateways' held address(es) {', '.join(layout.window_reused)}, so the "
            f"allow-list keeps them, at the cost of a window of about {minutes} minutes without internet egress "
            "for the functions that get them (the NAT must be deleted before its primary address can move). "
            f"The other option: new addresses allow-listed ahead, no window (rerun without --reuse-nat-addresses)."
        )
    return 0, (
        f"Laid out: new addresses allow-listed ahead, no window ({new_for_held}; the NAT addresses are released "
        "at the end). The other option: reuse the NAT's primary address so the allow-list keeps it, at the cost of "
        f"a window of about {minutes} minutes without internet egress while the NAT is deleted (rerun with "
        "--reuse-nat-addresses when the partner cannot add addresses)."
    )


def rule_ids(index: PlanIndex, layout: Layout, nats: list[NatView]) -> tuple[str, ...]:
    """Unsuppressed findings about these NATs, their functions, their ENIs or their current subnets."""
    ours = {*layout.nat_ids, *(a for n in nats for a in n.function_arns), *(e for n in nats for e in n.lambda_eni_ids),
            *(k[2] for n in nats for k in n.eni_group_keys)}  # fmt: skip
    return index.rules_about(layout.account_id, layout.region, sorted(ours))


def _plan_target(target: Target) -> PlanTarget:
    t = target.eni
    return PlanTarget(
        account_id=t.account_id, region=t.region, vpc_id=t.vpc_id, subnet_id=t.subnet_id,
        availability_zone=t.availability_zone, security_group_ids=t.security_group_ids,
        allocation_ids=tuple(a.allocation_id for a in t.addresses), public_ips=tuple(a.public_ip for a in t.addresses),
        function_arns=(*t.function_arns, *t.existing_function_arns), source_subnet_ids=t.source_subnet_ids,
        nat_gateway_ids=t.nat_gateway_ids, in_window=target.in_window,
    )  # fmt: skip


def build_plan(index: PlanIndex, plan_id: str, nats: list[NatView], settings: Settings) -> MigrationPlan:
    layout = build_layout(index, plan_id, nats, settings)
    minutes, choice = _downtime(layout)
    return MigrationPlan(
        account_id=layout.account_id,
        region=layout.region,
        nat_gateway_id=layout.nat_ids[0],
        plan_id=plan_id,
        nat_gateway_ids=layout.nat_ids,
        targets=tuple(_plan_target(t) for t in layout.targets),
        vpc_id=layout.vpc_id,
        function_arns=tuple(m.arn for m in layout.moves),
        reused_allocation_ids=layout.reused,
        new_eips_needed=len(layout.new_allocations),
        steps=build_steps(layout),
        finding_rule_ids=rule_ids(index, layout, nats),
        terraform=terraform(layout),
        window_minutes=minutes,
        downtime_choice=choice,
    )


def build_plans(
    snapshot: Snapshot,
    topology: Topology,
    scenarios: Sequence[Scenario],
    findings: Sequence[Finding],
    settings: Settings | None = None,
) -> tuple[MigrationPlan, ...]:
    """One plan per group of NATs (``NatView.plan_id``) that has a scenario, in the order of its first scenario."""
    settings = settings or Settings()
    index = PlanIndex.build(snapshot, topology, findings)
    members: dict[tuple[str, str, str], list[NatView]] = defaultdict(list)
    for nat in topology.nats:
        if nat.plan_id and nat.function_arns:
            members[(nat.account_id, nat.region, nat.plan_id)].append(nat)
    plans, seen = [], set()
    for scenario in scenarios:
        key = (scenario.account_id, scenario.region, scenario.plan_id or "")
        if key in members and key not in seen:
            seen.add(key)
            plans.append(build_plan(index, key[2], members[key], settings))
    return tuple(plans)
