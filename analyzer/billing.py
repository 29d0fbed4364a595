"""Billed vs modelled: a Cost and Usage Report's NAT gateway lines next to the cost model, per NAT.

Pure: ``collect``/``inputs`` put the aggregated CUR lines in the snapshot
(:class:`~analyzer.models.BillingData`); this compares them with the scenarios.

* Billed = the ``Usage`` line items of ``[prefix-]NatGateway-Hours|Bytes`` (and
  ``RegionalNatGateway-*``) of each NAT gateway. Credits, refunds and discounts
  (every other line item type) are listed apart, as billed, never netted in.
* A calendar month has 672 to 744 hours and the model 730, so billed figures
  are normalised: usage and cost over the periods x 730 / (hours the data
  covers). A month the data covers only in part (month to date) counts only
  its covered hours.
* Modelled = the current design's components priced with the NAT keys
  (hours and processed GB): found by ``price_key``, not by display name.
* A difference above ``THRESHOLD_PCT`` of the bill is flagged with its likely reasons.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from analyzer.costs import gb, money
from analyzer.models import (
    BilledLine,
    BilledNat,
    BillingAdjustment,
    BillingData,
    BillingPeriod,
    BillingReport,
    NatGateway,
    Scenario,
    Settings,
)

THRESHOLD_PCT = Decimal(5)
HOURS_SHORTFALL = Decimal("0.95")  # billed hours under 95% of the period: created or deleted in it
NAT_USAGE_TYPE = re.compile(r"^(?:[A-Z0-9]+-)?(?:Regional)?NatGateway-(Hours|Bytes)$")
NAT_HOUR_KEYS = frozenset({"nat_hour", "regional_nat_hour"})
NAT_GB_KEYS = frozenset({"nat_gb", "regional_nat_gb"})
USAGE = "Usage"
PCT_STEP = Decimal("0.1")
HOUR_STEP = Decimal("0.1")


def usage_kind(usage_type: str) -> str | None:
    """"Hours", "Bytes", or None for a usage type that is not a NAT gateway's."""
    match = NAT_USAGE_TYPE.match(usage_type)
    return match.group(1) if match else None


def _hours(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 3600))


def billing_periods(lines: Iterable[BilledLine]) -> tuple[BillingPeriod, ...]:
    """Each period, with the hours its data covers: to the period's end, or to the last usage hour seen."""
    by_period: dict[str, list[BilledLine]] = defaultdict(list)
    for line in lines:
        by_period[line.period].append(line)
    periods = []
    for name, group in sorted(by_period.items()):
        start, end = group[0].period_start, group[0].period_end
        seen = [ln.usage_end for ln in group if ln.usage_end is not None and ln.line_item_type == USAGE]
        data_end = min(end, max(seen)) if seen else end
        periods.append(BillingPeriod(period=name, start=start, end=data_end, hours=_hours(start, data_end),
                                     full_hours=_hours(start, end)))
    return tuple(periods)


@dataclass
class _Billed:
    account_id: str | None = None
    region: str | None = None
    hours: Decimal = Decimal(0)
    gb: Decimal = Decimal(0)
    usd: Decimal = Decimal(0)
    adjustments: Decimal = Decimal(0)
    kinds: set[str] = field(default_factory=set)


def _modelled(scenario: Scenario, keys: frozenset[str], attr: str) -> Decimal:
    return sum((getattr(c, attr) for c in scenario.components
                if c.design == "current" and c.counted and c.price_key in keys), Decimal(0))


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(PCT_STEP) if whole else None


def _reasons(billed: BilledNat, raw_hours: Decimal, periods: Sequence[BillingPeriod], covered: int,
             modelled_gb: Decimal, window_days: int) -> tuple[str, ...]:
    reasons = []
    for p in periods:
        if p.hours < p.full_hours:
            reasons.append(f"partial month: the data covers {p.hours} of the {p.full_hours} hours of {p.period} "
                           "(month to date); normalised by the hours covered, but a part month may not be typical")
    if raw_hours < HOURS_SHORTFALL * covered:
        reasons.append(f"billed {raw_hours:f} NAT hours of the {covered} hours covered: the NAT was created or "
                       "deleted during the period, while the model assumes a whole month")
    if modelled_gb and abs(billed.billed_gb - modelled_gb) > modelled_gb * THRESHOLD_PCT / 100:
        reasons.append(f"bytes definition: billed {billed.billed_gb:f} GB vs modelled {modelled_gb:f} GB; the model "
                       f"counts CloudWatch BytesInFromSource + BytesInFromDestination over the {window_days}-day "
                       "metric window, the bill the bytes processed in the billing period")
    return tuple(reasons) or ("the billing period and the metric window are different times: traffic or prices "
                              "changed between them",)


def _collect(lines: Iterable[BilledLine]) -> tuple[dict[str, _Billed], list[BillingAdjustment]]:
    billed: dict[str, _Billed] = defaultdict(_Billed)
    adjustments = []
    for line in lines:
        kind = usage_kind(line.usage_type)
        if kind is None:
            continue
        if line.line_item_type != USAGE:
            adjustments.append(BillingAdjustment(period=line.period, line_item_type=line.line_item_type,
                                                 usage_type=line.usage_type, nat_gateway_id=line.nat_gateway_id,
                                                 cost_usd=line.cost_usd))
            if line.nat_gateway_id:
                billed[line.nat_gateway_id].adjustments += line.cost_usd
            continue
        if not line.nat_gateway_id:
            continue
        b = billed[line.nat_gateway_id]
        b.account_id, b.region = b.account_id or line.account_id, b.region or line.region
        b.usd += line.cost_usd
        b.kinds.add(kind)
        if kind == "Hours":
            b.hours += line.usage_amount
        else:
            b.gb += line.usage_amount
    return billed, adjustments


def reconcile(data: BillingData, nats: Sequence[NatGateway], scenarios: Sequence[Scenario],
              settings: Settings, window_days: int, unpriced: Iterable[str] = ()) -> BillingReport:
    """Per NAT gateway in the bill or in the scenarios: billed (normalised) vs modelled, flagged past 5%."""
    periods = billing_periods(ln for ln in data.lines if usage_kind(ln.usage_type))
    covered = sum(p.hours for p in periods)
    factor = Decimal(settings.hours_per_month) / Decimal(covered) if covered else Decimal(0)
    billed, adjustments = _collect(data.lines)
    known = {n.nat_gateway_id: n for n in nats}
    by_nat = {s.nat_gateway_id: s for s in scenarios}
    unpriced = set(unpriced)
    rows = []
    for nat_id in sorted(set(billed) | set(by_nat)):
        b = billed.get(nat_id, _Billed())
        scenario, nat = by_nat.get(nat_id), known.get(nat_id)
        row = BilledNat(
            nat_gateway_id=nat_id, account_id=b.account_id or (nat.account_id if nat else None),
            region=b.region or (nat.region if nat else None), billed_usd=money(b.usd * factor),
            billed_hours=(b.hours * factor).quantize(HOUR_STEP), billed_gb=gb(b.gb * factor),
            adjustments_usd=money(b.adjustments),
        )
        if scenario is None:
            why = ("unpriced: the price book has no price for its region" if nat_id in unpriced else
                   "no Lambda traffic: not modelled" if nat else
                   "not in the snapshot: deleted before the scan, or in an account or region not scanned")
            rows.append(row.model_copy(update={"flagged": nat is None, "reasons": (why,)}))
            continue
        modelled = _modelled(scenario, NAT_HOUR_KEYS | NAT_GB_KEYS, "monthly_usd")
        diff = row.billed_usd - modelled
        pct = _pct(diff, row.billed_usd)
        update: dict = {"modelled_usd": modelled, "difference_usd": diff, "difference_pct": pct}
        if nat_id not in billed:
            update |= {"flagged": True, "reasons": (
                "no NAT gateway line items in the CUR for this NAT: another payer's report, or a NAT created "
                "after the billing period",)}
        elif pct is None or abs(pct) > THRESHOLD_PCT:
            modelled_gb = _modelled(scenario, NAT_GB_KEYS, "quantity")
            update |= {"flagged": True,
                       "reasons": _reasons(row, b.hours, periods, covered, modelled_gb, window_days)}
        rows.append(row.model_copy(update=update))
    return BillingReport(
        source=data.source, periods=periods, nat_gateways=tuple(rows),
        adjustments=tuple(sorted(adjustments, key=lambda a: (a.period, a.line_item_type, a.nat_gateway_id or ""))),
        threshold_pct=THRESHOLD_PCT,
        normalisation=normalisation_text(periods, covered, settings),
    )


def normalisation_text(periods: Sequence[BillingPeriod], covered: int, settings: Settings) -> str:
    listed = ", ".join(f"{p.period}: {p.hours} of {p.full_hours} h" for p in periods) or "none"
    return (f"Billed usage and cost are summed over the billing period(s) and scaled to a "
            f"{settings.hours_per_month}-hour month: x {settings.hours_per_month} / {covered} hours covered "
            f"({listed}). Only Usage line items count as billed; credits, refunds and discounts are listed apart, "
            f"as billed, never netted. A difference above {THRESHOLD_PCT}% of the bill is flagged.")
