"""enis.py: which ENIs the snapshot keeps (one region-wide ENI call, filtered here)."""

from __future__ import annotations

from moto_seed import client, seed_estate

from analyzer.collect.context import UnitContext
from analyzer.collect.enis import select_enis
from analyzer.collect.network import collect_network
from analyzer.models import NatGateway, NetworkInterface, Route, RouteTable, Subnet

A, R = "123456789012", "us-east-1"


def eni(eni_id: str, subnet: str, kind: str = "interface", vpc: str = "vpc-1") -> NetworkInterface:
    return NetworkInterface(account_id=A, region=R, network_interface_id=eni_id, subnet_id=subnet, vpc_id=vpc,
                            interface_type=kind)


def test_main_table_routes_unassociated_subnets_to_the_nat() -> None:
    subnets = [Subnet(account_id=A, region=R, subnet_id=s, vpc_id="vpc-1", availability_zone="us-east-1a")
               for s in ("subnet-main", "subnet-pub", "subnet-own")]
    tables = [
        RouteTable(account_id=A, region=R, route_table_id="rtb-main", vpc_id="vpc-1", is_main=True,
                   routes=(Route(destination_cidr_block="0.0.0.0/0", nat_gateway_id="nat-1"),)),
        RouteTable(account_id=A, region=R, route_table_id="rtb-pub", vpc_id="vpc-1", subnet_ids=("subnet-pub",),
                   routes=(Route(destination_cidr_block="0.0.0.0/0", gateway_id="igw-1"),)),
    ]
    nats = [NatGateway(account_id=A, region=R, nat_gateway_id="nat-1", vpc_id="vpc-1", subnet_id="subnet-pub",
                       network_interface_ids=("eni-nat",))]
    enis = [eni("eni-ec2-main", "subnet-main"), eni("eni-ec2-pub", "subnet-pub"), eni("eni-nat", "subnet-pub"),
            eni("eni-lambda-pub", "subnet-pub", "lambda"), eni("eni-other-vpc", "subnet-z", vpc="vpc-2")]

    kept = [e.network_interface_id for e in select_enis(enis, nats, tables, subnets)]
    # EC2 ENI behind the NAT (via the main table), the NAT's own ENI, the Lambda ENI; not the public EC2 ENI.
    assert kept == ["eni-ec2-main", "eni-nat", "eni-lambda-pub"]


def test_a_partner_route_to_the_nat_keeps_the_subnet_s_enis() -> None:
    """A subnet whose default route goes to a transit gateway but sends 198.51.100.0/24 to the NAT uses it."""
    subnets = [Subnet(account_id=A, region=R, subnet_id="subnet-tgw", vpc_id="vpc-1", availability_zone="us-east-1a")]
    tables = [RouteTable(account_id=A, region=R, route_table_id="rtb-tgw", vpc_id="vpc-1", subnet_ids=("subnet-tgw",),
                         routes=(Route(destination_cidr_block="0.0.0.0/0", transit_gateway_id="tgw-1"),
                                 Route(destination_cidr_block="198.51.100.0/24", nat_gateway_id="nat-1")))]
    nats = [NatGateway(account_id=A, region=R, nat_gateway_id="nat-1", vpc_id="vpc-1")]
    kept = [e.network_interface_id for e in select_enis([eni("eni-ec2", "subnet-tgw")], nats, tables, subnets)]
    assert kept == ["eni-ec2"]


def test_unknown_routing_keeps_every_eni_in_nat_vpcs() -> None:
    nats = [NatGateway(account_id=A, region=R, nat_gateway_id="nat-1", vpc_id="vpc-1")]
    enis = [eni("eni-a", "subnet-a"), eni("eni-b", "subnet-b", vpc="vpc-2"),
            eni("eni-l", "subnet-c", "lambda", "vpc-3")]
    kept = [e.network_interface_id for e in select_enis(enis, nats, None, None)]
    assert kept == ["eni-a", "eni-l"]


def test_moto_estate_keeps_ec2_consumer_and_drops_unrelated(ctx: UnitContext) -> None:
    estate = seed_estate(R, other_consumer=True)
    ec2 = client("ec2", R)
    stray = ec2.create_network_interface(SubnetId=estate.public_subnet)["NetworkInterface"]["NetworkInterfaceId"]
    net = collect_network(ctx)

    kept = {e.network_interface_id for e in select_enis(net.network_interfaces or [], net.nat_gateways,
                                                        net.route_tables, net.subnets)}

    assert kept == {estate.enis["ec2"], estate.nat_eni, estate.enis["private"], estate.enis["webhook"],
                    estate.enis["poller"]}
    assert stray not in kept
