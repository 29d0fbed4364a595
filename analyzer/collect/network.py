"""VPCs, subnets, route tables, NAT gateways, ENIs, Elastic IPs, gateways, endpoints.

One paginated call per resource type per region, never one per subnet or per
NAT: the call count grows with pages, not with resources. Each ``to_*``
function translates one API item into its snapshot record and is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analyzer.collect.context import UnitContext
from analyzer.models import (
    ElasticIp,
    InternetGateway,
    NatAddress,
    NatGateway,
    NetworkInterface,
    Route,
    RouteTable,
    Subnet,
    Vpc,
    VpcEndpoint,
)

# MaxResults per page: the largest each API accepts, so pages (and calls) are few.
PAGE = 1000
ROUTE_TABLE_PAGE = 100
IGNORED_NAT_STATES = frozenset({"deleted", "failed"})  # neither routes nor bills
IGNORED_ENDPOINT_STATES = frozenset({"deleted", "failed", "rejected", "expired"})


def tag_name(tags: list[dict[str, str]] | None) -> str | None:
    for tag in tags or []:
        if tag.get("Key") == "Name":
            return tag.get("Value")
    return None


def to_vpc(ctx: UnitContext, item: dict[str, Any]) -> Vpc:
    return Vpc(
        account_id=ctx.account_id,
        region=ctx.region,
        vpc_id=item["VpcId"],
        cidr_block=item.get("CidrBlock"),
        is_default=bool(item.get("IsDefault", False)),
        name=tag_name(item.get("Tags")),
    )


def to_subnet(ctx: UnitContext, item: dict[str, Any]) -> Subnet:
    ipv6 = tuple(
        a["Ipv6CidrBlock"]
        for a in item.get("Ipv6CidrBlockAssociationSet", [])
        if a.get("Ipv6CidrBlockState", {}).get("State", "associated") == "associated"
    )
    return Subnet(
        account_id=ctx.account_id,
        region=ctx.region,
        subnet_id=item["SubnetId"],
        vpc_id=item["VpcId"],
        availability_zone=item["AvailabilityZone"],
        availability_zone_id=item.get("AvailabilityZoneId"),
        cidr_block=item.get("CidrBlock"),
        ipv6_cidr_blocks=ipv6,
        map_public_ip_on_launch=bool(item.get("MapPublicIpOnLaunch", False)),
        available_ip_address_count=item.get("AvailableIpAddressCount"),
        name=tag_name(item.get("Tags")),
    )


def to_route(item: dict[str, Any]) -> Route:
    return Route(
        destination_cidr_block=item.get("DestinationCidrBlock"),
        destination_ipv6_cidr_block=item.get("DestinationIpv6CidrBlock"),
        destination_prefix_list_id=item.get("DestinationPrefixListId"),
        gateway_id=item.get("GatewayId"),
        nat_gateway_id=item.get("NatGatewayId"),
        transit_gateway_id=item.get("TransitGatewayId"),
        vpc_peering_connection_id=item.get("VpcPeeringConnectionId"),
        network_interface_id=item.get("NetworkInterfaceId"),
        instance_id=item.get("InstanceId"),
        egress_only_internet_gateway_id=item.get("EgressOnlyInternetGatewayId"),
        state=item.get("State", "active"),
    )


def to_route_table(ctx: UnitContext, item: dict[str, Any]) -> RouteTable:
    associations = item.get("Associations", [])
    return RouteTable(
        account_id=ctx.account_id,
        region=ctx.region,
        route_table_id=item["RouteTableId"],
        vpc_id=item["VpcId"],
        is_main=any(a.get("Main") for a in associations),
        subnet_ids=tuple(sorted(a["SubnetId"] for a in associations if a.get("SubnetId"))),
        routes=tuple(to_route(r) for r in item.get("Routes", [])),
        name=tag_name(item.get("Tags")),
    )


def to_nat_address(item: dict[str, Any]) -> NatAddress:
    return NatAddress(
        allocation_id=item.get("AllocationId"),
        public_ip=item.get("PublicIp"),
        private_ip=item.get("PrivateIp"),
        network_interface_id=item.get("NetworkInterfaceId"),
        association_id=item.get("AssociationId"),
        is_primary=bool(item.get("IsPrimary", False)),
        status=item.get("Status") or "succeeded",
        availability_zone=item.get("AvailabilityZone"),
    )


def _state(value: Any) -> str | None:
    """AutoProvisionZones / AutoScalingIps ("enabled" | "disabled"); None when absent."""
    return str(value).lower() if value else None


def to_nat_gateway(ctx: UnitContext, item: dict[str, Any], subnet_az: dict[str, str]) -> NatGateway:
    """Regional gateways (``AvailabilityMode`` "regional") have no subnet; a missing key means zonal.

    ``public_ips`` / ``allocation_ids`` / ``private_ips`` hold only the addresses
    in service (Status "succeeded", or no Status): one being associated or
    disassociated is neither reusable nor what the partner sees. ``addresses``
    keeps every entry with its status.
    """
    regional = str(item.get("AvailabilityMode", "zonal")).lower() == "regional"
    subnet_id = None if regional else item.get("SubnetId")
    raw = item.get("NatGatewayAddresses", [])
    addresses = tuple(to_nat_address(a) for a in raw)
    live = [a for a in raw if (a.get("Status") or "succeeded") == "succeeded"]

    def pick(key: str, entries: list[dict[str, Any]] = live) -> tuple[str, ...]:
        return tuple(a[key] for a in entries if a.get(key))

    return NatGateway(
        account_id=ctx.account_id,
        region=ctx.region,
        nat_gateway_id=item["NatGatewayId"],
        vpc_id=item["VpcId"],
        subnet_id=subnet_id,
        availability_zone=subnet_az.get(subnet_id) if subnet_id else None,
        availability_mode="regional" if regional else "zonal",
        connectivity_type="private" if item.get("ConnectivityType") == "private" else "public",
        state=item.get("State", "available"),
        public_ips=pick("PublicIp"),
        private_ips=pick("PrivateIp"),
        allocation_ids=pick("AllocationId"),
        network_interface_ids=tuple(dict.fromkeys(pick("NetworkInterfaceId", raw))),
        addresses=addresses,
        auto_provision_zones=_state(item.get("AutoProvisionZones")) if regional else None,
        auto_scaling_ips=_state(item.get("AutoScalingIps")) if regional else None,
        name=tag_name(item.get("Tags")),
    )


def to_network_interface(ctx: UnitContext, item: dict[str, Any]) -> NetworkInterface:
    association = item.get("Association") or {}
    return NetworkInterface(
        account_id=ctx.account_id,
        region=ctx.region,
        network_interface_id=item["NetworkInterfaceId"],
        vpc_id=item.get("VpcId"),
        subnet_id=item.get("SubnetId"),
        availability_zone=item.get("AvailabilityZone"),
        interface_type=item.get("InterfaceType") or "interface",
        description=item.get("Description") or "",
        security_group_ids=tuple(sorted(g["GroupId"] for g in item.get("Groups", []))),
        private_ip=item.get("PrivateIpAddress"),
        public_ip=association.get("PublicIp"),
        allocation_id=association.get("AllocationId"),
        status=item.get("Status", "in-use"),
        requester_managed=item.get("RequesterManaged"),
    )


def to_elastic_ip(ctx: UnitContext, item: dict[str, Any]) -> ElasticIp:
    return ElasticIp(
        account_id=ctx.account_id,
        region=ctx.region,
        allocation_id=item["AllocationId"],
        public_ip=item["PublicIp"],
        association_id=item.get("AssociationId"),
        network_interface_id=item.get("NetworkInterfaceId"),
        private_ip=item.get("PrivateIpAddress"),
        name=tag_name(item.get("Tags")),
    )


def to_internet_gateway(ctx: UnitContext, item: dict[str, Any]) -> InternetGateway:
    return InternetGateway(
        account_id=ctx.account_id,
        region=ctx.region,
        internet_gateway_id=item["InternetGatewayId"],
        vpc_ids=tuple(sorted(a["VpcId"] for a in item.get("Attachments", []) if a.get("VpcId"))),
    )


def to_vpc_endpoint(ctx: UnitContext, item: dict[str, Any]) -> VpcEndpoint:
    return VpcEndpoint(
        account_id=ctx.account_id,
        region=ctx.region,
        vpc_endpoint_id=item["VpcEndpointId"],
        vpc_id=item["VpcId"],
        service_name=item["ServiceName"],
        endpoint_type=item.get("VpcEndpointType", "Gateway"),
        route_table_ids=tuple(sorted(item.get("RouteTableIds", []))),
        state=str(item.get("State", "available")).lower(),
    )


@dataclass(frozen=True)
class NetworkRecords:
    """A region's network; a field is ``None`` when its call failed (unknown, not empty)."""

    vpcs: list[Vpc] | None
    subnets: list[Subnet] | None
    route_tables: list[RouteTable] | None
    nat_gateways: list[NatGateway] | None
    network_interfaces: list[NetworkInterface] | None  # all of them; see enis.select_enis
    elastic_ips: list[ElasticIp] | None
    internet_gateways: list[InternetGateway] | None
    vpc_endpoints: list[VpcEndpoint] | None


def _each(items: list[dict[str, Any]] | None, build: Any) -> list[Any] | None:
    return None if items is None else [build(item) for item in items]


def collect_network(ctx: UnitContext) -> NetworkRecords:
    """One paginated call per resource type (DescribeAddresses has no pagination)."""
    vpcs = _each(ctx.paginate("ec2", "DescribeVpcs", "Vpcs", PAGE), lambda i: to_vpc(ctx, i))
    subnets = _each(ctx.paginate("ec2", "DescribeSubnets", "Subnets", PAGE), lambda i: to_subnet(ctx, i))
    tables = ctx.paginate("ec2", "DescribeRouteTables", "RouteTables", ROUTE_TABLE_PAGE)
    nats = ctx.paginate("ec2", "DescribeNatGateways", "NatGateways", PAGE)
    enis = ctx.paginate("ec2", "DescribeNetworkInterfaces", "NetworkInterfaces", PAGE)
    addresses = ctx.call("ec2", "DescribeAddresses")
    igws = ctx.paginate("ec2", "DescribeInternetGateways", "InternetGateways", PAGE)
    endpoints = ctx.paginate("ec2", "DescribeVpcEndpoints", "VpcEndpoints", PAGE)

    subnet_az = {s.subnet_id: s.availability_zone for s in subnets or []}
    live_nats = None if nats is None else [n for n in nats if n.get("State") not in IGNORED_NAT_STATES]
    gateway_endpoints = None
    if endpoints is not None:
        gateway_endpoints = [
            e
            for e in endpoints
            if e.get("VpcEndpointType", "Gateway") == "Gateway"
            and str(e.get("State", "available")).lower() not in IGNORED_ENDPOINT_STATES
        ]
    return NetworkRecords(
        vpcs=vpcs,
        subnets=subnets,
        route_tables=_each(tables, lambda i: to_route_table(ctx, i)),
        nat_gateways=_each(live_nats, lambda i: to_nat_gateway(ctx, i, subnet_az)),
        network_interfaces=_each(enis, lambda i: to_network_interface(ctx, i)),
        elastic_ips=_each(
            None if addresses is None else [a for a in addresses.get("Addresses", []) if a.get("AllocationId")],
            lambda i: to_elastic_ip(ctx, i),
        ),
        internet_gateways=_each(igws, lambda i: to_internet_gateway(ctx, i)),
        vpc_endpoints=_each(gateway_endpoints, lambda i: to_vpc_endpoint(ctx, i)),
    )
