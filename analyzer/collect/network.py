"""VPCs, subnets, route tables, NAT gateways, ENIs, Elastic IPs, gateways, endpoints.

One paginated call per resource type per region, never one per subnet or per
NAT: the call count grows with pages, not with resources. The calls run at
once (they do not depend on each other). Each ``to_*``
function translates one API item into its snapshot record and is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analyzer.collect.context import UnitContext
from analyzer.collect.workers import fan_out
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
DESCRIBES_AT_ONCE = 8  # all of them: EC2's Describe* token bucket holds 100 per account and region
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


def to_nat_gateway(ctx: UnitContext, item: dict[str, Any]) -> NatGateway | None:
    """Regional gateways (``AvailabilityMode`` "regional") have no subnet; a missing key means zonal.

    ``None`` for a deleted or failed gateway (it neither routes nor bills).
    ``public_ips`` / ``allocation_ids`` / ``private_ips`` hold only the addresses
    in service (Status "succeeded", or no Status): one being associated or
    disassociated is neither reusable nor what the partner sees. ``addresses``
    keeps every entry with its status. The AZ comes from the subnet (``place_nats``).
    """
    if item.get("State") in IGNORED_NAT_STATES:
        return None
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


def place_nats(nats: list[NatGateway] | None, subnets: list[Subnet] | None) -> list[NatGateway] | None:
    """Each zonal gateway's AZ from its subnet (unknown when the subnets are)."""
    subnet_az = {s.subnet_id: s.availability_zone for s in subnets or []}
    if nats is None:
        return None
    return [n.model_copy(update={"availability_zone": subnet_az.get(n.subnet_id)}) if n.subnet_id else n
            for n in nats]


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


def to_vpc_endpoint(ctx: UnitContext, item: dict[str, Any]) -> VpcEndpoint | None:
    """Gateway endpoints in service only (``None`` for interface endpoints and dead ones)."""
    state = str(item.get("State", "available")).lower()
    if item.get("VpcEndpointType", "Gateway") != "Gateway" or state in IGNORED_ENDPOINT_STATES:
        return None
    return VpcEndpoint(
        account_id=ctx.account_id,
        region=ctx.region,
        vpc_endpoint_id=item["VpcEndpointId"],
        vpc_id=item["VpcId"],
        service_name=item["ServiceName"],
        endpoint_type=item.get("VpcEndpointType", "Gateway"),
        route_table_ids=tuple(sorted(item.get("RouteTableIds", []))),
        state=state,
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


def check_nat_routes(ctx: UnitContext, tables: list[RouteTable] | None, nats: list[NatGateway] | None) -> None:
    """An active route to a NAT gateway the region did not list is a gap, not a detail.

    AWS turns a route to a deleted gateway into a ``blackhole`` one, which is
    normal and accepted; an ``active`` route whose gateway is missing means one
    of the two answers is incomplete.
    """
    if tables is None or nats is None:
        return
    known = {n.nat_gateway_id for n in nats}
    missing = sorted({(t.route_table_id, r.nat_gateway_id) for t in tables for r in t.routes
                      if r.nat_gateway_id and r.state == "active" and r.nat_gateway_id not in known})
    if missing:
        shown = ", ".join(f"{table} -> {nat}" for table, nat in missing[:5])
        ctx.add_error("DescribeRouteTables", "RouteToUnknownNat",
                      f"{len(missing)} active route(s) to a NAT gateway DescribeNatGateways did not list: {shown}")


def collect_network(ctx: UnitContext) -> NetworkRecords:
    """One paginated call per resource type (DescribeAddresses has no pagination), all at once.

    ``IncludeManagedResources`` makes DescribeNetworkInterfaces list the ENIs AWS
    services manage (Lambda's among them) even where the account's
    managed-resource visibility is ``hidden``.
    """
    def addresses() -> list[ElasticIp] | None:
        answer = ctx.call("ec2", "DescribeAddresses")
        return ctx.records("DescribeAddresses", None if answer is None else answer["Addresses"],
                           lambda i: to_elastic_ip(ctx, i) if i.get("AllocationId") else None)

    vpcs, subnets, tables, nats, enis, eips, igws, endpoints = fan_out([
        lambda: ctx.paginate("ec2", "DescribeVpcs", lambda i: to_vpc(ctx, i), PAGE),
        lambda: ctx.paginate("ec2", "DescribeSubnets", lambda i: to_subnet(ctx, i), PAGE),
        lambda: ctx.paginate("ec2", "DescribeRouteTables", lambda i: to_route_table(ctx, i), ROUTE_TABLE_PAGE),
        lambda: ctx.paginate("ec2", "DescribeNatGateways", lambda i: to_nat_gateway(ctx, i), PAGE),
        lambda: ctx.paginate("ec2", "DescribeNetworkInterfaces", lambda i: to_network_interface(ctx, i), PAGE,
                             IncludeManagedResources=True),
        addresses,
        lambda: ctx.paginate("ec2", "DescribeInternetGateways", lambda i: to_internet_gateway(ctx, i), PAGE),
        lambda: ctx.paginate("ec2", "DescribeVpcEndpoints", lambda i: to_vpc_endpoint(ctx, i), PAGE),
    ], limit=DESCRIBES_AT_ONCE, name="describe")
    check_nat_routes(ctx, tables, nats)
    return NetworkRecords(
        vpcs=vpcs,
        subnets=subnets,
        route_tables=tables,
        nat_gateways=place_nats(nats, subnets),
        network_interfaces=enis,
        elastic_ips=eips,
        internet_gateways=igws,
        vpc_endpoints=endpoints,
    )
