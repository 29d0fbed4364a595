"""Aggregated CUR rows (typed from DuckDB, strings from Athena) -> BilledLine records for the snapshot."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from analyzer.models import BilledLine

NAT_ARN = re.compile(r"^(?:arn:aws[a-z-]*:ec2:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):natgateway/)?"
                     r"(?P<nat>nat-[0-9a-zA-Z]+)$")


def _when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _decimal(value: Any) -> Decimal:
    return Decimal(0) if value in (None, "") else Decimal(str(value))


def billed_lines(rows: Iterable[Sequence[Any]]) -> tuple[BilledLine, ...]:
    """One BilledLine per row: (resource_id, account_id, line_item_type, usage_type, period_start, period_end,
    usage_start, usage_end, usage_amount, cost, line_items)."""
    out = []
    for resource, account, item_type, usage_type, p_start, p_end, u_start, u_end, amount, cost, _n in rows:
        match = NAT_ARN.match(str(resource or ""))
        start = _when(p_start)
        if start is None:
            continue  # no billing period: not a bill line
        out.append(BilledLine(
            account_id=(match.group("account") if match and match.group("account") else None) or account or None,
            region=match.group("region") if match else None,
            nat_gateway_id=match.group("nat") if match else None,
            period=f"{start:%Y-%m}", period_start=start, period_end=_when(p_end) or start,
            line_item_type=str(item_type or ""), usage_type=str(usage_type or ""),
            usage_amount=_decimal(amount), cost_usd=_decimal(cost),
            usage_start=_when(u_start), usage_end=_when(u_end),
        ))
    return tuple(out)
