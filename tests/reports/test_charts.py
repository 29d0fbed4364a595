"""Charts: which ones the data allows, and SVG that inlines safely and reads in grayscale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from analyzer.figures import build_figures
from analyzer.models import (
    Account,
    AnalysisResult,
    CostComponent,
    Coverage,
    NatReport,
    PriceBookInfo,
    Scenario,
    Summary,
)
from reports.charts import build_charts

SVG_NS = "{http://www.w3.org/2000/svg}"
NAT_HOUR, NAT_GB, IPV4_HOUR = D("0.045"), D("0.045"), D("0.005")


def components(gb: D, nat_ips: int, eips: int, *, removable: bool = True) -> tuple[CostComponent, ...]:
    """The component lines analyzer/costs.py emits for one NAT gateway."""
    current = [
        CostComponent(
            name="NAT gateway hours",
            quantity=D(730),
            unit="hours",
            unit_price_usd=NAT_HOUR,
            monthly_usd=D(730) * NAT_HOUR,
            price_key="nat_hour",
        ),
        CostComponent(
            name="NAT data processing", quantity=gb, unit="GB", unit_price_usd=NAT_GB, monthly_usd=gb * NAT_GB,
            price_key="nat_gb",
        ),
        CostComponent(
            name="Public IPv4 addresses on the NAT",
            quantity=D(730 * nat_ips),
            unit="IP-hours",
            unit_price_usd=IPV4_HOUR,
            monthly_usd=D(730 * nat_ips) * IPV4_HOUR,
            price_key="ipv4_hour",
        ),
        CostComponent(
            name="Internet data transfer out",
            quantity=gb,
            unit="GB",
            unit_price_usd=D("0.09"),
            monthly_usd=gb * D("0.09"),
            counted=False,
            price_key="internet_out_gb",
        ),
    ]
    proposed = [
        CostComponent(
            name="Elastic IPs on Lambda ENIs",
            design="proposed",
            quantity=D(730 * eips),
            unit="IP-hours",
            unit_price_usd=IPV4_HOUR,
            monthly_usd=D(730 * eips) * IPV4_HOUR,
            price_key="ipv4_hour",
        ),
    ]
    return (*current, *proposed)


def scenario(
    nat_id: str,
    account: str,
    savings: str,
    *,
    gb: str = "100",
    eips: int = 2,
    parts: tuple[CostComponent, ...] | None = None,
    region: str = "eu-west-1",
) -> Scenario:
    current = D("40") + D(savings)
    return Scenario(
        account_id=account,
        region=region,
        nat_gateway_id=nat_id,
        vpc_id="vpc-1",
        current_monthly_usd=current,
        proposed_monthly_usd=current - D(savings),
        monthly_savings_usd=D(savings),
        eips_needed=eips,
        nat_removable=True,
        attribution="sole-consumer",
        confidence="high",
        components=parts if parts is not None else components(D(gb), 1, eips),
    )


def result(*scenarios: Scenario, accounts: tuple[Account, ...] = (), nats: tuple[NatReport, ...] = ()
           ) -> AnalysisResult:
    """A result with the figures the analysis computes from its scenarios (``analyzer.figures``)."""
    figures = build_figures(scenarios, {a.account_id: a.name for a in accounts},
                            {n.nat_gateway_id: n.name for n in nats})
    return AnalysisResult(
        figures=figures,
        nat_gateways=nats,
        tool_version="test",
        collected_at=datetime(2024, 5, 1, tzinfo=UTC),
        window_days=30,
        price_book=PriceBookInfo(as_of="2024-05-01", source="test"),
        coverage=Coverage(),
        accounts=accounts,
        summary=Summary(),
        scenarios=scenarios,
    )


@pytest.fixture
def three() -> AnalysisResult:
    return result(
        scenario("nat-0aaa111", "111111111111", "55.10", gb="800"),
        scenario("nat-0bbb222", "111111111111", "12.40"),
        scenario("nat-0ccc333", "222222222222", "-4.50", eips=12),
        scenario("nat-0ddd444", "333333333333", "3.00"),
        accounts=(Account(account_id="111111111111", name="payments-prod"),),
        nats=(NatReport(account_id="111111111111", region="eu-west-1", nat_gateway_id="nat-0aaa111",
                        vpc_id="vpc-1", name="payments-nat-a"),),
    )


def by_id(charts) -> dict:
    return {c.id: c for c in charts}


def test_three_accounts_give_three_charts_in_order(three):
    charts = build_charts(three)
    assert [c.id for c in charts] == ["cost-per-nat", "savings-by-account", "break-even"]
    assert [c.title for c in charts] == [
        "Today vs proposed monthly cost per NAT gateway",
        "Monthly savings by account",
        "Break-even: payments-nat-a vs Elastic IPs",
    ]
    assert all(c.caption for c in charts)
    assert "nat-0aaa111" in by_id(charts)["break-even"].caption  # biggest saving drives the break-even


def test_two_accounts_are_two_numbers_not_a_chart(three):
    two = result(*three.scenarios[:3], accounts=three.accounts)
    assert [c.id for c in build_charts(two)] == ["cost-per-nat", "break-even"]
    assert len(two.figures.savings_by_account) == 2  # the decision table states them


def test_no_scenarios_no_charts():
    assert build_charts(result()) == []


def test_output_is_deterministic(three):
    assert [c.svg for c in build_charts(three)] == [c.svg for c in build_charts(three)]


def test_svg_is_inlineable_and_self_contained(three):
    for chart in build_charts(three):
        svg = chart.svg
        assert svg.startswith("<svg ")
        assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
        assert 'href="http' not in svg and "url(http" not in svg
        assert "*{" not in svg.replace(f"#{chart.id}-svg *{{", "")  # default style scoped to this chart
        root = ET.fromstring(svg)  # well-formed XML
        assert root.get("width") == "100%" and root.get("height") is None
        assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))
        ids = [el.get("id") for el in root.iter() if el.get("id")]
        assert ids and all(i.startswith(f"{chart.id}-") for i in ids)
        # every internal reference points at an element of this same SVG
        refs = re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', svg)
        assert refs and {a or b for a, b in refs} <= set(ids)


def test_nat_names_ids_and_account_names_are_text(three):
    charts = by_id(build_charts(three))
    texts = _texts(charts["cost-per-nat"].svg)
    for nat in ("nat-0aaa111", "nat-0bbb222", "nat-0ccc333"):
        assert any(nat in t for t in texts)
    assert any("payments-nat-a" in t for t in texts)  # the Name tag beside the id
    assert "$55.10" not in texts  # labels are costs, not savings
    assert "$95.10" in texts and "$40.00" in texts  # nat-0aaa111: current, proposed
    account_texts = _texts(charts["savings-by-account"].svg)
    assert {"payments-prod", "222222222222"} <= set(account_texts)
    assert "$67.50" in account_texts and "\N{MINUS SIGN}$4.50" in account_texts  # 55.10 + 12.40 from figures


def test_legend_says_what_a_nat_that_stays_costs(three):
    kept = three.model_copy(update={"scenarios": (three.scenarios[0].model_copy(update={"nat_removable": False}),
                                                  *three.scenarios[1:])})
    texts = _texts(by_id(build_charts(kept))["cost-per-nat"].svg)
    assert "Proposed: Elastic IPs, and the NAT, which stays for other traffic" in texts
    assert "Proposed: Elastic IPs on Lambda ENIs (the NAT is removed)" in texts
    only_removable = _texts(by_id(build_charts(three))["cost-per-nat"].svg)
    assert not any("stays" in t for t in only_removable)


def test_current_and_proposed_bars_differ_in_hatch(three):
    svg = by_id(build_charts(three))["cost-per-nat"].svg
    root = ET.fromstring(svg)
    current, proposed = _bar_fill(root, "cost-per-nat-current-0"), _bar_fill(root, "cost-per-nat-proposed-0")
    assert current.startswith("url(#") and proposed.startswith("url(#")  # hatch patterns, not flat colour
    assert current != proposed
    assert _bar_fill(root, "cost-per-nat-current-2") == current  # one style per series


def test_negative_savings_bar_goes_below_zero_with_its_own_hatch(three):
    root = ET.fromstring(by_id(build_charts(three))["savings-by-account"].svg)
    # accounts biggest saving first: 111... (55.10 + 12.40), 333... (3.00), 222... (-4.50)
    assert _bar_fill(root, "savings-by-account-account-0") == _bar_fill(root, "savings-by-account-account-1")
    assert _bar_fill(root, "savings-by-account-account-0") != _bar_fill(root, "savings-by-account-account-2")
    assert {"Saves money", "Costs more"} <= set(_texts(ET.tostring(root, encoding="unicode")))


def test_aws_strings_are_escaped():
    hostile = result(
        scenario("nat-<script>alert(1)</script>", "111111111111", "10"),
        accounts=(Account(account_id="111111111111", name='<script>x</script> & "$a$"'),),
    )
    for chart in build_charts(hostile):
        assert "<script" not in chart.svg
        ET.fromstring(chart.svg)
    svg = by_id(build_charts(hostile))["cost-per-nat"].svg
    assert "nat-&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert '&lt;script&gt;x&lt;/script&gt; &amp; "$a$"' in svg  # dollars stay dollars, not TeX


@pytest.mark.parametrize("dropped", ["NAT gateway hours", "NAT data processing", "Elastic IPs on Lambda ENIs"])
def test_break_even_skipped_when_a_price_is_missing(dropped):
    parts = tuple(c for c in components(D(100), 1, 2) if c.name != dropped)
    charts = build_charts(result(scenario("nat-0aaa111", "111111111111", "30", parts=parts)))
    assert [c.id for c in charts] == ["cost-per-nat"]


def test_break_even_for_a_nat_without_public_ipv4_line():
    # costs.py writes no IPv4 line for a NAT without public IPs: NAT fixed cost is hours only ($32.85).
    parts = tuple(c for c in components(D(100), 1, 10) if c.name != "Public IPv4 addresses on the NAT")
    charts = by_id(build_charts(result(scenario("nat-0aaa111", "111111111111", "5", eips=10, parts=parts))))
    # 10 EIPs = $36.50; crossing at (36.50 - 32.85) / 0.045 = 81 GB.
    assert "The lines cross at 81 GB/month." in charts["break-even"].caption


def test_break_even_marks_crossing_when_eips_outweigh_nat_hours():
    # 20 EIPs = $73/month; NAT fixed = $32.85 + $3.65; crossing at (73 - 36.5) / 0.045 = 811 GB.
    charts = by_id(build_charts(result(scenario("nat-0aaa111", "111111111111", "5", eips=20))))
    assert "The lines cross at 811 GB/month." in charts["break-even"].caption
    assert "Break-even: 811 GB/month" in _texts(charts["break-even"].svg)
    assert "no-crossing" not in charts["break-even"].svg


def test_break_even_without_crossing_says_so(three):
    chart = by_id(build_charts(three))["break-even"]
    assert "The lines do not cross: the Elastic IPs cost less at every volume." in chart.caption
    texts = _texts(chart.svg)
    assert "Observed: 800 GB/month" in texts
    assert "The lines do not cross: the Elastic IPs cost less at every volume" in texts


def test_more_than_fifteen_nats_shows_top_fifteen_by_savings():
    many = result(*(scenario(f"nat-{i:03d}", "111111111111", str(i)) for i in range(20)))
    chart = by_id(build_charts(many))["cost-per-nat"]
    texts = " ".join(_texts(chart.svg))
    assert "nat-019" in texts and "nat-005" in texts and "nat-004" not in texts
    assert "Top 15 of 20 candidates" in chart.caption


def _texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG_NS}text")]


def _bar_fill(root: ET.Element, gid: str) -> str:
    group = next(el for el in root.iter(f"{SVG_NS}g") if el.get("id") == gid)
    styles = [p.get("style", "") for p in group.iter(f"{SVG_NS}path")]
    fills = [m.group(1) for s in styles if (m := re.search(r"fill:\s*([^;]+)", s))]
    assert fills, f"no fill in {gid}"
    return fills[0]


def test_break_even_uses_only_a_removable_nat(three):
    """A NAT that stays still costs its hours in the proposed design: no NAT-vs-EIP-only chart for it."""
    biggest, *rest = sorted(three.scenarios, key=lambda s: -s.monthly_savings_usd)
    kept = result(biggest.model_copy(update={"nat_removable": False}), *rest, accounts=three.accounts)
    caption = by_id(build_charts(kept))["break-even"].caption
    assert biggest.nat_gateway_id not in caption
    assert rest[0].nat_gateway_id in caption  # the next biggest, removable
    none_removable = result(*(s.model_copy(update={"nat_removable": False}) for s in three.scenarios))
    assert "break-even" not in by_id(build_charts(none_removable))


def test_the_chart_draws_the_analysis_numbers_it_is_given(three):
    """A chart never recomputes: figures that say 5 GB break-even are drawn as 5 GB, whatever the scenarios."""
    fake = three.figures.break_even.model_copy(update={"break_even_gb": D("5"), "range_gb": D("20")})
    drawn = three.model_copy(update={"figures": three.figures.model_copy(update={"break_even": fake})})
    chart = by_id(build_charts(drawn))["break-even"]
    assert "The lines cross at 5 GB/month." in chart.caption
