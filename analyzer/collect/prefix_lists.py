"""The managed prefix lists the region's routes refer to, with their CIDRs.

A route may send a prefix list (``DestinationPrefixListId``) to a target:
gateway endpoints do it with AWS's S3/DynamoDB lists, customers with their own.
Longest-prefix routing needs the CIDRs behind the id, so the scan reads only
the referenced lists: one ``DescribeManagedPrefixLists`` (filtered by id, so a
deleted list is simply absent rather than failing the call) and one paginated
``GetManagedPrefixListEntries`` per list. A list whose entries cannot be read
is left out and recorded (an empty list would read as "matches nothing"); a
list that active routes use but the region does not return is a gap too.
"""

from __future__ import annotations

from typing import Any

from analyzer.collect.context import UnitContext
from analyzer.models import PrefixList, RouteTable

PAGE = 100  # the most either call returns per page


def referenced_ids(tables: list[RouteTable], active_only: bool = False) -> list[str]:
    return sorted({r.destination_prefix_list_id for t in tables for r in t.routes
                   if r.destination_prefix_list_id and (not active_only or r.state == "active")})


def to_prefix_list(ctx: UnitContext, item: dict[str, Any]) -> PrefixList:
    family = item.get("AddressFamily") or "IPv4"
    return PrefixList(
        account_id=ctx.account_id,
        region=ctx.region,
        prefix_list_id=item["PrefixListId"],
        name=item.get("PrefixListName"),
        address_family="IPv6" if str(family).lower() == "ipv6" else "IPv4",
        owner_id=item.get("OwnerId"),
    )


def with_entries(ctx: UnitContext, plist: PrefixList) -> PrefixList | None:
    cidrs = ctx.paginate("ec2", "GetManagedPrefixListEntries", lambda e: str(e["Cidr"]), PAGE,
                         PrefixListId=plist.prefix_list_id)
    return None if cidrs is None else plist.model_copy(update={"cidrs": tuple(sorted(cidrs))})


def collect_prefix_lists(ctx: UnitContext, tables: list[RouteTable] | None) -> list[PrefixList]:
    """The referenced lists with their entries (none when the route tables are unknown: nothing to look up)."""
    wanted = referenced_ids(tables or [])
    if not wanted:
        return []
    found = ctx.paginate("ec2", "DescribeManagedPrefixLists", lambda i: to_prefix_list(ctx, i), PAGE,
                         Filters=[{"Name": "prefix-list-id", "Values": wanted}])
    if found is None:
        return []
    lists = [full for plist in found if plist.prefix_list_id in wanted
             if (full := with_entries(ctx, plist)) is not None]
    missing = sorted(set(referenced_ids(tables or [], active_only=True)) - {p.prefix_list_id for p in found})
    if missing:
        ctx.add_error("DescribeManagedPrefixLists", "PrefixListNotFound",
                      f"active routes use prefix lists the region did not return: {', '.join(missing[:5])}")
    return lists
