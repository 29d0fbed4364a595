"""The CUR aggregation, as SQL text that DuckDB (local files) and Athena (an org's CUR table) both run.

Column names are CUR 2.0 / Data Exports' (``line_item_usage_type``, ...); the
legacy CUR's Athena tables use the same names, and its CSV files spell them
``lineItem/UsageType`` (the local reader renames them). One row per NAT
resource x line item type x usage type x billing period, for the periods
that overlap the metric window: a few rows per NAT gateway, whatever the CUR's size.
"""

from __future__ import annotations

import re
from datetime import datetime

from analyzer.inputs.sql import timestamp

REQUIRED = (
    "line_item_resource_id", "line_item_usage_account_id", "line_item_line_item_type", "line_item_usage_type",
    "line_item_usage_amount", "line_item_unblended_cost", "line_item_usage_start_date", "line_item_usage_end_date",
    "bill_billing_period_start_date", "bill_billing_period_end_date",
)  # fmt: skip
CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake(legacy: str) -> str:
    """``lineItem/UsageType`` -> ``line_item_usage_type`` (CUR 2.0 names pass through unchanged)."""
    return "_".join(CAMEL.sub("_", part).lower() for part in legacy.split("/"))


def aggregate_sql(relation: str, window_start: datetime, window_end: datetime,
                  partition_predicate: str | None = None) -> str:
    prune = f"\n  AND {partition_predicate}" if partition_predicate else ""
    return f"""SELECT
  line_item_resource_id AS resource_id,
  line_item_usage_account_id AS account_id,
  line_item_line_item_type AS line_item_type,
  line_item_usage_type AS usage_type,
  bill_billing_period_start_date AS period_start,
  bill_billing_period_end_date AS period_end,
  min(line_item_usage_start_date) AS usage_start,
  max(line_item_usage_end_date) AS usage_end,
  sum(CAST(line_item_usage_amount AS DECIMAL(38, 10))) AS usage_amount,
  sum(CAST(line_item_unblended_cost AS DECIMAL(38, 10))) AS cost,
  count(*) AS line_items
FROM {relation}
WHERE (line_item_usage_type LIKE '%NatGateway-Hours' OR line_item_usage_type LIKE '%NatGateway-Bytes')
  AND bill_billing_period_start_date < {timestamp(window_end)}
  AND bill_billing_period_end_date > {timestamp(window_start)}{prune}
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5"""
