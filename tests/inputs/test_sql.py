"""The shared SQL text: quoting of snapshot strings, and partition pruning by the window."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from analyzer.inputs.cur_sql import snake
from analyzer.inputs.flow_sql import aggregate_sql
from analyzer.inputs.partitions import window_predicate
from analyzer.inputs.sql import literal_list, table_ref

START, END = datetime(2026, 10, 2, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)


def test_an_eni_id_with_a_quote_stays_a_string_literal():
    sql = aggregate_sql("t", ["eni-1", "eni-x') OR 1=1 --"], 0, 10)
    assert "'eni-x'') OR 1=1 --'" in sql
    con = duckdb.connect()
    con.execute("CREATE TABLE t (interface_id VARCHAR, srcaddr VARCHAR, dstaddr VARCHAR, pkt_srcaddr VARCHAR, "
                "pkt_dstaddr VARCHAR, bytes BIGINT, start BIGINT, action VARCHAR)")
    con.execute("INSERT INTO t VALUES ('eni-2', 'a', 'b', 'a', 'c', 5, 1, 'ACCEPT')")
    assert con.execute(sql).fetchall() == [(None, "from-source", None, 1, 5)]  # not a NAT ENI: counted only
    assert literal_list([]) == "(NULL)"
    assert table_ref('db"x', "t") == '"db""x"."t"'


def test_hive_year_month_day_partitions_prune_to_the_days_of_the_window():
    pred = window_predicate({"year": "string", "month": "string", "day": "string"}, START, END)
    assert pred == ("((\"year\" = '2026' AND \"month\" = '10' AND \"day\" BETWEEN '02' AND '31'))")
    across = window_predicate({"year": "int", "month": "int", "day": "int"}, datetime(2026, 12, 20, tzinfo=UTC),
                              datetime(2027, 1, 3, tzinfo=UTC))
    assert across == ('(("year" = 2026 AND "month" = 12 AND "day" BETWEEN 20 AND 31) OR '
                      '("year" = 2027 AND "month" = 1 AND "day" BETWEEN 1 AND 2))')


def test_legacy_cur_months_match_both_spellings_and_cur2_uses_billing_period():
    legacy = window_predicate({"year": "string", "month": "string"}, datetime(2026, 9, 5, tzinfo=UTC), START)
    assert legacy == "((\"year\" = '2026' AND \"month\" IN ('09', '9')) OR (\"year\" = '2026' AND \"month\" = '10'))"
    assert window_predicate({"BILLING_PERIOD": "string"}, START, END) == "\"BILLING_PERIOD\" = '2026-10'"
    assert window_predicate({"dt": "string"}, START, END) is None  # unknown layout: read whole, and said so


def test_legacy_cur_column_names_become_cur2_names():
    assert snake("lineItem/UsageType") == "line_item_usage_type"
    assert snake("lineItem/LineItemType") == "line_item_line_item_type"
    assert snake("bill/BillingPeriodStartDate") == "bill_billing_period_start_date"
    assert snake("line_item_resource_id") == "line_item_resource_id"
