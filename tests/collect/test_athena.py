"""--flow-logs-athena / --cur-athena against moto's Athena and Glue (a ThreadedMotoServer on 127.0.0.1).

moto does not execute SQL: its query results are seeded through the moto
server's API (POST /moto-api/static/athena/query-results). The rows seeded
here are the rows DuckDB returns when it runs the *same SQL text* the tool
sends to Athena, over the same files laid out as the Athena table (a Hive
folder tree with year/month/day partitions). So one test proves both: the
SQL is valid and right where the dialects agree, and the Athena path turns
Athena's string rows into the same snapshot records as the local path.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import urllib.request
from decimal import Decimal

import boto3
import duckdb
import pytest
from curgen import OCT, arn, item, nat_month, noise, write_parquet
from flowgen import BEFORE_WINDOW, V5, flow, text_to_parquet, write_text
from traffic_case import EC2_IP, GIB, LAMBDA_IP, NAT_IP, REMOTE, shared_nat_snapshot

from analyzer.collect.athena import AthenaTable, TableShape
from analyzer.collect.policy import load_policy
from analyzer.inputs.athena_sources import cur_query, flow_query
from analyzer.inputs.attach import TrafficOptions, attach
from analyzer.inputs.flow_logs import read_flow_logs
from analyzer.models import Settings
from analyzer.pipeline import exit_code_for
from analyzer.pricing import load_price_book
from analyzer.result import analyze

OUTPUT = "s3://athena-results/lambda-egress/"
FLOW_PARTITIONS = {"year": "string", "month": "string", "day": "string"}
FLOW_TYPES = {"bytes": "bigint", "start": "bigint", "end": "bigint", "packets": "bigint", "version": "int"}


def _hive_flow_logs(root):
    """The shared-NAT flows in October (in the window) and one September flow (a pruned partition)."""
    inside = write_text(root.parent / "in.log", [*flow("eni-nat-a", NAT_IP, LAMBDA_IP, REMOTE, 2 * GIB, GIB),
                                                 *flow("eni-nat-a", NAT_IP, EC2_IP, REMOTE, GIB // 2, GIB // 2)])
    before = write_text(root.parent / "before.log",
                        flow("eni-nat-a", NAT_IP, LAMBDA_IP, REMOTE, 9 * GIB, GIB, start=BEFORE_WINDOW))
    text_to_parquet(inside, root / "year=2026/month=10/day=15/a.parquet")
    text_to_parquet(before, root / "year=2026/month=09/day=20/b.parquet")
    return root


def _glue_table(database, table, columns, partitions):
    glue = boto3.client("glue", region_name="us-east-1")
    with contextlib.suppress(glue.exceptions.AlreadyExistsException):
        glue.create_database(DatabaseInput={"Name": database})
    glue.create_table(DatabaseName=database, TableInput={
        "Name": table,
        "StorageDescriptor": {"Columns": [{"Name": n, "Type": t} for n, t in columns.items()]},
        "PartitionKeys": [{"Name": n, "Type": t} for n, t in partitions.items()],
    })


def _duckdb_rows(sql, database, table, source):
    """Run the Athena SQL text, unchanged, on DuckDB over a view named like the Athena table."""
    con = duckdb.connect()
    con.execute(f'CREATE SCHEMA "{database}"')
    con.execute(f'CREATE VIEW "{database}"."{table}" AS {source}')
    rows = con.execute(sql).fetchall()
    con.close()
    return rows


def _seed_athena(server_url, rows, columns):
    """Queue one result set, shaped as Athena returns it: a header row, then strings (NULL: no VarCharValue)."""
    def cell(v):
        return {} if v is None else {"VarCharValue": str(v)}

    body = {"results": [{"rows": [{"Data": [cell(c) for c in columns]}, *({"Data": [cell(v) for v in r]}
                                                                          for r in rows)],
                         "column_info": [{"Name": c, "Type": "varchar"} for c in columns]}]}
    req = urllib.request.Request(f"{server_url}/moto-api/static/athena/query-results",
                                 data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(req).read()


def _queries_sent():
    athena = boto3.client("athena", region_name="us-east-1")
    ids = athena.list_query_executions()["QueryExecutionIds"]
    return [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


def _flow_columns():
    return {f.replace("-", "_"): FLOW_TYPES.get(f, "string") for f in V5}


def _prepare_flow_table(tmp_path, moto_server):
    root = _hive_flow_logs(tmp_path / "flows")
    snap = shared_nat_snapshot()
    _glue_table("flowdb", "flows", _flow_columns(), FLOW_PARTITIONS)
    target = AthenaTable("flowdb", "flows", "--flow-logs-athena", output=OUTPUT)
    query = flow_query(snap, target, TableShape(columns=_flow_columns(), partitions=FLOW_PARTITIONS))
    source = (f"SELECT * FROM read_parquet('{root}/**/*.parquet', hive_partitioning = true, "
              "hive_types_autocast = false)")
    rows = _duckdb_rows(query.sql, "flowdb", "flows", source)
    _seed_athena(moto_server.url, rows, ["nat_interface_id", "leg", "source_address", "records", "bytes"])
    return snap, root, query, rows


def test_flow_logs_in_athena_match_the_local_read_of_the_same_files(tmp_path, moto_server):
    snap, root, query, duck_rows = _prepare_flow_table(tmp_path, moto_server)
    assert '("year" = \'2026\' AND "month" = \'10\' AND "day" BETWEEN \'02\' AND \'31\')' in query.sql
    # the September partition is pruned by the predicate: DuckDB saw only the 8 October records
    assert sum(r[3] for r in duck_rows) == 8

    out = attach(snap, TrafficOptions(flow_logs_athena="flowdb.flows", athena_output=OUTPUT))

    local = read_flow_logs(snap, [root])  # local read: every file, filtered by record time
    expected = {("nat-a", "eni-l1"): 3.0 * GIB, ("nat-a", "eni-ec2"): 1.0 * GIB}
    assert {(r.nat_gateway_id, r.source_eni_id): r.bytes for r in out.flow_log_bytes} == expected
    assert out.flow_log_bytes == local.flow_log_bytes
    stats = out.coverage.flow_logs
    assert (stats.engine, stats.source, stats.attributed_records) == ("athena", "athena:flowdb.flows", 4)
    assert local.stats.outside_window == 4 and stats.outside_window == 0  # pruned in Athena, filtered locally
    (sent,) = _queries_sent()
    assert sent["Query"] == query.sql  # the text DuckDB ran is the text Athena got
    assert sent["QueryExecutionContext"]["Database"] == "flowdb"
    assert sent["ResultConfiguration"]["OutputLocation"].startswith(OUTPUT)
    assert out.coverage.errors == ()
    assert {"athena:StartQueryExecution", "athena:GetQueryResults", "glue:GetTable"} <= set(out.coverage.api_calls)

    result = analyze(out, load_price_book(), Settings())
    assert result.nat_gateways[0].attribution == "flow-logs"
    assert any(a.startswith("Flow-log SQL (athena): WITH records AS") for a in result.assumptions)


def test_cur_in_athena_matches_the_local_figures(tmp_path, moto_server):
    snap = shared_nat_snapshot()
    items = [*nat_month("nat-a"), *noise(), item("NatGateway-Hours", arn("nat-a"), 0, -5.0, OCT, kind="Credit")]
    parquet = write_parquet(tmp_path / "cur" / "billing_period=2026-10" / "cur-00001.snappy.parquet", items)
    columns = {c: "string" for c in ("line_item_resource_id", "line_item_usage_account_id",
                                     "line_item_line_item_type", "line_item_usage_type")}
    columns |= {"line_item_usage_amount": "double", "line_item_unblended_cost": "double",
                "line_item_usage_start_date": "timestamp", "line_item_usage_end_date": "timestamp",
                "bill_billing_period_start_date": "timestamp", "bill_billing_period_end_date": "timestamp"}
    partitions = {"billing_period": "string"}
    _glue_table("billing", "cur2", columns, partitions)
    target = AthenaTable("billing", "cur2", "--cur-athena")
    query = cur_query(snap, target, TableShape(columns=columns, partitions=partitions))
    assert "\"billing_period\" = '2026-10'" in query.sql
    source = (f"SELECT * FROM read_parquet('{tmp_path}/cur/**/*.parquet', hive_partitioning = true, "
              "hive_types_autocast = false)")
    rows = _duckdb_rows(query.sql, "billing", "cur2", source)
    _seed_athena(moto_server.url, rows, ["resource_id", "account_id", "line_item_type", "usage_type", "period_start",
                                         "period_end", "usage_start", "usage_end", "usage_amount", "cost",
                                         "line_items"])

    via_athena = attach(snap, TrafficOptions(cur_athena="billing.cur2", athena_output=OUTPUT))
    local = attach(snap, TrafficOptions(cur=(parquet,)))
    athena_report = analyze(via_athena, load_price_book(), Settings()).billing
    local_report = analyze(local, load_price_book(), Settings()).billing
    assert athena_report.nat_gateways == local_report.nat_gateways
    (nat_a,) = athena_report.nat_gateways
    assert nat_a.billed_usd == Decimal("37.37") and nat_a.adjustments_usd == Decimal("-5.00")
    assert athena_report.source == "athena:billing.cur2"


def test_a_denied_athena_query_is_a_coverage_gap_and_exit_3(tmp_path, moto_server):
    from moto_server import Fault

    _prepare_flow_table(tmp_path, moto_server)
    moto_server.layer.faults.append(Fault("athena", "us-east-1", "StartQueryExecution", "deny"))
    out = attach(shared_nat_snapshot(), TrafficOptions(flow_logs_athena="flowdb.flows", athena_output=OUTPUT))
    (error,) = out.coverage.errors
    assert (error.operation, error.error_code) == ("StartQueryExecution", "AccessDeniedException")
    assert out.flow_log_bytes == () and out.coverage.flow_logs is None
    result = analyze(out, load_price_book(), Settings())
    assert result.nat_gateways[0].attribution == "eni-share"  # falls back, and says so
    assert exit_code_for(result, None) == 3


def test_unknown_table_and_a_table_without_pkt_srcaddr_are_input_errors(tmp_path, moto_server):
    from analyzer.errors import InputError

    snap = shared_nat_snapshot()
    boto3.client("glue", region_name="us-east-1").create_database(DatabaseInput={"Name": "flowdb"})
    with pytest.raises(InputError, match=r"flowdb\.nope: no such table"):
        attach(snap, TrafficOptions(flow_logs_athena="flowdb.nope", athena_output=OUTPUT))
    v2 = {c: t for c, t in _flow_columns().items() if not c.startswith("pkt_")}
    _glue_table("flowdb", "v2", v2, FLOW_PARTITIONS)
    with pytest.raises(InputError, match=r"flowdb\.v2: the flow log has no pkt-srcaddr field"):
        attach(snap, TrafficOptions(flow_logs_athena="flowdb.v2", athena_output=OUTPUT))


def test_the_athena_path_calls_only_the_optional_athena_statement(tmp_path, moto_server):
    snap, *_ = _prepare_flow_table(tmp_path, moto_server)
    moto_server.layer.seen.clear()
    attach(snap, TrafficOptions(flow_logs_athena="flowdb.flows", athena_output=OUTPUT))
    called = {f"{svc}:{op}" for svc, _region, op in moto_server.layer.seen}
    statement = next(s for s in load_policy()["Statement"] if s["Sid"] == "OptionalAthenaInputs")
    assert called - {"sts:GetCallerIdentity"} <= set(statement["Action"])
    assert {"athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
            "glue:GetTable"} <= called


@pytest.mark.e2e
def test_report_cli_with_flow_logs_athena(tmp_path, moto_server):
    snap, *_ = _prepare_flow_table(tmp_path, moto_server)
    path = tmp_path / "snapshot.json"
    path.write_text(snap.model_dump_json())
    proc = subprocess.run([sys.executable, "-m", "analyzer", "report", str(path), "--flow-logs-athena",
                           "flowdb.flows", "--athena-output", OUTPUT, "--athena-workgroup", "primary",
                           "--out", str(tmp_path / "out"), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "out/report.json").read_text())
    assert report["nat_gateways"][0]["attribution"] == "flow-logs"
    assert report["coverage"]["flow_logs"]["engine"] == "athena"
