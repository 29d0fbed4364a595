"""network.py under moto: every record type translated from real-shaped API items."""

from __future__ import annotations

from moto_seed import client, seed_estate

from analyzer.collect.context import UnitContext
from analyzer.collect.network import collect_network, place_nats, to_nat_gateway, to_network_interface
from analyzer.models import Subnet


def test_collect_network_translates_the_estate(ctx: UnitContext) -> None:
    estate = seed_estate("us-east-1")
    net = collect_network(ctx)

    assert net.subnets is not None and net.route_tables is not None and net.nat_gateways is not None
    subnets = {s.subnet_id: s for s in net.subnets}
    assert subnets[estate.private_subnet].vpc_id == estate.vpc_id
    assert subnets[estate.private_subnet].availability_zone == "us-east-1a"
    assert subnets[estate.private_subnet].cidr_block == "10.0.1.0/24"

    private_rt = next(t for t in net.route_tables if estate.private_subnet in t.subnet_ids)
    assert not private_rt.is_main
    assert [r.nat_gateway_id for r in private_rt.routes if r.destination_cidr_block == "0.0.0.0/0"] == [estate.nat_id]
    public_rt = next(t for t in net.route_tables if estate.public_subnet in t.subnet_ids)
    assert [r.gateway_id for r in public_rt.routes if r.destination_cidr_block == "0.0.0.0/0"] == [estate.igw_id]
    main = [t for t in net.route_tables if t.vpc_id == estate.vpc_id and t.is_main]
    assert len(main) == 1 and main[0].subnet_ids == ()

    [nat] = [n for n in net.nat_gateways if n.vpc_id == estate.vpc_id]
    assert nat.nat_gateway_id == estate.nat_id
    assert nat.subnet_id == estate.public_subnet
    assert nat.availability_zone == "us-east-1a"  # from the subnet, not the NAT item
    assert nat.availability_mode == "zonal"
    assert nat.public_ips == (estate.nat_public_ip,)
    assert nat.network_interface_ids == (estate.nat_eni,)

    enis = {e.network_interface_id: e for e in net.network_interfaces or []}
    webhook = enis[estate.enis["webhook"]]
    assert webhook.interface_type == "lambda"
    assert webhook.public_ip == estate.webhook_eip and webhook.allocation_id
    assert webhook.security_group_ids == (estate.sg_web,)
    assert webhook.description.startswith("AWS Lambda VPC ENI")
    assert enis[estate.enis["poller"]].public_ip is None

    eips = {e.public_ip: e for e in net.elastic_ips or []}
    assert eips[estate.webhook_eip].network_interface_id == estate.enis["webhook"]
    assert estate.nat_public_ip in eips
    assert [g.vpc_ids for g in net.internet_gateways or [] if g.internet_gateway_id == estate.igw_id] == [
        (estate.vpc_id,)
    ]
    assert net.vpcs is not None and estate.vpc_id in {v.vpc_id for v in net.vpcs}


def test_deleted_nat_ignored_and_gateway_endpoints_only(ctx: UnitContext) -> None:
    estate = seed_estate("us-east-1")
    ec2 = client("ec2", "us-east-1")
    ec2.delete_nat_gateway(NatGatewayId=estate.nat_id)  # moto marks it "deleted" at once
    rt = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [estate.private_subnet]}])
    rt_id = rt["RouteTables"][0]["RouteTableId"]
    s3 = ec2.create_vpc_endpoint(
        VpcId=estate.vpc_id, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway", RouteTableIds=[rt_id]
    )["VpcEndpoint"]["VpcEndpointId"]
    ec2.create_vpc_endpoint(
        VpcId=estate.vpc_id, ServiceName="com.amazonaws.us-east-1.sqs", VpcEndpointType="Interface",
        SubnetIds=[estate.private_subnet],
    )

    net = collect_network(ctx)

    assert net.nat_gateways == []
    assert [(e.vpc_endpoint_id, e.service_name, e.route_table_ids, e.state) for e in net.vpc_endpoints or []] == [
        (s3, "com.amazonaws.us-east-1.s3", (rt_id,), "available")
    ]


def test_regional_nat_has_no_subnet_or_az() -> None:
    # moto cannot create regional NAT gateways: this item is shaped like a real
    # DescribeNatGateways answer for one (AvailabilityMode "regional", no SubnetId).
    where = UnitContext(account_id="123456789012", region="us-east-1", clients=None)  # type: ignore[arg-type]
    item = {
        "NatGatewayId": "nat-0regional",
        "VpcId": "vpc-1",
        "State": "available",
        "ConnectivityType": "public",
        "AvailabilityMode": "regional",
        "NatGatewayAddresses": [
            {"AllocationId": "eipalloc-1", "PublicIp": "198.18.0.1", "PrivateIp": "10.0.0.5",
             "NetworkInterfaceId": "eni-1", "AvailabilityZone": "us-east-1a"},
            {"AllocationId": "eipalloc-2", "PublicIp": "198.18.0.2", "PrivateIp": "10.0.1.5",
             "NetworkInterfaceId": "eni-2", "AvailabilityZone": "us-east-1b"},
        ],
        "Tags": [{"Key": "Name", "Value": "egress"}],
    }
    subnet = Subnet(account_id="123456789012", region="eu-west-1", subnet_id="subnet-x", vpc_id="vpc-1",
                    availability_zone="us-east-1a")
    [nat] = place_nats([to_nat_gateway(where, item)], [subnet])
    assert (nat.availability_mode, nat.subnet_id, nat.availability_zone) == ("regional", None, None)
    assert nat.public_ips == ("198.18.0.1", "198.18.0.2")
    assert nat.allocation_ids == ("eipalloc-1", "eipalloc-2")
    assert nat.network_interface_ids == ("eni-1", "eni-2")
    assert nat.name == "egress"
    older = {k: v for k, v in item.items() if k != "AvailabilityMode"} | {"SubnetId": "subnet-x"}
    [zonal] = place_nats([to_nat_gateway(where, older)], [subnet])  # no AvailabilityMode key: zonal
    assert (zonal.availability_mode, zonal.subnet_id, zonal.availability_zone) == ("zonal", "subnet-x", "us-east-1a")


def test_eni_without_association_or_groups() -> None:
    where = UnitContext(account_id="123456789012", region="eu-west-1", clients=None)  # type: ignore[arg-type]
    eni = to_network_interface(where, {"NetworkInterfaceId": "eni-9", "SubnetId": "subnet-1", "Status": "available"})
    assert (eni.interface_type, eni.public_ip, eni.security_group_ids) == ("interface", None, ())
    assert eni.status == "available"
