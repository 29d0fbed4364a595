"""Egress paths, ENI groups and NAT consumers on hand-built snapshots."""

from __future__ import annotations

from builders import eni, function, nat, snapshot, subnet, table

from analyzer.topology import build_topology


def _by_name(topology):
    return {f.name: f for f in topology.functions}


def test_explicit_association_wins_over_main_table():
    snap = snapshot(
        subnets=(subnet("subnet-priv-a"),),
        route_tables=(
            table("rtb-main", main=True, igw="igw-1"),
            table("rtb-priv", subnets=("subnet-priv-a",), nat="nat-a"),
        ),
        nat_gateways=(nat("nat-a"),),
        functions=(function("fn", ("subnet-priv-a",)),),
        network_interfaces=(eni("eni-l1", "subnet-priv-a"),),
    )
    fn = _by_name(build_topology(snap))["fn"]
    assert fn.egress == "nat"
    assert fn.nat_gateway_ids == ("nat-a",)
    assert fn.eni_ids == ("eni-l1",)
    assert fn.paths[0].route_table_id == "rtb-priv"
    assert fn.paths[0].route_table_source == "explicit"


def test_subnet_without_association_falls_back_to_main_table():
    snap = snapshot(
        subnets=(subnet("subnet-x"),),
        route_tables=(table("rtb-main", main=True, nat="nat-a"), table("rtb-other", subnets=("subnet-y",))),
        nat_gateways=(nat("nat-a"),),
        functions=(function("fn", ("subnet-x",)),),
    )
    fn = _by_name(build_topology(snap))["fn"]
    assert fn.paths[0].route_table_id == "rtb-main"
    assert fn.paths[0].route_table_source == "main"
    assert fn.egress == "nat"


def test_igw_route_with_and_without_public_ip_on_the_eni():
    snap = snapshot(
        subnets=(subnet("subnet-pub-a"), subnet("subnet-pub-b", az="us-east-1b")),
        route_tables=(table("rtb-pub", subnets=("subnet-pub-a", "subnet-pub-b"), igw="igw-1"),),
        functions=(
            function("with-eip", ("subnet-pub-a",), sgs=("sg-1",)),
            function("without", ("subnet-pub-b",), sgs=("sg-2",)),
        ),
        network_interfaces=(
            eni("eni-1", "subnet-pub-a", ("sg-1",), public_ip="198.51.100.7"),
            eni("eni-2", "subnet-pub-b", ("sg-2",), az="us-east-1b"),
        ),
    )
    topo = build_topology(snap)
    fns = _by_name(topo)
    assert fns["with-eip"].egress == "igw-eip"
    assert fns["without"].egress == "igw-no-public-ip"
    groups = {g.subnet_id: g for g in topo.eni_groups}
    assert groups["subnet-pub-a"].public_ips == ("198.51.100.7",)
    assert groups["subnet-pub-b"].public_ips == ()


def test_public_subnet_with_no_eni_counts_as_no_public_ip():
    # An Inactive function's ENI was reclaimed: when it comes back it has no EIP.
    snap = snapshot(
        subnets=(subnet("subnet-pub-a"),),
        route_tables=(table("rtb-pub", subnets=("subnet-pub-a",), igw="igw-1"),),
        functions=(function("sleepy", ("subnet-pub-a",), state="Inactive"),),
    )
    assert _by_name(build_topology(snap))["sleepy"].egress == "igw-no-public-ip"


def test_no_default_route_is_none_and_transit_gateway_is_unknown():
    snap = snapshot(
        subnets=(subnet("subnet-iso"), subnet("subnet-tgw")),
        route_tables=(
            table("rtb-iso", subnets=("subnet-iso",)),
            table("rtb-tgw", subnets=("subnet-tgw",), tgw="tgw-1"),
        ),
        functions=(function("isolated", ("subnet-iso",)), function("via-tgw", ("subnet-tgw",), sgs=("sg-9",))),
    )
    fns = _by_name(build_topology(snap))
    assert fns["isolated"].egress == "none"
    assert fns["via-tgw"].egress == "unknown"
    assert fns["via-tgw"].paths[0].target_type == "transit-gateway"
    assert fns["via-tgw"].paths[0].target_id == "tgw-1"


def test_missing_route_table_is_unknown_not_a_crash():
    snap = snapshot(subnets=(subnet("subnet-x"),), functions=(function("fn", ("subnet-x",)),))
    fn = _by_name(build_topology(snap))["fn"]
    assert fn.egress == "unknown"
    assert fn.paths[0].route_table_source == "missing"


def test_regional_nat_gateway_without_subnet_or_az():
    snap = snapshot(
        subnets=(subnet("subnet-a"), subnet("subnet-b", az="us-east-1b")),
        route_tables=(table("rtb-priv", subnets=("subnet-a", "subnet-b"), nat="nat-r"),),
        nat_gateways=(nat("nat-r", subnet_id=None, az=None, mode="regional"),),
        functions=(function("fn", ("subnet-a", "subnet-b")),),
        network_interfaces=(eni("eni-a", "subnet-a"), eni("eni-b", "subnet-b", az="us-east-1b")),
    )
    topo = build_topology(snap)
    (view,) = topo.nats
    assert view.availability_mode == "regional"
    assert view.availability_zone is None
    assert view.cross_az_subnet_ids == ()  # a regional NAT has no home AZ
    assert view.routed_subnet_ids == ("subnet-a", "subnet-b")
    assert view.eips_needed == 2  # two ENI groups (one per subnet), one ENI each


def test_shared_groups_other_consumers_and_cross_az():
    snap = snapshot(
        subnets=(subnet("subnet-a"), subnet("subnet-b", az="us-east-1b"), subnet("subnet-pub-a")),
        route_tables=(
            table("rtb-priv", subnets=("subnet-a", "subnet-b"), nat="nat-a"),
            table("rtb-pub", subnets=("subnet-pub-a",), igw="igw-1"),
        ),
        nat_gateways=(nat("nat-a"),),
        functions=(
            function("f1", ("subnet-a",)),
            function("f2", ("subnet-a",)),
            function("f3", ("subnet-b",), sgs=("sg-2", "sg-1")),
        ),
        network_interfaces=(
            eni("eni-l1", "subnet-a"),
            eni("eni-l2", "subnet-a"),  # the group scaled out to a second ENI
            eni("eni-l3", "subnet-b", ("sg-1", "sg-2"), az="us-east-1b"),
            eni("eni-ec2", "subnet-b", ("sg-7",), kind="interface", az="us-east-1b"),
            eni("eni-nat-a", "subnet-pub-a", kind="nat_gateway"),  # the NAT's own ENI is not a consumer
        ),
    )
    topo = build_topology(snap)
    groups = {(g.subnet_id, g.security_group_ids): g for g in topo.eni_groups}
    shared = groups[("subnet-a", ("sg-1",))]
    assert shared.function_arns == tuple(sorted(f.arn for f in snap.functions[:2]))
    assert shared.eni_ids == ("eni-l1", "eni-l2")
    assert groups[("subnet-b", ("sg-1", "sg-2"))].eni_ids == ("eni-l3",)  # SG order does not matter
    (view,) = topo.nats
    assert view.other_consumer_eni_ids == ("eni-ec2",)
    assert not view.removable
    assert view.cross_az_subnet_ids == ("subnet-b",)
    assert view.lambda_eni_ids == ("eni-l1", "eni-l2", "eni-l3")
    assert view.eips_needed == 2 + 1  # subnet-a group has 2 ENIs, subnet-b group 1
    assert topo.vpc_gateway_endpoints == {"123456789012/us-east-1/vpc-0aaa": ()}
