"""Issue 7's decisions through the whole pure pipeline (``analyze``): routing, target keys, coordinated plans.

Each test builds a snapshot by hand and reads the result a user sees: the NAT
views, the scenarios (costs worked out by hand from the formula), the
findings and the plans. Prices: the bundled book, us-east-1: NAT $0.045/hour,
public IPv4 $0.005/hour, so one Elastic IP costs 730 x 0.005 = $3.65 a month.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from builders import ACCOUNT, REGION, VPC, daily, eni, function, nat, snapshot, subnet

from analyzer.models import Route, RouteTable, Settings
from analyzer.pricing import load_price_book
from analyzer.result import analyze

EIP_MONTH = Decimal("3.65")  # 730 h x $0.005
NAT_HOURS = Decimal("32.85")  # 730 h x $0.045
GIB = 2**30


def rtb(table_id: str, subnets: tuple[str, ...], *routes: Route, main: bool = False) -> RouteTable:
    local = Route(destination_cidr_block="10.0.0.0/16", gateway_id="local")
    return RouteTable(account_id=ACCOUNT, region=REGION, route_table_id=table_id, vpc_id=VPC, is_main=main,
                      subnet_ids=subnets, routes=(local, *routes))


def default(**target: str) -> Route:
    return Route(destination_cidr_block="0.0.0.0/0", **target)


PUBLIC = rtb("rtb-pub", ("subnet-pub-a", "subnet-pub-b"), default(gateway_id="igw-1"))
PUBLIC_SUBNETS = (subnet("subnet-pub-a"), subnet("subnet-pub-b", az="us-east-1b"))


def run(snap, settings: Settings | None = None):
    return analyze(snap, load_price_book(), settings=settings, today=date(2026, 11, 1))


def by_nat(result) -> dict:
    return {s.nat_gateway_id: s for s in result.scenarios}


def eip_component(scenario):
    [c] = [c for c in scenario.components if c.design == "proposed" and c.name == "Elastic IPs on Lambda ENIs"]
    return c


def traffic(nat_id: str, gib: float = 30.0):
    return (daily("BytesInFromSource", nat_id, [gib * GIB / 30] * 30),
            daily("BytesInFromDestination", nat_id, [0.0] * 30))


# --------------------------------------------------------------------------- item 1: any route is use


def partner_route_estate(*, ec2: bool, lambda_there: bool):
    """subnet-a -> nat-a for everything; subnet-tgw: default to a transit gateway, the partner's /24 to nat-a."""
    functions = [function("pay", ("subnet-a",))]
    enis = [eni("eni-pay", "subnet-a")]
    if ec2:
        enis.append(eni("eni-batch", "subnet-tgw", ("sg-9",), kind="interface"))
    if lambda_there:
        functions.append(function("ledger", ("subnet-tgw",), sgs=("sg-4",)))
        enis.append(eni("eni-ledger", "subnet-tgw", ("sg-4",)))
    return snapshot(
        subnets=(subnet("subnet-a"), subnet("subnet-tgw"), *PUBLIC_SUBNETS),
        route_tables=(
            rtb("rtb-priv", ("subnet-a",), default(nat_gateway_id="nat-a")),
            rtb("rtb-tgw", ("subnet-tgw",), default(transit_gateway_id="tgw-1"),
                Route(destination_cidr_block="198.51.100.0/24", nat_gateway_id="nat-a")),
            PUBLIC,
        ),
        nat_gateways=(nat("nat-a"),),
        functions=tuple(functions),
        network_interfaces=tuple(enis),
        metrics=traffic("nat-a"),
    )


def test_a_partner_route_to_the_nat_keeps_it_and_the_plan_never_deletes_it():
    result = run(partner_route_estate(ec2=True, lambda_there=False))
    [view] = result.nat_gateways
    assert view.routed_subnet_ids == ("subnet-a", "subnet-tgw")
    assert view.other_consumer_eni_ids == ("eni-batch",)
    [scenario] = result.scenarios
    assert not scenario.nat_removable
    assert [f.rule_id for f in result.findings if f.rule_id == "nat-shared"] == ["nat-shared"]
    [plan] = result.plans
    every = [c for s in plan.steps for c in s.commands]
    assert not any("delete-route" in c or "delete-nat-gateway" in c for c in every)
    assert any(s.title.startswith("Keep nat-a") for s in plan.steps)


def test_a_function_that_sends_only_the_partner_route_to_the_nat_keeps_it():
    result = run(partner_route_estate(ec2=False, lambda_there=True))
    fns = {f.name: f for f in result.functions}
    assert fns["ledger"].egress == "unknown"  # its 0.0.0.0/0 goes to a transit gateway
    assert fns["ledger"].paths[0].nat_gateway_ids == ("nat-a",)
    [view] = result.nat_gateways
    assert view.function_arns == (fns["pay"].arn,)
    assert view.other_consumer_eni_ids == ("eni-ledger",)
    assert not result.scenarios[0].nat_removable


def test_destination_resolves_the_partner_route_so_that_function_moves_too():
    settings = Settings(destinations=("198.51.100.7/32",))
    result = run(partner_route_estate(ec2=False, lambda_there=True), settings)
    fns = {f.name: f for f in result.functions}
    assert fns["ledger"].egress == "nat"
    assert fns["ledger"].paths[0].destination == "198.51.100.7/32"
    [scenario] = result.scenarios
    assert scenario.nat_removable
    [plan] = result.plans
    assert {t.subnet_id for t in plan.targets} == {"subnet-pub-a"}
    assert sorted(len(t.allocation_ids) for t in plan.targets) == [1, 1]  # two SG sets: two ENIs
    deletes = [c for s in plan.steps for c in s.commands if "delete-route" in c]
    assert ("aws ec2 delete-route --route-table-id rtb-tgw --destination-cidr-block 198.51.100.0/24 "
            "--region us-east-1") in deletes


def test_longest_prefix_wins_and_prefix_lists_count():
    from analyzer.models import PrefixList
    from analyzer.topology import router_for

    snap = snapshot(
        subnets=(subnet("subnet-a"),),
        route_tables=(rtb("rtb", ("subnet-a",), default(nat_gateway_id="nat-a"),
                          Route(destination_cidr_block="198.51.0.0/16", transit_gateway_id="tgw-1"),
                          Route(destination_prefix_list_id="pl-partner", gateway_id="igw-1")),),
        prefix_lists=(PrefixList(account_id=ACCOUNT, region=REGION, prefix_list_id="pl-partner",
                                 cidrs=("198.51.100.0/24",)),),
    )
    router = router_for(snap)
    assert router.resolve(ACCOUNT, REGION, "subnet-a", "198.51.100.9").target_id == "igw-1"  # /24 via the list
    assert router.resolve(ACCOUNT, REGION, "subnet-a", "198.51.7.1").target_id == "tgw-1"  # /16
    assert router.resolve(ACCOUNT, REGION, "subnet-a", "8.8.8.8").target_id == "nat-a"  # default
    unknown = snap.model_copy(update={"prefix_lists": ()})
    match = router_for(unknown).resolve(ACCOUNT, REGION, "subnet-a", "198.51.100.9")
    assert (match.target_id, match.unknown_prefix_lists) == ("tgw-1", ("pl-partner",))


# --------------------------------------------------------------------------- item 3: one EIP per target key


def test_two_private_subnets_of_one_az_need_one_eip_not_two():
    snap = snapshot(
        subnets=(subnet("subnet-a1"), subnet("subnet-a2"), *PUBLIC_SUBNETS),
        route_tables=(rtb("rtb-priv", ("subnet-a1", "subnet-a2"), default(nat_gateway_id="nat-a")), PUBLIC),
        nat_gateways=(nat("nat-a"),),
        functions=(function("pay", ("subnet-a1",)), function("refund", ("subnet-a2",))),
        network_interfaces=(eni("eni-1", "subnet-a1"), eni("eni-2", "subnet-a2")),
        metrics=traffic("nat-a"),
    )
    result = run(snap)
    [scenario] = result.scenarios
    assert scenario.eips_needed == 1
    assert eip_component(scenario).monthly_usd == EIP_MONTH  # not 2 x 3.65 = 7.30
    [plan] = result.plans
    [target] = plan.targets
    assert (target.subnet_id, target.source_subnet_ids) == ("subnet-pub-a", ("subnet-a1", "subnet-a2"))
    assert plan.new_eips_needed == 1
    assert sum("allocate-address --domain vpc --tag" in c for s in plan.steps for c in s.commands) == 1
    assert result.summary.eips_needed == 1


def test_groups_of_two_nats_landing_on_one_key_share_one_eip_and_one_plan():
    """nat-b (in 1b) also serves subnet-a2 in 1a: its function lands where nat-a's does."""
    snap = snapshot(
        subnets=(subnet("subnet-a1"), subnet("subnet-a2"), *PUBLIC_SUBNETS),
        route_tables=(rtb("rtb-a1", ("subnet-a1",), default(nat_gateway_id="nat-a")),
                      rtb("rtb-a2", ("subnet-a2",), default(nat_gateway_id="nat-b")), PUBLIC),
        nat_gateways=(nat("nat-a"), nat("nat-b", subnet_id="subnet-pub-b", az="us-east-1b", ips=("203.0.113.20",))),
        functions=(function("pay", ("subnet-a1",)), function("refund", ("subnet-a2",))),
        network_interfaces=(eni("eni-1", "subnet-a1"), eni("eni-2", "subnet-a2")),
        metrics=(*traffic("nat-a"), *traffic("nat-b")),
    )
    result = run(snap)
    scen = by_nat(result)
    assert (scen["nat-a"].eips_needed, scen["nat-b"].eips_needed) == (1, 0)
    assert eip_component(scen["nat-a"]).monthly_usd == EIP_MONTH
    assert eip_component(scen["nat-b"]).monthly_usd == Decimal("0.00")
    assert "also receive functions from nat-b" in eip_component(scen["nat-a"]).note
    assert scen["nat-a"].plan_id == scen["nat-b"].plan_id == "nat-a+nat-b"
    [plan] = result.plans
    assert plan.nat_gateway_ids == ("nat-a", "nat-b")
    [target] = plan.targets
    assert target.nat_gateway_ids == ("nat-a", "nat-b") and len(target.allocation_ids) == 1


# --------------------------------------------------------------------------- item 4: each function moves once


def two_zonal_nats():
    """One function in two AZs, each AZ's private subnet behind its own zonal NAT gateway."""
    return snapshot(
        subnets=(subnet("subnet-a"), subnet("subnet-b", az="us-east-1b"), *PUBLIC_SUBNETS),
        route_tables=(rtb("rtb-a", ("subnet-a",), default(nat_gateway_id="nat-a")),
                      rtb("rtb-b", ("subnet-b",), default(nat_gateway_id="nat-b")), PUBLIC),
        nat_gateways=(nat("nat-a"), nat("nat-b", subnet_id="subnet-pub-b", az="us-east-1b", ips=("203.0.113.20",))),
        functions=(function("pay", ("subnet-a", "subnet-b")),),
        network_interfaces=(eni("eni-a", "subnet-a"), eni("eni-b", "subnet-b", az="us-east-1b")),
        metrics=(*traffic("nat-a"), *traffic("nat-b")),
    )


@pytest.mark.parametrize("settings", [Settings(), Settings(reuse_nat_addresses=True)], ids=["no-window", "window"])
def test_a_function_behind_two_zonal_nats_is_moved_once_to_both_targets(settings):
    result = run(two_zonal_nats(), settings)
    [plan] = result.plans
    assert plan.plan_id == "nat-a+nat-b" and plan.nat_gateway_ids == ("nat-a", "nat-b")
    updates = [c for s in plan.steps for c in s.commands if "update-function-configuration" in c]
    assert updates == [
        "aws lambda update-function-configuration --function-name pay "
        "--vpc-config SubnetIds=subnet-pub-a,subnet-pub-b,SecurityGroupIds=sg-1 --region us-east-1"
    ]
    deleted = [c for s in plan.steps for c in s.commands if c.startswith("aws ec2 delete-nat-gateway")]
    assert [c.split()[4] for c in deleted] == ["nat-a", "nat-b"]
    move = next(i for i, s in enumerate(plan.steps) if s.stage == "move")
    guard = next(i for i, s in enumerate(plan.steps) if s.stage == "guard")
    assert guard < move
    assert {s.plan_id for s in result.scenarios} == {"nat-a+nat-b"}


# --------------------------------------------------------------------------- items 7-10: prices, headline, caveats


def test_regional_nat_is_priced_per_active_az_with_its_own_rows():
    from analyzer.models import NatAddress

    regional = nat("nat-r", subnet_id=None, az=None, mode="regional", ips=("198.51.100.1", "198.51.100.2"))
    regional = regional.model_copy(update={"addresses": tuple(
        NatAddress(allocation_id=f"eipalloc-{i}", public_ip=f"198.51.100.{i + 1}", is_primary=True,
                   availability_zone=f"us-east-1{az}")
        for i, az in enumerate("ab")
    )})  # fmt: skip
    snap = snapshot(
        subnets=(subnet("subnet-a"), *PUBLIC_SUBNETS),
        route_tables=(rtb("rtb", ("subnet-a",), default(nat_gateway_id="nat-r")), PUBLIC),
        nat_gateways=(regional,), functions=(function("pay", ("subnet-a",)),),
        network_interfaces=(eni("eni-1", "subnet-a"),), metrics=traffic("nat-r"),
    )
    [scenario] = run(snap).scenarios
    [hours] = [c for c in scenario.components if c.design == "current" and c.name == "NAT gateway hours"]
    assert hours.quantity == Decimal(1460) and hours.price_key == "regional_nat_hour"  # 2 AZs x 730 h
    assert hours.monthly_usd == Decimal("65.70")  # 1460 x 0.045 (the regional row, unverified, = zonal)
    assert "2 active AZ(s) (us-east-1a, us-east-1b)" in hours.note and "unverified" in hours.note
    [gb] = [c for c in scenario.components if c.design == "current" and c.name == "NAT data processing"]
    assert gb.price_key == "regional_nat_gb"


def test_the_headline_separates_the_nat_cost_from_lambda_s_share():
    snap = snapshot(
        subnets=(subnet("subnet-a"), *PUBLIC_SUBNETS),
        route_tables=(rtb("rtb", ("subnet-a",), default(nat_gateway_id="nat-a")), PUBLIC),
        nat_gateways=(nat("nat-a"),), functions=(function("pay", ("subnet-a",)),),
        network_interfaces=(eni("eni-1", "subnet-a"), *(eni(f"eni-ec2-{i}", "subnet-a", ("sg-9",), kind="interface")
                                                        for i in range(3))),
        metrics=(daily("BytesInFromSource", "nat-a", [720 * GIB / 30] * 30),
                 daily("BytesInFromDestination", "nat-a", [0.0] * 30)),
    )
    result = run(snap)
    [s] = result.scenarios
    # 720 GiB x 730/720 over the window = 730.000 GB x 0.045 = 32.85; share 1/4 (eni-share).
    # current = 32.85 hours + 32.85 GB + 3.65 IP = 69.35. What stays: 32.85 + 3/4 x 730 = 547.5 GB -> 24.64 + 3.65.
    assert s.current_monthly_usd == Decimal("69.35")
    assert s.lambda_attributable_monthly_usd == Decimal("69.35") - (NAT_HOURS + Decimal("24.64") + EIP_MONTH)
    assert result.summary.current_monthly_usd == Decimal("69.35")
    assert result.summary.lambda_attributable_monthly_usd == s.lambda_attributable_monthly_usd  # 8.21
    assert s.monthly_savings_usd == s.lambda_attributable_monthly_usd - EIP_MONTH


@pytest.mark.parametrize(("flag", "severity"), [(True, "high"), (False, "medium"), (None, "medium")])
def test_unsupported_pattern_is_stated_on_every_candidate_graded_by_requester_managed(flag, severity):
    snap = snapshot(
        subnets=(subnet("subnet-a"), *PUBLIC_SUBNETS),
        route_tables=(rtb("rtb", ("subnet-a",), default(nat_gateway_id="nat-a")), PUBLIC),
        nat_gateways=(nat("nat-a"),), functions=(function("pay", ("subnet-a",)),),
        network_interfaces=(eni("eni-1", "subnet-a").model_copy(update={"requester_managed": flag}),),
    )
    [f] = [f for f in run(snap).findings if f.rule_id == "unsupported-pattern"]
    assert f.severity == severity and f.resource_ids == ("nat-a", "eni-1")
    assert f.evidence["requester_managed_eni_ids"] == (["eni-1"] if flag else [])
    assert "non-production" in f.message and "requester-managed" in f.message
    assert any("requester-managed-eni" in r for r in f.references)


def test_port_capacity_is_flagged_with_its_evidence():
    snap = snapshot(
        subnets=(subnet("subnet-a"), *PUBLIC_SUBNETS),
        route_tables=(rtb("rtb", ("subnet-a",), default(nat_gateway_id="nat-a")), PUBLIC),
        nat_gateways=(nat("nat-a", ips=("203.0.113.10", "203.0.113.11")),),
        functions=(function("pay", ("subnet-a",)),), network_interfaces=(eni("eni-1", "subnet-a"),),
        metrics=(*traffic("nat-a"), daily("ErrorPortAllocation", "nat-a", [0.0] * 29 + [42.0]),
                 daily("ActiveConnectionCount", "nat-a", [30_000.0] * 30, stat="Maximum")),
    )
    [f] = [f for f in run(snap).findings if f.rule_id == "nat-port-capacity"]
    assert f.severity == "high"
    assert (f.evidence["error_port_allocation"], f.evidence["nat_addresses"], f.evidence["target_enis"]) == (42, 2, 1)
    assert f.evidence["connections_per_target_eni"] == 30_000


def test_dual_stack_function_gets_an_ipv6_prerequisite_and_a_warning():
    fn = function("pay", ("subnet-a",)).model_copy(update={"ipv6_allowed_for_dual_stack": True})
    dual = subnet("subnet-a").model_copy(update={"ipv6_cidr_blocks": ("2600:1f18::/64",)})
    table = rtb("rtb", ("subnet-a",), default(nat_gateway_id="nat-a"),
                Route(destination_ipv6_cidr_block="::/0", egress_only_internet_gateway_id="eigw-1"))
    snap = snapshot(subnets=(dual, *PUBLIC_SUBNETS), route_tables=(table, PUBLIC), nat_gateways=(nat("nat-a"),),
                    functions=(fn,), network_interfaces=(eni("eni-1", "subnet-a"),))
    result = run(snap)
    [f] = [f for f in result.findings if f.rule_id == "ipv6-egress"]
    assert f.severity == "medium"
    assert f.evidence == {"function_arn": fn.arn, "ipv6_egress_subnet_ids": ["subnet-a"],
                          "target_subnets_without_ipv6": ["subnet-pub-a"]}
    [plan] = result.plans
    [step] = [s for s in plan.steps if "IPv6 CIDR" in s.title]
    assert step.commands == ("aws ec2 associate-subnet-cidr-block --subnet-id subnet-pub-a --ipv6-cidr-block "
                             "'<a-free-64-of-the-vpc-ipv6-range>' --region us-east-1",)
    assert next(i for i, s in enumerate(plan.steps) if s is step) < next(
        i for i, s in enumerate(plan.steps) if s.stage == "move")


# --------------------------------------------------------------------------- verdicts (issue 10, on issue 7's inputs)


def test_verdicts_follow_the_threshold_and_the_downtime_choice():
    from analyzer.pipeline import demo_snapshot

    def verdicts(settings):
        result = analyze(demo_snapshot(), load_price_book(), settings=settings, today=date(2026, 11, 1))
        names = {n.nat_gateway_id: n.name for n in result.nat_gateways}
        return {names[s.nat_gateway_id]: (s.verdict, s.verdict_reasons) for s in result.scenarios}

    # data-lake-nat-a saves $44.20: under a $50 bar it is not worth it, whatever its risks.
    assert verdicts(Settings(min_savings_usd=Decimal(50)))["data-lake-nat-a"] == (
        "not-worth-it", ("min_savings_usd=50",))
    # Reusing payments-core-nat-a's primary address means a window: "go" becomes "go with guard".
    assert verdicts(Settings())["payments-core-nat-a"] == ("go", ())
    assert verdicts(Settings(reuse_nat_addresses=True))["payments-core-nat-a"] == (
        "go-with-guard", ("window_minutes=10",))


def test_min_savings_is_checked_before_anything_runs(tmp_path, monkeypatch, capsys):
    import sys

    from analyzer import cli

    monkeypatch.setattr(sys, "argv", ["lambda-egress", "demo", "--out", str(tmp_path / "d"), "--min-savings", "-1"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 2
    assert "--min-savings must be a dollar amount of 0 or more" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()
