"""The numbers the report's charts draw, computed once here from the scenarios (pure, no I/O).

``reports/charts.py`` only draws what this returns (report.json ``figures``): the savings per account
(the sum of its candidate NATs' savings) and, for the removable NAT gateway with the biggest saving,
the two break-even lines and where they cross. Cost lines are found by their price key, not their
name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from analyzer.costs import LAMBDA_EIPS
from analyzer.models import AccountSavings, BreakEven, Figures, Scenario

GB_STEP = Decimal("0.001")
NAT_HOUR_KEYS = ("nat_hour", "regional_nat_hour")
NAT_GB_KEYS = ("nat_gb", "regional_nat_gb")
MIN_RANGE_GB = Decimal(10)


def savings_by_account(scenarios: Sequence[Scenario], names: Mapping[str, str | None]) -> tuple[AccountSavings, ...]:
    totals: dict[str, list[Decimal]] = {}
    for s in scenarios:
        totals.setdefault(s.account_id, []).append(s.monthly_savings_usd)
    rows = [AccountSavings(account_id=a, name=names.get(a), nat_gateways=len(v), monthly_savings_usd=sum(v, Decimal(0)))
            for a, v in totals.items()]
    return tuple(sorted(rows, key=lambda r: (-r.monthly_savings_usd, r.account_id)))


def _lines(scenario: Scenario, design: str, keys: tuple[str, ...]) -> list:
    return [c for c in scenario.components if c.design == design and c.price_key in keys and c.counted]


def break_even(scenario: Scenario, name: str | None = None) -> BreakEven | None:
    """The break-even lines of one removable NAT, or None when a line it needs is missing (no guessing).

    The cost model writes the NAT's IPv4 line only when the NAT has public IPs, so its absence means zero.
    """
    hours, per_gb = _lines(scenario, "current", NAT_HOUR_KEYS), _lines(scenario, "current", NAT_GB_KEYS)
    eips = [c for c in scenario.components if c.design == "proposed" and c.name == LAMBDA_EIPS]
    if not scenario.nat_removable or len(hours) != 1 or len(per_gb) != 1 or len(eips) != 1:
        return None
    fixed = hours[0].monthly_usd + sum((c.monthly_usd for c in _lines(scenario, "current", ("ipv4_hour",))),
                                       Decimal(0))
    price, eip, observed = per_gb[0].unit_price_usd, eips[0].monthly_usd, per_gb[0].quantity
    even = ((eip - fixed) / price).quantize(GB_STEP) if price > 0 and eip >= fixed else None
    span = max(2 * observed, Decimal("1.25") * (even or 0), MIN_RANGE_GB).quantize(GB_STEP)
    return BreakEven(
        nat_gateway_id=scenario.nat_gateway_id, name=name, account_id=scenario.account_id, region=scenario.region,
        eips=scenario.eips_needed, nat_fixed_monthly_usd=fixed, nat_usd_per_gb=price, eip_monthly_usd=eip,
        observed_gb=observed, break_even_gb=even, range_gb=span,
    )


def build_figures(scenarios: Sequence[Scenario], account_names: Mapping[str, str | None],
                  nat_names: Mapping[str, str | None]) -> Figures:
    removable = sorted((s for s in scenarios if s.nat_removable),
                       key=lambda s: (-s.monthly_savings_usd, s.nat_gateway_id))
    best = removable[0] if removable else None
    return Figures(
        savings_by_account=savings_by_account(scenarios, account_names),
        break_even=break_even(best, nat_names.get(best.nat_gateway_id)) if best else None,
    )
