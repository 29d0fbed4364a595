"""CUR line items for tests: the same items as CUR 2.0 (Parquet / CSV) and as a legacy CUR CSV."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

CUR2 = ("identity_line_item_id", "bill_billing_period_start_date", "bill_billing_period_end_date",
        "line_item_usage_account_id", "line_item_line_item_type", "line_item_usage_start_date",
        "line_item_usage_end_date", "line_item_product_code", "line_item_usage_type", "line_item_resource_id",
        "line_item_usage_amount", "line_item_unblended_cost", "product_product_name")
LEGACY = {"identity_line_item_id": "identity/LineItemId", "product_product_name": "product/ProductName"} | {
    c: c.replace("bill_", "bill/", 1).replace("line_item_", "lineItem/", 1) for c in CUR2 if c not in (
        "identity_line_item_id", "product_product_name")}
OCT = datetime(2026, 10, 1, tzinfo=UTC)
NOV = datetime(2026, 11, 1, tzinfo=UTC)
ACCOUNT = "123456789012"


def arn(nat_id: str, region: str = "us-east-1") -> str:
    return f"arn:aws:ec2:{region}:{ACCOUNT}:natgateway/{nat_id}"


def item(usage_type: str, resource: str, amount: float, cost: float, start: datetime, hours: int = 1,
         kind: str = "Usage", product: str = "AmazonEC2") -> dict[str, object]:
    return {"bill_billing_period_start_date": OCT, "bill_billing_period_end_date": NOV,
            "line_item_usage_account_id": ACCOUNT, "line_item_line_item_type": kind,
            "line_item_usage_start_date": start, "line_item_usage_end_date": start + timedelta(hours=hours),
            "line_item_product_code": product, "line_item_usage_type": usage_type, "line_item_resource_id": resource,
            "line_item_usage_amount": amount, "line_item_unblended_cost": cost,
            "product_product_name": "Amazon Elastic Compute Cloud, NAT"}


def nat_month(nat_id: str, hours: int = 744, gb_per_day: float = 3.3, price: float = 0.045,
              first_hour: int = 0) -> list[dict[str, object]]:
    """Hourly NatGateway-Hours lines and daily NatGateway-Bytes lines for ``hours`` hours of October."""
    rows = [item("NatGateway-Hours", arn(nat_id), 1.0, price, OCT + timedelta(hours=first_hour + h))
            for h in range(hours)]
    days = hours // 24
    rows += [item("NatGateway-Bytes", arn(nat_id), gb_per_day, gb_per_day * price,
                  OCT + timedelta(days=first_hour // 24 + d), hours=24) for d in range(days)]
    return rows


def noise() -> list[dict[str, object]]:
    """Lines that are not NAT gateway usage: never billed to a NAT."""
    return [item("BoxUsage:m5.large", "i-0abc", 744, 71.42, OCT, hours=744),
            item("NatGateway-Prvd-Gbps", arn("nat-a"), 1, 9.99, OCT),  # not a processing or hour line
            item("USE1-PublicIPv4:InUseAddress", "eipalloc-1", 744, 3.72, OCT, hours=744, product="AmazonVPC")]


def _text(value: object, legacy: bool) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ" if legacy else "%Y-%m-%dT%H:%M:%S.000Z")
    return repr(value) if isinstance(value, float) else str(value)


def write_csv(path: Path, rows: Iterable[dict[str, object]], legacy: bool = False) -> Path:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow([LEGACY[c] if legacy else c for c in CUR2])
    for i, row in enumerate(rows):
        out.writerow([_text({**row, "identity_line_item_id": f"li-{i}"}[c], legacy) for c in CUR2])
    data = buf.getvalue().encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def write_parquet(path: Path, rows: Iterable[dict[str, object]]) -> Path:
    """CUR 2.0 Parquet: timestamps as timestamps, amounts and costs as doubles."""
    import duckdb

    src = write_csv(path.with_suffix(".src.csv"), rows)
    con = duckdb.connect()
    casts = ", ".join(
        f"CAST({c} AS TIMESTAMP) AS {c}" if c.endswith("_date") else
        f"CAST({c} AS DOUBLE) AS {c}" if c.endswith(("_amount", "_cost")) else c for c in CUR2)
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY (SELECT {casts} FROM read_csv('{src}', all_varchar = true)) TO '{path}' (FORMAT parquet)")
    con.close()
    src.unlink()
    return path
