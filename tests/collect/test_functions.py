"""functions.py: ListFunctions, then GetFunctionConfiguration only for VPC functions."""

from __future__ import annotations

from datetime import UTC, datetime

from botocore.stub import Stubber
from moto_seed import seed_estate

from analyzer.collect.context import UnitContext
from analyzer.collect.functions import collect_functions, parse_last_modified


def test_vpc_functions_get_their_state_and_only_they_cost_a_call(ctx: UnitContext) -> None:
    estate = seed_estate("us-east-1")
    functions = {f.name: f for f in collect_functions(ctx) or []}

    assert sorted(functions) == ["billing", "orders", "plain", "poller", "webhook"]
    orders = functions["orders"]
    assert orders.arn == estate.arns["orders"]
    assert orders.subnet_ids == (estate.private_subnet,)
    assert orders.security_group_ids == (estate.sg_app,)
    assert orders.runtime == "python3.12"
    assert (orders.state, orders.last_update_status) == ("Active", "Successful")
    plain = functions["plain"]
    assert (plain.in_vpc, plain.vpc_id, plain.state) == (False, None, None)
    calls = ctx.clients.counter.snapshot()
    assert calls["lambda:GetFunctionConfiguration"] == 4  # orders, billing, webhook, poller; not plain
    assert calls["lambda:ListFunctions"] == 1
    assert ctx.errors == []


def _item(name: str) -> dict:
    # Shaped like a real ListFunctions item: no State fields, Lambda's timestamp format.
    return {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        "Runtime": "python3.12",
        "LastModified": "2026-10-02T08:15:30.123+0000",
        "VpcConfig": {"SubnetIds": ["subnet-b", "subnet-a"], "SecurityGroupIds": ["sg-1"], "VpcId": "vpc-1",
                      "Ipv6AllowedForDualStack": True},
    }


def test_denied_state_calls_stop_after_the_first_and_gone_functions_are_dropped(ctx: UnitContext) -> None:
    # botocore Stubber: moto cannot deny one operation or race a deletion.
    lam = ctx.client("lambda")
    with Stubber(lam) as stub:
        stub.add_response("list_functions", {"Functions": [_item("a"), _item("b"), _item("c")]})
        stub.add_client_error("get_function_configuration", "ResourceNotFoundException", "Function not found",
                              http_status_code=404)
        stub.add_client_error("get_function_configuration", "AccessDeniedException", "not authorized",
                              http_status_code=403)
        functions = collect_functions(ctx)
        stub.assert_no_pending_responses()

    assert [f.name for f in functions or []] == ["b", "c"]  # "a" vanished between list and get
    b = functions[0]
    assert b.subnet_ids == ("subnet-a", "subnet-b") and b.ipv6_allowed_for_dual_stack and b.state is None
    assert [(e.operation, e.error_code, e.region) for e in ctx.errors] == [
        ("GetFunctionConfiguration", "AccessDeniedException", "us-east-1")]
    assert ctx.clients.counter.snapshot()["lambda:GetFunctionConfiguration"] == 2  # not 3


def test_list_failure_is_unknown_not_empty(ctx: UnitContext) -> None:
    with Stubber(ctx.client("lambda")) as stub:
        stub.add_client_error("list_functions", "AccessDeniedException", "denied", http_status_code=403)
        assert collect_functions(ctx) is None
    assert [e.error_code for e in ctx.errors] == ["AccessDeniedException"]


def test_parse_last_modified_formats() -> None:
    assert parse_last_modified("2026-10-02T08:15:30.123+0000") == datetime(2026, 10, 2, 8, 15, 30, 123000, UTC)
    assert parse_last_modified("2026-11-24T20:44:51.758796000Z") == datetime(2026, 11, 24, 20, 44, 51, 758796, UTC)
    assert parse_last_modified("garbage") is None and parse_last_modified(None) is None
