"""What a readable answer looks like, per operation, checked on every client in one place.

A wrong-but-200 answer (an HTML page from a proxy, a body cut short, a JSON
document without the list it should hold) parses to "nothing" in botocore:
no error, no items. Taken at its word it would read as "no functions", "no
ENIs", "no traffic". Two hooks on every client refuse such answers, so every
call the collector makes is checked the same way:

* ``before-parse``: a body shorter than its ``Content-Length`` is truncated
  (botocore reads bodies with ``enforce_content_length=False``);
* ``after-call``: each 2xx answer must carry its operation's top-level keys,
  with the right types (``Shape.required``). AWS always sends these keys, an
  empty list included, so their absence means the answer is not AWS's.

Both raise :class:`MalformedResponse`, which the unit records as a coverage
error like any other failed call. ``Shape.items`` and ``Shape.id_key`` also
tell :mod:`context` which list holds a page's records and which field must
be unique in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError


class MalformedResponse(BotoCoreError):
    """A 2xx answer that is not a readable answer to the call."""

    fmt = "{operation}: {problem}"

    def __init__(self, operation: str, problem: str, code: str = "MalformedResponse") -> None:
        super().__init__(operation=operation, problem=problem)
        self.code = code


@dataclass(frozen=True)
class Shape:
    items: str | None = None  # the key of the list of records, if any
    id_key: str | None = None  # the field that identifies a record (unique within a unit)
    required: dict[str, type] = field(default_factory=dict)  # top-level key -> type, besides ``items``

    def expected(self) -> dict[str, type]:
        return {**({self.items: list} if self.items else {}), **self.required}


SHAPES: dict[str, Shape] = {
    # EC2 (every list key is sent, empty or not)
    "DescribeVpcs": Shape("Vpcs", "VpcId"),
    "DescribeSubnets": Shape("Subnets", "SubnetId"),
    "DescribeRouteTables": Shape("RouteTables", "RouteTableId"),
    "DescribeNatGateways": Shape("NatGateways", "NatGatewayId"),
    "DescribeNetworkInterfaces": Shape("NetworkInterfaces", "NetworkInterfaceId"),
    "DescribeAddresses": Shape("Addresses", "AllocationId"),
    "DescribeInternetGateways": Shape("InternetGateways", "InternetGatewayId"),
    "DescribeVpcEndpoints": Shape("VpcEndpoints", "VpcEndpointId"),
    "DescribeManagedPrefixLists": Shape("PrefixLists", "PrefixListId"),
    "GetManagedPrefixListEntries": Shape("Entries", "Cidr"),
    "DescribeRegions": Shape("Regions", "RegionName"),
    # Lambda
    "ListFunctions": Shape("Functions", "FunctionArn"),
    "GetFunctionConfiguration": Shape(required={"FunctionArn": str}),
    # CloudWatch, Service Quotas
    "GetMetricData": Shape("MetricDataResults"),  # a query id recurs on every page of its points
    "GetServiceQuota": Shape(required={"Quota": dict}),
    # Identity and accounts
    "GetCallerIdentity": Shape(required={"Account": str}),
    "AssumeRole": Shape(required={"Credentials": dict}),
    "ListAccounts": Shape("Accounts", "Id"),
}


def _type_name(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def check_shape(operation: str, parsed: dict[str, Any]) -> None:
    """Raise MalformedResponse when a 2xx answer lacks a key its operation always has."""
    shape = SHAPES.get(operation)
    if shape is None:
        return
    for key, kind in shape.expected().items():
        value = parsed.get(key)
        if not isinstance(value, kind):
            raise MalformedResponse(
                operation, f"the answer has no {key} ({kind.__name__}; got {_type_name(value)}): not a readable answer"
            )


def check_length(operation: str, response_dict: dict[str, Any]) -> None:
    """Raise MalformedResponse(code TruncatedResponse) when fewer bytes came than Content-Length promised."""
    declared = (response_dict.get("headers") or {}).get("content-length")
    body = response_dict.get("body")
    if declared is None or not isinstance(body, bytes | bytearray):
        return
    try:
        expected = int(declared)
    except ValueError:
        return
    if len(body) < expected:
        raise MalformedResponse(
            operation, f"the answer was cut short ({len(body)} of {expected} bytes)", code="TruncatedResponse"
        )


def before_parse(operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
    check_length(operation_model.name, response_dict)


def after_call(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
    if getattr(http_response, "status_code", 200) < 300:
        check_shape(model.name, parsed)


def register(events: Any) -> None:
    """Install both checks on a client's event system."""
    events.register("before-parse.*.*", before_parse)
    events.register("after-call.*.*", after_call)
