"""prefix_lists.py against moto: only the referenced lists, with their CIDRs; unreadable ones are gaps."""

from __future__ import annotations

import boto3
import pytest
from moto_seed import ACCOUNT

from analyzer.collect.context import UnitContext
from analyzer.collect.prefix_lists import collect_prefix_lists
from analyzer.models import Route, RouteTable

REGION = "us-east-1"


def tables(*routes: Route) -> list[RouteTable]:
    return [RouteTable(account_id=ACCOUNT, region=REGION, route_table_id="rtb-1", vpc_id="vpc-1", routes=routes)]


@pytest.fixture
def lists(aws: None) -> dict[str, str]:
    ec2 = boto3.client("ec2", region_name=REGION)
    s3 = next(p["PrefixListId"] for p in ec2.describe_managed_prefix_lists()["PrefixLists"]
              if p["PrefixListName"] == f"com.amazonaws.{REGION}.s3")
    partner = ec2.create_managed_prefix_list(
        PrefixListName="partner", AddressFamily="IPv4", MaxEntries=5,
        Entries=[{"Cidr": "198.51.100.0/24"}, {"Cidr": "203.0.113.8/29"}],
    )["PrefixList"]["PrefixListId"]
    return {"s3": s3, "partner": partner}


def test_only_referenced_lists_are_read_with_their_cidrs(ctx: UnitContext, lists: dict[str, str]) -> None:
    routes = (Route(destination_prefix_list_id=lists["partner"], nat_gateway_id="nat-1"),
              Route(destination_prefix_list_id=lists["s3"], gateway_id="vpce-1"))
    found = {p.prefix_list_id: p for p in collect_prefix_lists(ctx, tables(*routes))}
    assert set(found) == {lists["partner"], lists["s3"]}  # the other AWS-managed lists are not read
    partner = found[lists["partner"]]
    assert (partner.name, partner.address_family, partner.cidrs) == ("partner", "IPv4",
                                                                      ("198.51.100.0/24", "203.0.113.8/29"))
    assert partner.owner_id == ACCOUNT and found[lists["s3"]].owner_id == "AWS" and found[lists["s3"]].cidrs
    assert ctx.errors == []
    assert ctx.clients.counter.snapshot() == {"ec2:DescribeManagedPrefixLists": 1, "ec2:GetManagedPrefixListEntries": 2}


def test_no_prefix_list_routes_no_calls(ctx: UnitContext) -> None:
    assert collect_prefix_lists(ctx, tables(Route(destination_cidr_block="0.0.0.0/0", gateway_id="igw-1"))) == []
    assert collect_prefix_lists(ctx, None) == []
    assert ctx.clients.counter.snapshot() == {}


def test_a_missing_list_is_a_gap_only_for_active_routes(ctx: UnitContext, lists: dict[str, str]) -> None:
    gone = Route(destination_prefix_list_id="pl-0deadbeef00000000", nat_gateway_id="nat-1", state="blackhole")
    assert collect_prefix_lists(ctx, tables(gone)) == [] and ctx.errors == []
    active = Route(destination_prefix_list_id="pl-0deadbeef00000001", nat_gateway_id="nat-1")
    kept = collect_prefix_lists(ctx, tables(active, Route(destination_prefix_list_id=lists["partner"])))
    assert [p.prefix_list_id for p in kept] == [lists["partner"]]
    [error] = ctx.errors
    assert (error.operation, error.error_code) == ("DescribeManagedPrefixLists", "PrefixListNotFound")
    assert "pl-0deadbeef00000001" in error.message


def test_a_list_whose_entries_fail_is_left_out_not_empty(
    ctx: UnitContext, lists: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ctx.paginate

    def failing(service, operation, build, page_size=None, **params):
        if operation == "GetManagedPrefixListEntries" and params["PrefixListId"] == lists["partner"]:
            ctx.add_error(operation, "RequestLimitExceeded", "Request limit exceeded.")
            return None
        return real(service, operation, build, page_size, **params)

    monkeypatch.setattr(ctx, "paginate", failing)
    routes = (Route(destination_prefix_list_id=lists["partner"]), Route(destination_prefix_list_id=lists["s3"]))
    assert [p.prefix_list_id for p in collect_prefix_lists(ctx, tables(*routes))] == [lists["s3"]]
    assert [(e.operation, e.error_code) for e in ctx.errors] == [("GetManagedPrefixListEntries",
                                                                  "RequestLimitExceeded")]
