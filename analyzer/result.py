"""Assemble one AnalysisResult from a snapshot: the whole pure pipeline.

snapshot -> topology -> usage -> scenarios + alternatives -> findings
(-> suppressions) -> plans -> summary. No I/O and no clock: the caller passes
``today`` (used only for suppression expiry).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from analyzer import __version__
from analyzer.billing import reconcile
from analyzer.costs import build_alternatives, build_scenarios
from analyzer.decision_facts import group_findings, with_allowlist
from analyzer.figures import build_figures
from analyzer.models import (
    SEVERITIES,
    AnalysisResult,
    Finding,
    NatReport,
    Scenario,
    Settings,
    Snapshot,
    Summary,
    Suppression,
    Topology,
    UnpricedNat,
    Usage,
)
from analyzer.plan import build_plans
from analyzer.pricing import PriceBook
from analyzer.rules import evaluate_all
from analyzer.suppressions import apply_suppressions
from analyzer.topology import build_topology
from analyzer.usage import build_usage
from analyzer.verdicts import apply_verdicts


def _nat_reports(topology: Topology, usage: Usage) -> tuple[NatReport, ...]:
    out = []
    for nat in topology.nats:
        u = usage.nats[nat.nat_gateway_id]
        out.append(NatReport(
            account_id=nat.account_id, region=nat.region, nat_gateway_id=nat.nat_gateway_id, vpc_id=nat.vpc_id,
            az=nat.availability_zone, availability_mode=nat.availability_mode, name=nat.name,
            public_ips=nat.public_ips, function_arns=nat.function_arns,
            other_consumer_eni_ids=nat.other_consumer_eni_ids, routed_subnet_ids=nat.routed_subnet_ids,
            cross_az_subnet_ids=nat.cross_az_subnet_ids, monthly_gb=u.monthly_gb.quantize(Decimal("0.001")),
            lambda_share=u.lambda_share.quantize(Decimal("0.0001")), attribution=u.attribution,
            confidence=u.confidence, has_metrics=u.has_metrics, peak_active_connections=u.peak_active_connections,
        ))
    return tuple(out)


def _summary(topology: Topology, scenarios: Sequence[Scenario], findings: Sequence[Finding]) -> Summary:
    by_severity = {s: 0 for s in SEVERITIES}
    for f in findings:
        if not f.suppressed:
            by_severity[f.severity] += 1
    current = sum((s.current_monthly_usd for s in scenarios), Decimal(0))
    attributable = sum((s.lambda_attributable_monthly_usd for s in scenarios), Decimal(0))
    proposed = sum((s.proposed_monthly_usd for s in scenarios), Decimal(0))
    return Summary(
        functions_in_vpc=len(topology.functions),
        functions_behind_nat=sum(1 for f in topology.functions if f.egress == "nat"),
        nat_gateways=len(topology.nats),
        candidate_nat_gateways=len(scenarios),
        removable_nat_gateways=sum(1 for s in scenarios if s.nat_removable),
        eips_needed=sum(s.eips_needed for s in scenarios),
        new_eips=sum(s.new_eips for s in scenarios),
        current_monthly_usd=current,
        lambda_attributable_monthly_usd=attributable,
        proposed_monthly_usd=proposed,
        monthly_savings_usd=current - proposed,
        annual_savings_usd=(current - proposed) * 12,
        findings_by_severity=by_severity,
        suppressed_findings=sum(1 for f in findings if f.suppressed),
    )


def _assumptions(snapshot: Snapshot, settings: Settings, prices: PriceBook, notes: Sequence[str]) -> tuple[str, ...]:
    days = snapshot.window_days
    return (
        f"A month is {settings.hours_per_month} hours; a {days}-day metric window is scaled to a month by "
        f"{settings.hours_per_month} / (24 x {days}).",
        "GB means 2^30 bytes (GiB), as AWS bills data.",
        "NAT processed bytes = BytesInFromSource + BytesInFromDestination (CloudWatch AWS/NATGateway); "
        "an exact match to the bill is unverified.",
        "Lambda share of a NAT's bytes: 1.0 when only Lambda ENIs use the NAT (sole-consumer); from VPC Flow "
        "Logs when given (flow-logs); otherwise the Lambda fraction of consumer ENIs (eni-share, low confidence).",
        "Routes resolve as the VPC router does: the subnet's explicit table, else the main table, longest prefix "
        f"match for {', '.join(settings.destinations) or '0.0.0.0/0'}. A subnet uses a NAT gateway when ANY active "
        "route of its table targets it, so a partner route to the NAT keeps the NAT in place.",
        "Proposed design: Lambda shares one Hyperplane ENI per (subnet, security groups), so the moving groups are "
        "keyed by where they land (the public subnet of their AZ with the most free addresses, and their security "
        "groups): one Elastic IP per ENI of each key, whatever NAT the functions came from. A key several NATs "
        "land on is counted under the lowest NAT id. A NAT that also serves other consumers stays, with its "
        "non-Lambda share of bytes.",
        ("Downtime choice: the NAT gateways' primary addresses are reused inside a maintenance window of about "
         f"{settings.window_minutes} minutes (--reuse-nat-addresses)."
         if settings.reuse_nat_addresses else
         "Downtime choice: new addresses allow-listed ahead, no window; a NAT's secondary addresses are reused "
         "(taken off the running NAT first), its primary is released at the end (--reuse-nat-addresses reuses it "
         f"in a window of about {settings.window_minutes} minutes instead)."),
        "Regional NAT gateways are priced with the RegionalNatGateway-Hours/-Bytes rows, hours x the AZs they "
        "have addresses in; billing per active AZ is unverified.",
        "Every public IPv4 address, Elastic IPs and the NAT's own included, costs the ipv4_hour price.",
        "Internet data transfer out is the same in both designs: shown for context, not counted.",
        "Cross-AZ transfer is estimated from the share of the NAT's consumer ENIs that sit in another AZ, "
        "billed in each direction.",
        f"Lambda reclaims the ENIs of a function idle for {settings.idle_reclaim_days} days; one ENI carries up "
        f"to {settings.eni_connection_limit:,} connections (AWS Lambda developer guide).",
        f"Prices as of {prices.as_of} ({prices.source}).",
        *_input_notes(snapshot),
        *notes,
    )


def _input_notes(snapshot: Snapshot) -> tuple[str, ...]:
    """What the flow-log and CUR reads saw, and the SQL they ran (one line each)."""
    out = []
    flow = snapshot.coverage.flow_logs
    if flow is not None:
        covered = ", ".join(n.nat_gateway_id for n in flow.nats) or "none"
        out += [
            f"VPC Flow Logs ({flow.source}, {flow.engine}): {flow.records:,} records; {flow.attributed_records:,} "
            f"attributed to a source ENI for NAT gateway(s) {covered} over {flow.window_start:%Y-%m-%d %H:%M} to "
            f"{flow.window_end:%Y-%m-%d %H:%M} UTC. Not attributed, counted: {flow.outside_window:,} outside the "
            f"window, {flow.rejected:,} REJECT, {flow.no_data:,} without data, {flow.other_interfaces:,} of other "
            f"ENIs or VPCs, {flow.nat_side:,} NAT-to-destination legs (their bytes are counted on the source side), "
            f"{flow.unknown_address:,} from unknown addresses and {flow.other_vpc:,} from other VPCs (their bytes "
            "count as non-Lambda). NAT gateways without flow-log records keep the sole-consumer or eni-share method.",
            f"Flow-log SQL ({flow.engine}): {' '.join(flow.query.split())}",
        ]
    if snapshot.billing is not None:
        out.append(f"CUR SQL ({snapshot.billing.engine}, {snapshot.billing.source}): "
                   f"{' '.join(snapshot.billing.query.split())}")
    return tuple(out)


def analyze(
    snapshot: Snapshot,
    prices: PriceBook,
    settings: Settings | None = None,
    suppressions: Sequence[Suppression] = (),
    today: date | None = None,
) -> AnalysisResult:
    settings = settings or Settings()
    topology = build_topology(snapshot, settings)
    usage = build_usage(snapshot, topology, settings)
    unpriced: list[UnpricedNat] = []
    scenarios = build_scenarios(topology, usage, prices, settings, unpriced)
    alternatives = build_alternatives(topology, usage, scenarios, prices, settings)
    findings, notes = apply_suppressions(
        evaluate_all(topology, usage, settings), suppressions, today or snapshot.collected_at.date()
    )
    plans = build_plans(snapshot, topology, scenarios, findings, settings)
    scenarios = with_allowlist(apply_verdicts(scenarios, findings, plans, topology, settings), topology)
    findings = group_findings(findings, scenarios, topology)
    account_names = {a.account_id: a.name for a in snapshot.accounts}
    return AnalysisResult(
        tool_version=__version__,
        collected_at=snapshot.collected_at,
        window_days=snapshot.window_days,
        price_book=prices.info({s.region for s in scenarios}),
        coverage=snapshot.coverage,
        accounts=snapshot.accounts,
        summary=_summary(topology, scenarios, findings),
        functions=topology.functions,
        eni_groups=topology.eni_groups,
        nat_gateways=_nat_reports(topology, usage),
        scenarios=scenarios,
        alternatives=alternatives,
        findings=findings,
        plans=plans,
        settings=settings,
        assumptions=_assumptions(snapshot, settings, prices, notes),
        unpriced=tuple(unpriced),
        billing=None if snapshot.billing is None else reconcile(
            snapshot.billing, snapshot.nat_gateways, scenarios, settings, snapshot.window_days,
            [u.nat_gateway_id for u in unpriced]),
        figures=build_figures(scenarios, account_names, {n.nat_gateway_id: n.name for n in topology.nats}),
    )
