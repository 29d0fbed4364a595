"""Shell command lines for migration plans, every argument passed through ``shlex.quote``.

Names and ids come from the scanned account, so they are data: a function
name with ``;`` or ``$(...)`` in it must reach the AWS CLI as one argument,
never run. Placeholders for ids that only exist at run time
(``<new-allocation-id-1>``) are quoted too, so a command pasted before they
are filled in fails in the CLI instead of being read as a shell redirection.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Iterable

from analyzer.models import Route
from analyzer.routing import DEFAULT_ROUTE

EIP_QUOTA_CODE = "L-0263D0A3"


# Plans repeat the same words, ids and regions thousands of times: quote each once.
_quote = functools.lru_cache(maxsize=1 << 16)(shlex.quote)


def cmd(*parts: str) -> str:
    return " ".join([_quote(p) for p in parts])


def comment(text: str) -> str:
    """A shell comment line; control characters from AWS strings cannot end it early."""
    if text.isprintable():
        return "# " + text
    return "# " + "".join(c if c.isprintable() else " " for c in text)


def vpc_config(subnet_ids: Iterable[str], sg_ids: Iterable[str], ipv6: bool = False) -> str:
    value = f"SubnetIds={','.join(subnet_ids)},SecurityGroupIds={','.join(sg_ids)}"
    return value + (",Ipv6AllowedForDualStack=true" if ipv6 else "")


def update_function(name: str, subnet_ids: Iterable[str], sg_ids: Iterable[str], ipv6: bool, region: str) -> str:
    return cmd(
        "aws", "lambda", "update-function-configuration", "--function-name", name,
        "--vpc-config", vpc_config(subnet_ids, sg_ids, ipv6), "--region", region,
    )


def wait_updated(name: str, region: str) -> str:
    return cmd("aws", "lambda", "wait", "function-updated-v2", "--function-name", name, "--region", region)


def save_function_config(name: str, file_name: str, region: str) -> str:
    fetch = cmd(
        "aws", "lambda", "get-function-configuration", "--function-name", name,
        "--query", "VpcConfig", "--region", region,
    )
    return f"{fetch} > {shlex.quote(file_name)}"


def describe_lambda_enis(subnet_id: str, sg_ids: Iterable[str], region: str) -> str:
    return cmd(
        "aws", "ec2", "describe-network-interfaces", "--filters",
        "Name=interface-type,Values=lambda", f"Name=subnet-id,Values={subnet_id}",
        f"Name=group-id,Values={','.join(sg_ids)}",
        "--query", "NetworkInterfaces[].[NetworkInterfaceId,Status,Groups[].GroupId,Association.PublicIp]",
        "--output", "json", "--region", region,
    )


def safe_file_name(text: str) -> str:
    """A file name from ids and names: anything but letters, digits, ``._+-`` becomes ``_``."""
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", text)


def allowed_ips_file(plan_id: str) -> str:
    return f"allowed-ips-{safe_file_name(plan_id)}.txt"


def write_allowed_ips(plan_id: str, region: str, known: Iterable[str] = ()) -> str:
    """Write the plan's allow-list (one address a line): the known addresses, then the ones it allocated (by tag)."""
    listed = cmd(
        "aws", "ec2", "describe-addresses", "--filters", f"Name=tag:Name,Values=lambda-egress-{plan_id}-*",
        "--query", "Addresses[].PublicIp", "--output", "text", "--region", region,
    )
    head = f"printf '%s\\n' {' '.join(_quote(ip) for ip in known)}; " if known else ""
    return f"{{ {head}{listed} | tr '\\t' '\\n'; }} > {shlex.quote(allowed_ips_file(plan_id))}"


def associate_ipv6_cidr(subnet_id: str, region: str) -> str:
    return cmd(
        "aws", "ec2", "associate-subnet-cidr-block", "--subnet-id", subnet_id,
        "--ipv6-cidr-block", "<a-free-64-of-the-vpc-ipv6-range>", "--region", region,
    )


def allocate(name_tag: str, region: str) -> str:
    tags = f"ResourceType=elastic-ip,Tags=[{{Key=Name,Value={name_tag}}}]"
    return cmd("aws", "ec2", "allocate-address", "--domain", "vpc", "--tag-specifications", tags, "--region", region)


def recover_address(public_ip: str, region: str) -> str:
    return cmd("aws", "ec2", "allocate-address", "--domain", "vpc", "--address", public_ip, "--region", region)


def release(allocation_id: str, region: str) -> str:
    return cmd("aws", "ec2", "release-address", "--allocation-id", allocation_id, "--region", region)


def describe_addresses(allocation_ids: Iterable[str], region: str) -> str:
    """Each allocation's address, ENI and association id (the id a rollback disassociates)."""
    return cmd(
        "aws", "ec2", "describe-addresses", "--allocation-ids", *allocation_ids,
        "--query", "Addresses[].[AllocationId,PublicIp,NetworkInterfaceId,AssociationId]", "--output", "text",
        "--region", region,
    )


def associate(allocation_id: str, eni_id: str, region: str) -> str:
    return cmd(
        "aws", "ec2", "associate-address", "--allocation-id", allocation_id,
        "--network-interface-id", eni_id, "--region", region,
    )


def disassociate(association_id: str, region: str) -> str:
    return cmd("aws", "ec2", "disassociate-address", "--association-id", association_id, "--region", region)


def quota_commands(region: str) -> tuple[str, ...]:
    return (
        cmd(
            "aws", "service-quotas", "get-service-quota", "--service-code", "ec2",
            "--quota-code", EIP_QUOTA_CODE, "--query", "Quota.Value", "--region", region,
        ),
        cmd("aws", "ec2", "describe-addresses", "--query", "length(Addresses)", "--region", region),
    )


def _route_destination(route: Route) -> tuple[str, str]:
    if route.destination_ipv6_cidr_block:
        return "--destination-ipv6-cidr-block", route.destination_ipv6_cidr_block
    if route.destination_prefix_list_id:
        return "--destination-prefix-list-id", route.destination_prefix_list_id
    return "--destination-cidr-block", route.destination_cidr_block or DEFAULT_ROUTE


def delete_route(table_id: str, route: Route, region: str) -> str:
    dest = _route_destination(route)
    return cmd("aws", "ec2", "delete-route", "--route-table-id", table_id, *dest, "--region", region)


def create_route(table_id: str, route: Route, nat_id: str, region: str) -> str:
    return cmd(
        "aws", "ec2", "create-route", "--route-table-id", table_id, *_route_destination(route),
        "--nat-gateway-id", nat_id, "--region", region,
    )


def delete_nat(nat_id: str, region: str) -> tuple[str, ...]:
    return (
        cmd("aws", "ec2", "delete-nat-gateway", "--nat-gateway-id", nat_id, "--region", region),
        cmd("aws", "ec2", "wait", "nat-gateway-deleted", "--nat-gateway-ids", nat_id, "--region", region),
    )


def nat_addresses_released(allocation_ids: Iterable[str], region: str) -> str:
    """Block until none of the allocations is associated any more (there is no waiter for this).

    It compares with an explicit 0, so a failing call (empty output) keeps it waiting instead of passing.
    """
    check = cmd(
        "aws", "ec2", "describe-addresses", "--allocation-ids", *allocation_ids,
        "--query", "length(Addresses[?AssociationId])", "--output", "text", "--region", region,
    )
    return f'until test "$({check})" = 0; do sleep 15; done'


def disassociate_nat_addresses(nat_id: str, association_ids: Iterable[str], region: str) -> str:
    return cmd(
        "aws", "ec2", "disassociate-nat-gateway-address", "--nat-gateway-id", nat_id,
        "--association-ids", *association_ids, "--region", region,
    )


def associate_nat_addresses(nat_id: str, allocation_ids: Iterable[str], zone: str | None, region: str) -> str:
    where = ("--availability-zone", zone) if zone else ()
    return cmd(
        "aws", "ec2", "associate-nat-gateway-address", "--nat-gateway-id", nat_id,
        "--allocation-ids", *allocation_ids, *where, "--region", region,
    )


def zone_addresses(zones: dict[str, list[str]]) -> tuple[str, ...]:
    """``--availability-zone-addresses`` values: one AvailabilityZoneAddress per AZ (CLI shorthand)."""
    return tuple(f"AvailabilityZone={az},AllocationIds=[{','.join(allocs)}]" for az, allocs in zones.items())


def recreate_nat(subnet_id: str | None, vpc_id: str, allocation_ids: tuple[str, ...], region: str,
                 zones: dict[str, list[str]] | None = None) -> tuple[str, ...]:
    """Re-create the NAT on the same Elastic IPs, so the allow-listed addresses come back.

    Zonal: ``allocation_ids`` primary first. Regional: ``zones`` maps each AZ
    to its allocations; without them the gateway comes back in automatic mode
    with addresses AWS picks.
    """
    new_id = "<re-created-nat-gateway-id>"
    wait = cmd("aws", "ec2", "wait", "nat-gateway-available", "--nat-gateway-ids", new_id, "--region", region)
    if subnet_id is None:  # a regional NAT gateway has no subnet
        pinned = ("--availability-zone-addresses", *zone_addresses(zones)) if zones else ()
        create = cmd(
            "aws", "ec2", "create-nat-gateway", "--availability-mode", "regional", "--vpc-id", vpc_id,
            *pinned, "--region", region,
        )
        return create, wait
    primary = allocation_ids[:1] or ("<allocation-id>",)
    secondary = ("--secondary-allocation-ids", *allocation_ids[1:]) if len(allocation_ids) > 1 else ()
    create = cmd(
        "aws", "ec2", "create-nat-gateway", "--subnet-id", subnet_id, "--allocation-id", primary[0],
        *secondary, "--region", region,
    )
    return create, wait
