"""Small builders for hand-made snapshots in tests (plain data, no AWS).

The record shapes (a Lambda ARN, a route, a daily series, a Lambda ENI) come from ``devtools.estate``,
the builders the demo generator and the benchmark estates use too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from analyzer.models import (
    LambdaFunction,
    MetricSeries,
    NatGateway,
    NetworkInterface,
    RouteTable,
    Snapshot,
    Subnet,
)
from devtools import estate

ACCOUNT = "123456789012"
REGION = "us-east-1"
VPC = "vpc-0aaa"
COLLECTED_AT = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def subnet(subnet_id: str, az: str = "us-east-1a", vpc: str = VPC, region: str = REGION) -> Subnet:
    return Subnet(account_id=ACCOUNT, region=region, subnet_id=subnet_id, vpc_id=vpc, availability_zone=az)


def table(table_id: str, *, subnets: tuple[str, ...] = (), main: bool = False, nat: str | None = None,
          igw: str | None = None, tgw: str | None = None, vpc: str = VPC, region: str = REGION) -> RouteTable:
    routes = [estate.local_route("10.0.0.0/16")]
    if nat or igw or tgw:
        routes.append(estate.route("0.0.0.0/0", nat_gateway_id=nat, gateway_id=igw, transit_gateway_id=tgw))
    return RouteTable(account_id=ACCOUNT, region=region, route_table_id=table_id, vpc_id=vpc, is_main=main,
                      subnet_ids=subnets, routes=tuple(routes))


def nat(nat_id: str, *, subnet_id: str | None = "subnet-pub-a", az: str | None = "us-east-1a",
        ips: tuple[str, ...] = ("203.0.113.10",), mode: str = "zonal", region: str = REGION) -> NatGateway:
    return NatGateway(account_id=ACCOUNT, region=region, nat_gateway_id=nat_id, vpc_id=VPC, subnet_id=subnet_id,
                      availability_zone=az, availability_mode=mode, public_ips=ips,
                      allocation_ids=tuple(f"eipalloc-{i}" for i in range(len(ips))),
                      network_interface_ids=(f"eni-{nat_id}",))


def function(name: str, subnets: tuple[str, ...], sgs: tuple[str, ...] = ("sg-1",), state: str = "Active",
             region: str = REGION) -> LambdaFunction:
    return estate.lambda_function(ACCOUNT, region, name, vpc_id=VPC, subnet_ids=subnets, security_group_ids=sgs,
                                  state=state)


def eni(eni_id: str, subnet_id: str, sgs: tuple[str, ...] = ("sg-1",), *, kind: str = "lambda",
        public_ip: str | None = None, az: str = "us-east-1a", region: str = REGION) -> NetworkInterface:
    return NetworkInterface(account_id=ACCOUNT, region=region, network_interface_id=eni_id, vpc_id=VPC,
                            subnet_id=subnet_id, availability_zone=az, interface_type=kind,
                            security_group_ids=sgs, public_ip=public_ip)


def daily(metric: str, dim_value: str, values: list[float], *, namespace: str = "AWS/NATGateway",
          dim_name: str = "NatGatewayId", stat: str = "Sum", region: str = REGION,
          end: datetime = COLLECTED_AT) -> MetricSeries:
    """Daily points ending the day before ``end``'s midnight."""
    return estate.daily(ACCOUNT, region, namespace, metric, dim_name, dim_value, stat,
                        estate.window(end, len(values)), values)


def snapshot(**records) -> Snapshot:
    return Snapshot(collected_at=COLLECTED_AT, window_days=records.pop("window_days", 30), **records)
