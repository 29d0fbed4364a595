"""responses.py and the record checks of context.py, without AWS: shapes, truncation, items, messages."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from analyzer.collect.context import UnitContext, clean_message, describe_failure
from analyzer.collect.network import check_nat_routes, to_nat_gateway, to_subnet
from analyzer.collect.responses import SHAPES, MalformedResponse, after_call, before_parse, check_length, check_shape
from analyzer.models import NatGateway, Route, RouteTable

ACCOUNT = "123456789012"


def unit() -> UnitContext:
    return UnitContext(account_id=ACCOUNT, region="eu-west-1", clients=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(("operation", "parsed", "problem"), [
    ("ListFunctions", {"ResponseMetadata": {}}, "no Functions (list; got nothing)"),  # an HTML page parses to this
    ("DescribeNetworkInterfaces", {"NetworkInterfaces": "x"}, "no NetworkInterfaces (list; got str)"),
    ("GetMetricData", {"Messages": []}, "no MetricDataResults"),
    ("GetServiceQuota", {"Quota": []}, "no Quota (dict; got list)"),
    ("GetCallerIdentity", {"UserId": "u"}, "no Account (str; got nothing)"),
])
def test_an_answer_without_its_keys_is_malformed(operation: str, parsed: dict, problem: str) -> None:
    with pytest.raises(MalformedResponse, match=re.escape(problem)) as caught:
        check_shape(operation, parsed)
    assert describe_failure(caught.value)[0] == "MalformedResponse"
    assert caught.value.kwargs["operation"] == operation


def test_empty_lists_are_answers_and_errors_are_left_to_botocore() -> None:
    check_shape("ListFunctions", {"Functions": []})  # empty is not unreadable
    check_shape("DescribeSomethingUndeclared", {})
    model = SimpleNamespace(name="ListFunctions")
    after_call(http_response=SimpleNamespace(status_code=403), parsed={"Error": {}}, model=model)  # a ClientError
    with pytest.raises(MalformedResponse):
        after_call(http_response=SimpleNamespace(status_code=200), parsed={}, model=model)


def test_every_scan_operation_declares_its_shape() -> None:
    scan_operations = {"DescribeVpcs", "DescribeSubnets", "DescribeRouteTables", "DescribeNatGateways",
                       "DescribeNetworkInterfaces", "DescribeAddresses", "DescribeInternetGateways",
                       "DescribeVpcEndpoints", "DescribeManagedPrefixLists", "GetManagedPrefixListEntries",
                       "DescribeRegions", "ListFunctions", "GetFunctionConfiguration", "GetMetricData",
                       "GetServiceQuota", "GetCallerIdentity", "AssumeRole", "ListAccounts"}
    assert scan_operations <= set(SHAPES)


def test_a_body_shorter_than_its_content_length_is_truncated() -> None:
    check_length("ListFunctions", {"headers": {"content-length": "17"}, "body": b'{"Functions": []}'})
    check_length("ListFunctions", {"headers": {}, "body": b"{}"})  # chunked: nothing to compare
    with pytest.raises(MalformedResponse, match=r"cut short \(8 of 17 bytes\)") as caught:
        before_parse(operation_model=SimpleNamespace(name="ListFunctions"),
                     response_dict={"headers": {"content-length": "17"}, "body": b'{"Functi'})
    assert describe_failure(caught.value)[0] == "TruncatedResponse"


def test_messages_are_one_inert_line() -> None:
    text = "denied\x1b[31m red\x1b[0m\x07\x00 bell\nnext\u202eevil\ttab" + "x" * 400
    cleaned = clean_message(text)
    assert cleaned.startswith("denied red\\x07\\x00 bell next\\u202eevil tab")
    assert "\x1b" not in cleaned and "\n" not in cleaned and len(cleaned) == 300 and cleaned.endswith("…")


def test_items_that_cannot_become_records_and_repeated_ids_are_left_out_and_recorded() -> None:
    ctx = unit()
    items = [
        {"SubnetId": "subnet-1", "VpcId": "vpc-1", "AvailabilityZone": "eu-west-1a"},
        {"SubnetId": "subnet-2", "VpcId": "vpc-1"},  # no AvailabilityZone: the model needs it
        {"SubnetId": "subnet-3", "VpcId": "vpc-1", "AvailabilityZone": ["eu-west-1a"]},  # wrong type
        {"SubnetId": "subnet-1", "VpcId": "vpc-1", "AvailabilityZone": "eu-west-1a"},  # listed twice
    ]
    subnets = ctx.records("DescribeSubnets", items, lambda i: to_subnet(ctx, i))
    assert [s.subnet_id for s in subnets or []] == ["subnet-1"]
    errors = {e.error_code: e for e in ctx.errors}
    assert set(errors) == {"MalformedItem", "DuplicateItem"}
    assert errors["MalformedItem"].operation == "DescribeSubnets"
    assert errors["MalformedItem"].message.startswith("2 of 4 items left out")
    assert "subnet-2: KeyError: 'AvailabilityZone'" in errors["MalformedItem"].message
    assert "1 repeated SubnetId value(s) in one region, first copy kept: subnet-1" in errors["DuplicateItem"].message


def test_deleted_nat_gateways_are_skipped_not_malformed() -> None:
    ctx = unit()
    items = [{"NatGatewayId": "nat-1", "VpcId": "vpc-1", "State": "deleted"},
             {"NatGatewayId": "nat-2", "VpcId": "vpc-1", "State": "available"}]
    nats = ctx.records("DescribeNatGateways", items, lambda i: to_nat_gateway(ctx, i))
    assert [n.nat_gateway_id for n in nats or []] == ["nat-2"] and ctx.errors == []


def table(*routes: Route) -> RouteTable:
    return RouteTable(account_id=ACCOUNT, region="eu-west-1", route_table_id="rtb-1", vpc_id="vpc-1", routes=routes)


def test_an_active_route_to_an_unlisted_nat_is_a_gap_but_a_blackhole_is_normal() -> None:
    nat = NatGateway(account_id=ACCOUNT, region="eu-west-1", nat_gateway_id="nat-live", vpc_id="vpc-1")
    blackhole = Route(destination_cidr_block="0.0.0.0/0", nat_gateway_id="nat-deleted", state="blackhole")
    live = Route(destination_cidr_block="10.9.0.0/16", nat_gateway_id="nat-live")
    ctx = unit()
    check_nat_routes(ctx, [table(blackhole, live)], [nat])
    assert ctx.errors == []  # AWS keeps a route to a deleted NAT as "blackhole": accepted
    check_nat_routes(ctx, [table(Route(destination_cidr_block="0.0.0.0/0", nat_gateway_id="nat-gone"))], [nat])
    [error] = ctx.errors
    assert (error.operation, error.error_code) == ("DescribeRouteTables", "RouteToUnknownNat")
    assert "rtb-1 -> nat-gone" in error.message
    check_nat_routes(unit(), None, [nat])  # unknown tables: nothing to check, nothing claimed
