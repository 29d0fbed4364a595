"""Current (NAT) vs proposed (Elastic IP on each Lambda ENI) monthly cost, per NAT gateway.

Each scenario is a list of cost components, ``quantity x unit price =
monthly``, so every number in a report can be traced. Quantities are rounded
(hours to whole hours, GB to 3 decimals) and each component to the cent
(half-up) *before* totals are summed: the totals equal the sum of the lines a
reader sees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from analyzer.errors import PriceError
from analyzer.models import (
    Alternative,
    CostComponent,
    NatUsage,
    NatView,
    Scenario,
    Settings,
    TargetEni,
    Topology,
    UnpricedNat,
    Usage,
    vpc_key,
)
from analyzer.pricing import PriceBook, PriceKey

CENT = Decimal("0.01")
GB_STEP = Decimal("0.001")

NAT_HOURS = "NAT gateway hours"
NAT_PROCESSING = "NAT data processing"
NAT_IPV4 = "Public IPv4 addresses on the NAT"
CROSS_AZ = "Cross-AZ data transfer"
INTERNET_OUT = "Internet data transfer out"
LAMBDA_EIPS = "Elastic IPs on Lambda ENIs"


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def gb(value: Decimal) -> Decimal:
    return value.quantize(GB_STEP, rounding=ROUND_HALF_UP)


class _Lines:
    """Collects components for one NAT gateway's region."""

    def __init__(self, prices: PriceBook, region: str) -> None:
        self.prices = prices
        self.region = region
        self.items: list[CostComponent] = []

    def add(self, name: str, design: str, quantity: Decimal, unit: str, key: PriceKey,
            counted: bool = True, note: str | None = None) -> None:
        price = self.prices.price(self.region, key).usd
        self.items.append(
            CostComponent(
                name=name, design=design, quantity=quantity, unit=unit, unit_price_usd=price,
                monthly_usd=money(quantity * price), counted=counted, note=note, price_key=key,
            )
        )

    def total(self, design: str) -> Decimal:
        return sum((c.monthly_usd for c in self.items if c.design == design and c.counted), Decimal(0))


def _nat_hours(nat: NatView, hours: Decimal) -> tuple[Decimal, PriceKey, PriceKey, str | None]:
    """(billed hours, hour price key, GB price key, note): a regional gateway is priced per active AZ."""
    if nat.availability_mode != "regional":
        return hours, "nat_hour", "nat_gb", None
    azs = len(nat.active_azs)
    if azs == 0:
        return hours, "regional_nat_hour", "regional_nat_gb", (
            "regional NAT gateway with no per-AZ address in the snapshot: priced as one AZ; "
            "billing per active AZ is unverified")
    return hours * azs, "regional_nat_hour", "regional_nat_gb", (
        f"regional NAT gateway: RegionalNatGateway-Hours for {azs} active AZ(s) ({', '.join(nat.active_azs)}) "
        f"x {hours:.0f} h; billing per active AZ is unverified")


def _nat_lines(lines: _Lines, design: str, nat: NatView, usage: NatUsage, share: Decimal,
               hours: Decimal) -> None:
    """The NAT's own hours, IPs, processed GB (times ``share``) and cross-AZ transfer."""
    nat_hours, hour_key, gb_key, hours_note = _nat_hours(nat, hours)
    lines.add(NAT_HOURS, design, nat_hours, "hours", hour_key, note=hours_note)
    notes = [] if usage.has_metrics else ["no CloudWatch data for this NAT: depends on usage"]
    if share != 1:
        notes.append(f"the non-Lambda share ({share:.0%}) of the NAT's bytes stays on the NAT")
    processing_note = "; ".join(notes) or None
    lines.add(NAT_PROCESSING, design, gb(usage.monthly_gb * share), "GB", gb_key, note=processing_note)
    if nat.public_ips:
        lines.add(NAT_IPV4, design, hours * len(nat.public_ips), "IP-hours", "ipv4_hour",
                  note=f"{len(nat.public_ips)} public IPv4 address(es) at {hours:.0f} h")
    if usage.monthly_gb_cross_az > 0:
        lines.add(CROSS_AZ, design, gb(usage.monthly_gb_cross_az * share * 2), "GB", "cross_az_gb",
                  note="bytes from subnets in another AZ, billed once out of and once into an AZ")


def _eip_note(nat: NatView, owned: Sequence[TargetEni]) -> str:
    """Where the proposed Elastic IPs sit: per target key, with any target shared with another NAT."""
    paid = [a for t in owned for a in t.addresses if a.origin != "existing"]
    reused = sum(1 for a in paid if a.origin != "new")
    parts = [f"{len(paid)} Elastic IP(s) on {len(owned)} target ENI key(s) (public subnet + security groups): "
             f"{reused} reused NAT address(es), {len(paid) - reused} new"]
    shared = [t for t in owned if len(t.nat_gateway_ids) > 1]
    if shared:
        others = sorted({n for t in shared for n in t.nat_gateway_ids} - {nat.nat_gateway_id})
        parts.append(f"{len(shared)} key(s) also receive functions from {', '.join(others)}: one ENI and its "
                     "address each, counted here once")
    held = [t for t in owned if t.existing_eni_ids and any(a.origin == "existing" for a in t.addresses)]
    if held:
        parts.append(f"{len(held)} key(s) already have an ENI with an address: the functions join it, no new cost")
    return "; ".join(parts)


def build_scenario(nat: NatView, usage: NatUsage, prices: PriceBook, settings: Settings,
                   owned: Sequence[TargetEni] = ()) -> Scenario:
    hours = Decimal(settings.hours_per_month)
    lines = _Lines(prices, nat.region)
    _nat_lines(lines, "current", nat, usage, Decimal(1), hours)
    if usage.monthly_gb_to_internet > 0:
        lines.add(INTERNET_OUT, "current", gb(usage.monthly_gb_to_internet * usage.lambda_share), "GB",
                  "internet_out_gb", counted=False,
                  note="Lambda's share of internet egress: the same in both designs, shown, not counted")

    lines.add(LAMBDA_EIPS, "proposed", hours * nat.eips_needed, "IP-hours", "ipv4_hour",
              note=_eip_note(nat, owned))
    if not nat.removable:
        _nat_lines(lines, "proposed", nat, usage, 1 - usage.lambda_share, hours)

    current, proposed = lines.total("current"), lines.total("proposed")
    stays = sum((c.monthly_usd for c in lines.items
                 if c.design == "proposed" and c.counted and c.name != LAMBDA_EIPS), Decimal(0))  # fmt: skip
    return Scenario(
        account_id=nat.account_id,
        region=nat.region,
        nat_gateway_id=nat.nat_gateway_id,
        vpc_id=nat.vpc_id,
        current_monthly_usd=current,
        proposed_monthly_usd=proposed,
        monthly_savings_usd=current - proposed,
        lambda_attributable_monthly_usd=current - stays,
        eips_needed=nat.eips_needed,
        new_eips=nat.new_eips,
        nat_removable=nat.removable,
        attribution=usage.attribution,
        confidence=usage.confidence if usage.has_metrics else "low",
        plan_id=nat.plan_id,
        components=tuple(lines.items),
    )


def unpriced_nat(nat: NatView, error: PriceError) -> UnpricedNat:
    return UnpricedNat(
        account_id=nat.account_id, region=nat.region, nat_gateway_id=nat.nat_gateway_id, vpc_id=nat.vpc_id,
        reason=error.message,
        fix=f"lambda-egress prices refresh --region {nat.region} --out prices.json, then pass --prices prices.json",
    )


def build_scenarios(topology: Topology, usage: Usage, prices: PriceBook, settings: Settings,
                    unpriced: list[UnpricedNat] | None = None) -> tuple[Scenario, ...]:
    """One scenario per NAT gateway that carries Lambda traffic, biggest savings first.

    With ``unpriced`` given, a NAT whose region (or a price it needs) is missing from the book is
    appended there instead of stopping the run; without it, the PriceError propagates.
    """
    owned: dict[tuple[str, str, str], list[TargetEni]] = defaultdict(list)
    for t in topology.targets:
        owned[(t.account_id, t.region, t.owner_nat_gateway_id)].append(t)
    scenarios = []
    for nat in topology.nats:
        if not nat.function_arns:
            continue
        try:
            scenarios.append(build_scenario(nat, usage.nats[nat.nat_gateway_id], prices, settings,
                                            owned.get((nat.account_id, nat.region, nat.nat_gateway_id), [])))
        except PriceError as exc:
            if unpriced is None:
                raise
            unpriced.append(unpriced_nat(nat, exc))
    return tuple(sorted(scenarios, key=lambda s: (-s.monthly_savings_usd, s.account_id, s.nat_gateway_id)))


# --------------------------------------------------------------------------- alternatives


def _single_nat(vpc_nats: list[NatView], usage: Usage, prices: PriceBook, settings: Settings) -> Alternative | None:
    zonal = [n for n in vpc_nats if n.availability_mode == "zonal" and n.connectivity_type == "public"]
    if len(zonal) < 2:
        return None
    keep = max(zonal, key=lambda n: (usage.nats[n.nat_gateway_id].monthly_gb, n.nat_gateway_id))
    removed = [n for n in zonal if n is not keep]
    region, hours = keep.region, Decimal(settings.hours_per_month)
    saved = sum(
        (money(hours * prices.price(region, "nat_hour").usd)
         + money(hours * len(n.public_ips) * prices.price(region, "ipv4_hour").usd) for n in removed),
        Decimal(0),
    )
    moved_gb = sum((gb(usage.nats[n.nat_gateway_id].monthly_gb) for n in removed), Decimal(0))
    added = money(moved_gb * 2 * prices.price(region, "cross_az_gb").usd)
    return Alternative(
        account_id=keep.account_id, region=region, kind="single-nat-per-vpc", vpc_id=keep.vpc_id,
        nat_gateway_ids=tuple(n.nat_gateway_id for n in removed),
        monthly_savings_usd=saved - added,
        summary=(f"Keep {keep.nat_gateway_id} and route the VPC's other AZs to it: saves ${saved:,.2f} of NAT "
                 f"hours and IPs, adds ${added:,.2f} of cross-AZ transfer for {moved_gb:,.3f} GB/month."),
        trade_offs="An outage of that AZ cuts internet egress for the whole VPC; the partner allow-list "
                   "shrinks to the kept NAT's addresses.",
    )


def build_alternatives(topology: Topology, usage: Usage, scenarios: tuple[Scenario, ...],
                       prices: PriceBook, settings: Settings) -> tuple[Alternative, ...]:
    out: list[Alternative] = []
    nats_by_vpc: dict[str, list[NatView]] = defaultdict(list)
    for nat in topology.nats:
        if nat.connectivity_type == "public":  # a private NAT is not an internet egress option
            nats_by_vpc[vpc_key(nat.account_id, nat.region, nat.vpc_id)].append(nat)
    candidate_vpcs = {vpc_key(s.account_id, s.region, s.vpc_id) for s in scenarios}

    for key, vpc_nats in sorted(nats_by_vpc.items()):
        first = vpc_nats[0]
        missing = [s for s in ("s3", "dynamodb") if s not in topology.vpc_gateway_endpoints.get(key, ())]
        if missing and key in candidate_vpcs:
            out.append(Alternative(
                account_id=first.account_id, region=first.region, kind="gateway-endpoint", vpc_id=first.vpc_id,
                nat_gateway_ids=tuple(n.nat_gateway_id for n in vpc_nats), monthly_savings_usd=None,
                summary=f"Add free gateway endpoint(s) for {', '.join(missing)}: that traffic stops paying the "
                        "NAT processing fee.",
                trade_offs="Savings depend on how much of the NAT's traffic goes to S3/DynamoDB in this region, "
                           "which CloudWatch does not show (VPC Flow Logs would).",
            ))
        single = _single_nat(vpc_nats, usage, prices, settings) if key in candidate_vpcs else None
        if single is not None:
            out.append(single)

    for s in scenarios:
        eips = sum((c.monthly_usd for c in s.components if c.name == LAMBDA_EIPS), Decimal(0))
        out.append(Alternative(
            account_id=s.account_id, region=s.region, kind="ipv6-egress-only", vpc_id=s.vpc_id,
            nat_gateway_ids=(s.nat_gateway_id,), monthly_savings_usd=s.monthly_savings_usd + eips,
            summary=f"At most: send {s.nat_gateway_id}'s Lambda traffic over IPv6 through a free egress-only "
                    "internet gateway (dual-stack subnets, Ipv6AllowedForDualStack): no NAT and no Elastic IPs.",
            trade_offs="An upper bound: Lambda uses IPv6 only towards destinations with AAAA records, so IPv4-only "
                       "destinations still need a NAT. The partner must allow-list IPv6, and Lambda's IPv6 "
                       "addresses are not fixed either: it would allow the subnets' /64 prefixes.",
        ))
    return tuple(out)
