"""analyzer.figures: the numbers the charts draw, computed in the analysis (expected values by hand)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from analyzer.figures import break_even, build_figures, savings_by_account
from analyzer.models import CostComponent, Scenario


def line(name: str, design: str, qty: str, price: str, key: str, monthly: str, counted: bool = True) -> CostComponent:
    return CostComponent(name=name, design=design, quantity=D(qty), unit="x", unit_price_usd=D(price),
                         monthly_usd=D(monthly), price_key=key, counted=counted)


def scenario(nat: str, account: str, savings: str, *, removable: bool = True, eips: int = 2,
             gb: str = "100") -> Scenario:
    # NAT fixed: 730 h x 0.045 = 32.85, one IPv4 730 x 0.005 = 3.65; EIPs: eips x 730 x 0.005
    parts = (
        line("NAT gateway hours", "current", "730", "0.045", "nat_hour", "32.85"),
        line("NAT data processing", "current", gb, "0.045", "nat_gb", str((D(gb) * D("0.045")).quantize(D("0.01")))),
        line("Public IPv4 addresses on the NAT", "current", "730", "0.005", "ipv4_hour", "3.65"),
        line("Internet data transfer out", "current", gb, "0.09", "internet_out_gb", "9.00", counted=False),
        line("Elastic IPs on Lambda ENIs", "proposed", str(730 * eips), "0.005", "ipv4_hour",
             str(D(730 * eips) * D("0.005"))),
    )
    return Scenario(account_id=account, region="us-east-1", nat_gateway_id=nat, vpc_id="vpc-1",
                    current_monthly_usd=D("50"), proposed_monthly_usd=D("50") - D(savings),
                    monthly_savings_usd=D(savings), eips_needed=eips, nat_removable=removable,
                    attribution="sole-consumer", confidence="high", components=parts)


def test_savings_by_account_sums_each_accounts_candidates_biggest_first():
    rows = savings_by_account([scenario("nat-a", "1", "10.50"), scenario("nat-b", "2", "40"),
                               scenario("nat-c", "1", "-2.25")], {"1": "payments", "2": None})
    assert [(r.account_id, r.name, r.nat_gateways, r.monthly_savings_usd) for r in rows] == [
        ("2", None, 1, D("40")), ("1", "payments", 2, D("8.25"))]  # 10.50 - 2.25


def test_break_even_where_the_lines_cross():
    # 20 EIPs = 20 x 730 x 0.005 = 73.00; fixed = 32.85 + 3.65 = 36.50; (73 - 36.50) / 0.045 = 811.111 GB
    be = break_even(scenario("nat-a", "1", "5", eips=20, gb="100"), "payments-nat")
    assert (be.nat_fixed_monthly_usd, be.nat_usd_per_gb, be.eip_monthly_usd) == (D("36.50"), D("0.045"), D("73.00"))
    assert be.break_even_gb == D("811.111") and be.observed_gb == D("100") and be.name == "payments-nat"
    assert be.range_gb == D("1013.889")  # 1.25 x 811.111, more than 2 x 100


def test_break_even_without_a_crossing():
    # 2 EIPs = 7.30 < fixed 36.50: the Elastic IPs cost less at every volume
    be = break_even(scenario("nat-a", "1", "30", eips=2, gb="800"))
    assert be.break_even_gb is None and be.range_gb == D("1600")  # 2 x 800


def test_no_break_even_for_a_nat_that_stays_or_without_a_line():
    assert break_even(scenario("nat-a", "1", "30", removable=False)) is None
    s = scenario("nat-a", "1", "30")
    assert break_even(s.model_copy(update={"components": s.components[1:]})) is None  # no hours line


def test_build_figures_picks_the_removable_nat_with_the_biggest_saving():
    figures = build_figures([scenario("nat-a", "1", "90", removable=False), scenario("nat-b", "1", "20"),
                             scenario("nat-c", "1", "50")], {}, {"nat-c": "the-c"})
    assert (figures.break_even.nat_gateway_id, figures.break_even.name) == ("nat-c", "the-c")


def test_the_demo_figures_are_its_scenarios():
    from analyzer.pipeline import demo_snapshot
    from analyzer.pricing import load_price_book
    from analyzer.result import analyze

    result = analyze(demo_snapshot(), load_price_book(), today=date(2026, 11, 1))
    by_account: dict[str, D] = {}
    for s in result.scenarios:
        by_account[s.account_id] = by_account.get(s.account_id, D(0)) + s.monthly_savings_usd
    assert {r.account_id: r.monthly_savings_usd for r in result.figures.savings_by_account} == by_account
    best = max((s for s in result.scenarios if s.nat_removable), key=lambda s: s.monthly_savings_usd)
    assert result.figures.break_even.nat_gateway_id == best.nat_gateway_id
