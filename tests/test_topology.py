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


def test_private_nat_and_blackhole_routes_mean_no_internet_egress():
    from analyzer.models import Route

    private = nat("nat-p").model_copy(update={"connectivity_type": "private"})
    dead = table("rtb-dead", subnets=("subnet-dead",)).model_copy(
        update={"routes": (Route(destination_cidr_block="0.0.0.0/0", nat_gateway_id="nat-gone", state="blackhole"),)}
    )
    snap = snapshot(
        subnets=(subnet("subnet-p"), subnet("subnet-dead")),
        route_tables=(table("rtb-p", subnets=("subnet-p",), nat="nat-p"), dead),
        nat_gateways=(private,),
        functions=(function("to-onprem", ("subnet-p",)), function("orphaned", ("subnet-dead",), sgs=("sg-2",))),
    )
    topo = build_topology(snap)
    fns = _by_name(topo)
    assert fns["to-onprem"].egress == "none"
    assert fns["to-onprem"].paths[0].target_type == "private-nat"
    assert fns["orphaned"].egress == "none"
    (view,) = topo.nats
    assert view.function_arns == ()  # a private NAT is never a migration candidate


def test_what_counts_as_another_nat_consumer():
    snap = snapshot(
        subnets=(subnet("subnet-a"),),
        route_tables=(table("rtb", subnets=("subnet-a",), nat="nat-a"),),
        nat_gateways=(nat("nat-a"),),
        functions=(function("fn", ("subnet-a",)),),
        network_interfaces=(
            eni("eni-l1", "subnet-a"),
            eni("eni-vpce", "subnet-a", ("sg-e",), kind="vpc_endpoint"),  # interface endpoint: never via NAT
            eni("eni-nlb", "subnet-a", ("sg-n",), kind="network_load_balancer"),
            eni("eni-spare", "subnet-a", ("sg-x",), kind="interface").model_copy(update={"status": "available"}),
            eni("eni-old-version", "subnet-a", ("sg-9",)),  # a Lambda ENI no listed function uses
        ),
    )
    (view,) = build_topology(snap).nats
    assert view.lambda_eni_ids == ("eni-l1",)
    # Only the Lambda ENI of an unlisted function (e.g. a published version behind an alias) keeps the NAT.
    assert view.other_consumer_eni_ids == ("eni-old-version",)
    assert not view.removable


def test_gateway_endpoint_counts_only_on_the_nat_routed_tables():
    from analyzer.models import VpcEndpoint

    def endpoint(service, tables):
        return VpcEndpoint(account_id="123456789012", region="us-east-1", vpc_endpoint_id=f"vpce-{service}",
                           vpc_id="vpc-0aaa", service_name=f"com.amazonaws.us-east-1.{service}",
                           route_table_ids=tables)

    snap = snapshot(
        subnets=(subnet("subnet-a"), subnet("subnet-pub")),
        route_tables=(table("rtb-priv", subnets=("subnet-a",), nat="nat-a"),
                      table("rtb-pub", subnets=("subnet-pub",), igw="igw-1")),
        nat_gateways=(nat("nat-a"),),
        vpc_endpoints=(endpoint("s3", ("rtb-priv",)), endpoint("dynamodb", ("rtb-pub",))),
    )
    assert build_topology(snap).vpc_gateway_endpoints == {"123456789012/us-east-1/vpc-0aaa": ("s3",)}
