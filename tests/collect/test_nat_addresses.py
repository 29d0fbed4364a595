"""NatGateway.addresses, auto_provision_zones and auto_scaling_ips from DescribeNatGateways.

moto (5.x) returns AllocationId, AssociationId, NetworkInterfaceId, PrivateIp
and PublicIp per address, but no IsPrimary, Status or AvailabilityZone, keeps
no secondary addresses and cannot create regional gateways. Those cases run
through botocore's Stubber instead, whose responses are checked against the
EC2 service model, so they are real-shaped.
"""

from __future__ import annotations

import contextlib
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto_seed import client, seed_estate

from analyzer.collect import network as network_module
from analyzer.collect.context import UnitContext
from analyzer.collect.network import collect_network
from analyzer.models import NatAddress

ACCOUNT = "123456789012"


def test_moto_addresses_carry_allocation_association_and_eni(ctx: UnitContext) -> None:
    estate = seed_estate("us-east-1")
    [item] = [n for n in client("ec2", "us-east-1").describe_nat_gateways()["NatGateways"]
              if n["NatGatewayId"] == estate.nat_id]  # fmt: skip
    [raw] = item["NatGatewayAddresses"]

    [nat] = [n for n in collect_network(ctx).nat_gateways or [] if n.nat_gateway_id == estate.nat_id]

    assert nat.addresses == (
        NatAddress(
            allocation_id=raw["AllocationId"],
            public_ip=estate.nat_public_ip,
            private_ip=raw["PrivateIp"],
            network_interface_id=estate.nat_eni,
            association_id=raw["AssociationId"],
            is_primary=False,  # moto sends no IsPrimary
            status="succeeded",  # nor Status: a missing status counts as in service
        ),
    )
    assert nat.allocation_ids == (raw["AllocationId"],) and nat.public_ips == (estate.nat_public_ip,)
    assert (nat.auto_provision_zones, nat.auto_scaling_ips) == (None, None)  # zonal


class _StubClients:
    """Stands in for UnitClients: one stubbed EC2 client for every call, no permits to wait for."""

    def __init__(self, ec2: Any) -> None:
        self.ec2 = ec2

    def client(self, service: str) -> Any:
        assert service == "ec2"
        return self.ec2

    def permit(self, check: Any) -> Any:
        return contextlib.nullcontext()


EMPTY = {
    "describe_vpcs": {"Vpcs": []},
    "describe_subnets": {"Subnets": []},
    "describe_route_tables": {"RouteTables": []},
    "describe_network_interfaces": {"NetworkInterfaces": []},
    "describe_addresses": {"Addresses": []},
    "describe_internet_gateways": {"InternetGateways": []},
    "describe_vpc_endpoints": {"VpcEndpoints": []},
}


def collect_stubbed(nat_gateways: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> list:
    monkeypatch.setattr(network_module, "DESCRIBES_AT_ONCE", 1)  # a Stubber answers in the order it was given
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ctx = UnitContext(account_id=ACCOUNT, region="us-east-1", clients=_StubClients(ec2))  # type: ignore[arg-type]
    with Stubber(ec2) as stub:  # responses are validated against the service model
        for op in ("describe_vpcs", "describe_subnets", "describe_route_tables"):
            stub.add_response(op, EMPTY[op])
        stub.add_response("describe_nat_gateways", {"NatGateways": nat_gateways})
        for op in ("describe_network_interfaces", "describe_addresses", "describe_internet_gateways",
                   "describe_vpc_endpoints"):  # fmt: skip
            stub.add_response(op, EMPTY[op])
        net = collect_network(ctx)
        stub.assert_no_pending_responses()
    assert not ctx.errors
    return net.nat_gateways or []


def test_zonal_primary_secondary_and_an_address_in_flux(monkeypatch: pytest.MonkeyPatch) -> None:
    item = {
        "NatGatewayId": "nat-0zonal", "VpcId": "vpc-1", "SubnetId": "subnet-pub", "State": "available",
        "ConnectivityType": "public",
        "NatGatewayAddresses": [
            {"AllocationId": "eipalloc-p", "PublicIp": "198.51.100.1", "PrivateIp": "10.0.0.10",
             "NetworkInterfaceId": "eni-nat", "AssociationId": "eipassoc-p", "IsPrimary": True,
             "Status": "succeeded"},
            {"AllocationId": "eipalloc-s", "PublicIp": "198.51.100.2", "PrivateIp": "10.0.0.11",
             "NetworkInterfaceId": "eni-nat", "AssociationId": "eipassoc-s", "IsPrimary": False,
             "Status": "succeeded"},
            {"AllocationId": "eipalloc-d", "PublicIp": "198.51.100.3", "PrivateIp": "10.0.0.12",
             "NetworkInterfaceId": "eni-nat", "AssociationId": "eipassoc-d", "IsPrimary": False,
             "Status": "disassociating"},
        ],
    }  # fmt: skip
    [nat] = collect_stubbed([item], monkeypatch)
    assert [(a.allocation_id, a.association_id, a.is_primary, a.status) for a in nat.addresses] == [
        ("eipalloc-p", "eipassoc-p", True, "succeeded"),
        ("eipalloc-s", "eipassoc-s", False, "succeeded"),
        ("eipalloc-d", "eipassoc-d", False, "disassociating"),
    ]
    # Only the addresses in service feed the flat lists; the gateway's ENI appears once.
    assert nat.allocation_ids == ("eipalloc-p", "eipalloc-s")
    assert nat.public_ips == ("198.51.100.1", "198.51.100.2")
    assert nat.private_ips == ("10.0.0.10", "10.0.0.11")
    assert nat.network_interface_ids == ("eni-nat",)
    assert (nat.auto_provision_zones, nat.auto_scaling_ips) == (None, None)


def test_regional_gateway_addresses_per_az_and_auto_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    item = {
        "NatGatewayId": "nat-0regional", "VpcId": "vpc-1", "State": "available", "ConnectivityType": "public",
        "AvailabilityMode": "regional", "AutoProvisionZones": "enabled", "AutoScalingIps": "disabled",
        "NatGatewayAddresses": [
            {"AllocationId": "eipalloc-a", "PublicIp": "198.51.100.10", "PrivateIp": "10.0.0.5",
             "NetworkInterfaceId": "eni-a", "AssociationId": "eipassoc-a", "IsPrimary": True,
             "Status": "succeeded", "AvailabilityZone": "us-east-1a", "AvailabilityZoneId": "use1-az1"},
            {"AllocationId": "eipalloc-b", "PublicIp": "198.51.100.11", "PrivateIp": "10.0.1.5",
             "NetworkInterfaceId": "eni-b", "AssociationId": "eipassoc-b", "IsPrimary": False,
             "Status": "associating", "AvailabilityZone": "us-east-1b", "AvailabilityZoneId": "use1-az2"},
        ],
    }  # fmt: skip
    [nat] = collect_stubbed([item], monkeypatch)
    assert (nat.availability_mode, nat.subnet_id) == ("regional", None)
    assert (nat.auto_provision_zones, nat.auto_scaling_ips) == ("enabled", "disabled")
    assert [(a.allocation_id, a.availability_zone, a.status) for a in nat.addresses] == [
        ("eipalloc-a", "us-east-1a", "succeeded"),
        ("eipalloc-b", "us-east-1b", "associating"),
    ]
    assert nat.allocation_ids == ("eipalloc-a",) and nat.public_ips == ("198.51.100.10",)
    assert nat.network_interface_ids == ("eni-a", "eni-b")
