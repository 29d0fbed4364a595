"""The flow-log aggregation, as SQL text that DuckDB (local files) and Athena (an org's table) both run.

On a NAT gateway's own ENI every flow shows up as four records (AWS VPC user
guide, "Flow log record examples: NAT gateway"):

1. source -> NAT: ``dstaddr`` is the NAT's address, ``pkt-dstaddr`` the final
   destination, ``pkt-srcaddr`` the private source (``from-source``);
2. NAT -> destination and 3. destination -> NAT: no translation on the record
   (``untranslated``: the NAT-side leg);
4. NAT -> source: ``srcaddr`` is the NAT's address, ``pkt-srcaddr`` the remote
   host, ``pkt-dstaddr`` the private source (``to-source``).

Bytes of legs 1 and 4, keyed by the private source address, are the NAT's
processed bytes split by source (legs 2 and 3 carry the same bytes again).
The query returns one row per (NAT interface, leg, source address): a few
hundred rows for any number of records. Records of other interfaces collapse
into a handful of rows, so they are counted, not returned one by one.
"""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.inputs.sql import literal_list

# The columns the aggregation reads (Parquet / Athena names; the text format spells them with "-").
REQUIRED = ("interface_id", "srcaddr", "dstaddr", "pkt_srcaddr", "pkt_dstaddr", "bytes", "start", "action")
LEGS = ("no-data", "outside-window", "rejected", "from-source", "to-source", "untranslated")
CUSTOM_FORMAT = ("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr} "
                 "${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}")


def missing_field_message(where: str, field: str) -> str:
    """The one line for a flow log without a field the attribution needs."""
    hyphen = field.replace("_", "-")
    return (f"{where}: the flow log has no {hyphen} field; NAT attribution needs pkt-srcaddr and pkt-dstaddr "
            f"(flow-log version 3+): create the flow log with a custom format such as --log-format "
            f"'{CUSTOM_FORMAT}'")


def aggregate_sql(relation: str, nat_interface_ids: Sequence[str], start_epoch: int, end_epoch: int,
                  partition_predicate: str | None = None) -> str:
    """The aggregation over ``relation`` (a view or ``"db"."table"``) for the window [start, end) in epoch seconds."""
    where = f"\n  WHERE {partition_predicate}" if partition_predicate else ""
    return f"""WITH records AS (
  SELECT
    CASE WHEN interface_id IN {literal_list(nat_interface_ids)} THEN interface_id END AS nat_interface_id,
    CASE
      WHEN action NOT IN ('ACCEPT', 'REJECT') OR bytes IS NULL OR "start" IS NULL THEN 'no-data'
      WHEN "start" < {int(start_epoch)} OR "start" >= {int(end_epoch)} THEN 'outside-window'
      WHEN action = 'REJECT' THEN 'rejected'
      WHEN dstaddr <> pkt_dstaddr THEN 'from-source'
      WHEN srcaddr <> pkt_srcaddr THEN 'to-source'
      ELSE 'untranslated'
    END AS leg,
    pkt_srcaddr, pkt_dstaddr, bytes
  FROM {relation}{where}
)
SELECT
  nat_interface_id,
  leg,
  CASE
    WHEN nat_interface_id IS NULL THEN NULL
    WHEN leg = 'from-source' THEN pkt_srcaddr
    WHEN leg = 'to-source' THEN pkt_dstaddr
  END AS source_address,
  count(*) AS records,
  sum(bytes) AS bytes
FROM records
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3"""
