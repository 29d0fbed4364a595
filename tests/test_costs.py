"""Cost scenarios against numbers worked out by hand from DESIGN.md's formulas.

Prices used (bundled book, us-east-1): NAT $0.045/hour and $0.045/GB, public
IPv4 $0.005/hour, cross-AZ $0.01/GB each way, internet out $0.09/GB.
A 30-day window scales to a month by 730 / (24 x 30) = 730 / 720.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from builders import daily, eni, function, nat, snapshot, subnet, table

from analyzer.costs import build_scenarios
from analyzer.models import Settings
from analyzer.pricing import load_price_book
from analyzer.topology import build_topology
from analyzer.usage import build_usage

GIB = 2**30
D = Decimal


def _scenarios(snap):
    topo = build_topology(snap)
    usage = build_usage(snap, topo, Settings())
    return build_scenarios(topo, usage, load_price_book(), Settings())


def _nat_metrics(nat_id: str, gib_from_source: float, gib_from_destination: float, gib_out: float = 0):
    per_day = 30
    return (
        daily("BytesInFromSource", nat_id, [gib_from_source * GIB / per_day] * per_day),
        daily("BytesInFromDestination", nat_id, [gib_from_destination * GIB / per_day] * per_day),
        daily("BytesOutToDestination", nat_id, [gib_out * GIB / per_day] * per_day),
    )


def _components(scenario, design):
    return {c.name: c for c in scenario.components if c.design == design}


def _sole_lambda_nat_100_gib():
    """One NAT in us-east-1, one IP, 100 GiB in the window, one Lambda function its only consumer."""
    return snapshot(
        subnets=(subnet("subnet-a"),),
        route_tables=(table("rtb-priv", subnets=("subnet-a",), nat="nat-a"),),
        nat_gateways=(nat("nat-a"),),
        functions=(function("fn", ("subnet-a",)),),
        network_interfaces=(eni("eni-l1", "subnet-a"),),
        metrics=_nat_metrics("nat-a", 60, 40, gib_out=60),
    )


def test_us_east_1_nat_100_gib_one_ip_sole_lambda_consumer():
    snap = _sole_lambda_nat_100_gib()
    (s,) = _scenarios(snap)
    cur = _components(s, "current")
    # 100 GiB in 30 days -> 100 * 730 / 720 = 101.3888... -> 101.389 GB
    assert cur["NAT data processing"].quantity == D("101.389")
    assert cur["NAT data processing"].monthly_usd == D("4.56")  # 101.389 * 0.045 = 4.5625 -> 4.56
    assert cur["NAT gateway hours"].monthly_usd == D("32.85")  # 730 * 0.045
    assert cur["Public IPv4 addresses on the NAT"].monthly_usd == D("3.65")  # 730 * 0.005
    # internet out: 60 GiB -> 60.833 GB * 0.09 = 5.47, shown but not counted
    assert cur["Internet data transfer out"].monthly_usd == D("5.47")
    assert cur["Internet data transfer out"].counted is False
    assert s.current_monthly_usd == D("41.06")  # 32.85 + 4.56 + 3.65
    assert s.eips_needed == 1
    assert s.proposed_monthly_usd == D("3.65")  # one EIP: 730 * 0.005
    assert s.monthly_savings_usd == D("37.41")
    assert s.nat_removable is True
    assert s.attribution == "sole-consumer"


def _nat_with_one_lambda_and_three_ec2_enis():
    return snapshot(
        subnets=(subnet("subnet-a"),),
        route_tables=(table("rtb-priv", subnets=("subnet-a",), nat="nat-a"),),
        nat_gateways=(nat("nat-a"),),
        functions=(function("fn", ("subnet-a",)),),
        network_interfaces=(
            eni("eni-l1", "subnet-a"),
            *(eni(f"eni-ec2-{i}", "subnet-a", ("sg-ec2",), kind="interface") for i in range(3)),
        ),
        metrics=_nat_metrics("nat-a", 60, 40),
    )


def test_nat_shared_with_ec2_stays_and_savings_can_be_negative():
    (s,) = _scenarios(_nat_with_one_lambda_and_three_ec2_enis())
    assert s.nat_removable is False
    assert s.attribution == "eni-share" and s.confidence == "low"
    prop = _components(s, "proposed")
    # Lambda share = 1 Lambda ENI / (1 + 3 EC2 ENIs) = 0.25; 0.75 * 101.3888 = 76.0416 -> 76.042 GB
    assert prop["NAT data processing"].quantity == D("76.042")
    assert prop["NAT data processing"].monthly_usd == D("3.42")  # 76.042 * 0.045 = 3.4219
    assert prop["NAT gateway hours"].monthly_usd == D("32.85")
    assert prop["Elastic IPs on Lambda ENIs"].monthly_usd == D("3.65")
    assert s.current_monthly_usd == D("41.06")
    assert s.proposed_monthly_usd == D("43.57")  # 3.65 + 32.85 + 3.65 + 3.42
    assert s.monthly_savings_usd == D("-2.51")  # reported as a loss, not hidden


def test_cross_az_subnet_adds_transfer_in_each_direction():
    snap = snapshot(
        subnets=(subnet("subnet-a"), subnet("subnet-b", az="us-east-1b")),
        route_tables=(table("rtb-priv", subnets=("subnet-a", "subnet-b"), nat="nat-a"),),
        nat_gateways=(nat("nat-a", az="us-east-1a"),),
        functions=(function("fa", ("subnet-a",)), function("fb", ("subnet-b",), sgs=("sg-2",))),
        network_interfaces=(eni("eni-a", "subnet-a"), eni("eni-b", "subnet-b", ("sg-2",), az="us-east-1b")),
        metrics=_nat_metrics("nat-a", 60, 40),
    )
    (s,) = _scenarios(snap)
    cur = _components(s, "current")
    # half the consumer ENIs are in the other AZ: 101.3888 * 0.5 = 50.694 GB crossing,
    # billed out and in: 2 * 50.694 = 101.389 GB * $0.01 = 1.01
    assert cur["Cross-AZ data transfer"].quantity == D("101.389")
    assert cur["Cross-AZ data transfer"].monthly_usd == D("1.01")
    assert s.current_monthly_usd == D("42.07")  # 32.85 + 4.56 + 3.65 + 1.01
    assert s.proposed_monthly_usd == D("7.30")  # two ENI groups -> two EIPs
    assert s.monthly_savings_usd == D("34.77")


def test_every_component_is_quantity_times_price_and_totals_add_up():
    snap = snapshot(
        subnets=(subnet("subnet-a"),),
        route_tables=(table("rtb-priv", subnets=("subnet-a",), nat="nat-a"),),
        nat_gateways=(nat("nat-a", ips=("203.0.113.1", "203.0.113.2")),),
        functions=(function("fn", ("subnet-a",)),),
        network_interfaces=(eni("eni-l1", "subnet-a"),),
        metrics=_nat_metrics("nat-a", 7.3, 1.1),
    )
    (s,) = _scenarios(snap)
    for c in s.components:
        assert c.monthly_usd == (c.quantity * c.unit_price_usd).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    counted = [c for c in s.components if c.counted]
    assert s.current_monthly_usd == sum(c.monthly_usd for c in counted if c.design == "current")
    assert _components(s, "current")["Public IPv4 addresses on the NAT"].quantity == 1460  # 2 IPs * 730 h


def test_region_without_prices_is_a_clear_error():
    from analyzer.errors import PriceError

    snap = snapshot(
        subnets=(subnet("subnet-a", region="xx-nowhere-1"),),
        route_tables=(table("rtb", subnets=("subnet-a",), nat="nat-a", region="xx-nowhere-1"),),
        nat_gateways=(nat("nat-a", region="xx-nowhere-1"),),
        functions=(function("fn", ("subnet-a",), region="xx-nowhere-1"),),
    )
    with pytest.raises(PriceError, match="xx-nowhere-1"):
        _scenarios(snap)


def test_shared_nat_note_names_the_share_that_stays():
    (s,) = _scenarios(_nat_with_one_lambda_and_three_ec2_enis())
    # 3 of 4 consumer ENIs are EC2: 75% of the bytes stay on the NAT
    assert _components(s, "proposed")["NAT data processing"].note == (
        "the non-Lambda share (75%) of the NAT's bytes stays on the NAT"
    )


def test_private_nat_is_never_offered_as_the_one_to_keep_or_remove():
    from analyzer.costs import build_alternatives

    private = nat("nat-p", subnet_id="subnet-b", az="us-east-1b", ips=()).model_copy(
        update={"connectivity_type": "private"})
    snap = snapshot(
        subnets=(subnet("subnet-a"), subnet("subnet-b", az="us-east-1b")),
        route_tables=(table("rtb-a", subnets=("subnet-a",), nat="nat-a"),
                      table("rtb-b", subnets=("subnet-b",), nat="nat-p")),
        nat_gateways=(nat("nat-a"), private),
        functions=(function("fn", ("subnet-a",)),),
        network_interfaces=(eni("eni-l1", "subnet-a"),),
        metrics=_nat_metrics("nat-a", 60, 40),
    )
    topo = build_topology(snap)
    usage = build_usage(snap, topo, Settings())
    scenarios = build_scenarios(topo, usage, load_price_book(), Settings())
    kinds = {a.kind: a for a in build_alternatives(topo, usage, scenarios, load_price_book(), Settings())}
    assert "single-nat-per-vpc" not in kinds  # only one public NAT in the VPC
    assert kinds["gateway-endpoint"].nat_gateway_ids == ("nat-a",)


def test_each_component_carries_the_price_key_it_was_priced_with():
    snap = _sole_lambda_nat_100_gib()
    (s,) = _scenarios(snap)
    keys = {(c.design, c.name): c.price_key for c in s.components}
    assert keys == {
        ("current", "NAT gateway hours"): "nat_hour",
        ("current", "NAT data processing"): "nat_gb",
        ("current", "Public IPv4 addresses on the NAT"): "ipv4_hour",
        ("current", "Internet data transfer out"): "internet_out_gb",
        ("proposed", "Elastic IPs on Lambda ENIs"): "ipv4_hour",
    }


def test_a_region_without_prices_is_unpriced_and_the_others_are_priced():
    book = load_price_book()
    book = book.model_copy(update={"regions": {k: v for k, v in book.regions.items() if k != "eu-west-1"}})
    snap = snapshot(
        subnets=(subnet("subnet-a"), subnet("subnet-e", az="eu-west-1a", region="eu-west-1")),
        route_tables=(table("rtb-a", subnets=("subnet-a",), nat="nat-a"),
                      table("rtb-e", subnets=("subnet-e",), nat="nat-e", region="eu-west-1")),
        nat_gateways=(nat("nat-a"), nat("nat-e", subnet_id="subnet-pub-e", az="eu-west-1a", region="eu-west-1")),
        functions=(function("fn", ("subnet-a",)), function("fe", ("subnet-e",), region="eu-west-1")),
        network_interfaces=(eni("eni-l1", "subnet-a"), eni("eni-e1", "subnet-e", az="eu-west-1a",
                                                              region="eu-west-1")),
    )
    topo = build_topology(snap)
    usage = build_usage(snap, topo, Settings())
    unpriced = []
    scenarios = build_scenarios(topo, usage, book, Settings(), unpriced)
    assert [s.nat_gateway_id for s in scenarios] == ["nat-a"]
    # 730 h x $0.045 + 730 IP-h x $0.005, no traffic
    assert scenarios[0].current_monthly_usd == D("32.85") + D("3.65")
    assert [(u.nat_gateway_id, u.region) for u in unpriced] == [("nat-e", "eu-west-1")]
    assert "prices refresh --region eu-west-1" in unpriced[0].fix
    with pytest.raises(Exception, match="no prices for region eu-west-1"):
        build_scenarios(topo, usage, book, Settings())  # without the list: the old strict behaviour
