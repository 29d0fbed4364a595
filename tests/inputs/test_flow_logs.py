"""--flow-logs: every supported shape gives the same bytes per source ENI; what is not attributed is counted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flowgen import BEFORE_WINDOW, CUSTOM, V2, V5, flow, record, text_to_parquet, write_text
from traffic_case import EC2_IP, GIB, LAMBDA_IP, NAT_IP, OTHER_VPC_IP, REMOTE

from analyzer.errors import InputError
from analyzer.inputs.flow_logs import read_flow_logs
from analyzer.models import Settings
from analyzer.pricing import load_price_book
from analyzer.result import analyze

D = Decimal


def _shared_records():
    """Lambda ENI: 2 GiB out + 1 GiB back = 3 GiB; EC2 ENI: 0.5 + 0.5 = 1 GiB. Split 75/25."""
    return [*flow("eni-nat-a", NAT_IP, LAMBDA_IP, REMOTE, 2 * GIB, GIB),
            *flow("eni-nat-a", NAT_IP, EC2_IP, REMOTE, GIB // 2, GIB // 2)]


def _bytes(read):
    return {(r.nat_gateway_id, r.source_eni_id): r.bytes for r in read.flow_log_bytes}


EXPECTED = {("nat-a", "eni-l1"): 3.0 * GIB, ("nat-a", "eni-ec2"): 1.0 * GIB}


def test_v5_text_gzip_with_header(tmp_path, shared_nat):
    path = write_text(tmp_path / "123456789012_vpcflowlogs_us-east-1_fl-1_20261015T1200Z_a1.log.gz",
                      _shared_records(), V5)
    read = read_flow_logs(shared_nat, [path])
    assert _bytes(read) == EXPECTED
    assert read.stats.records == 8 and read.stats.attributed_records == 4 and read.stats.nat_side == 4
    assert read.stats.engine == "duckdb" and "GROUP BY 1, 2, 3" in read.stats.query


def test_custom_field_order_plain_text(tmp_path, shared_nat):
    path = write_text(tmp_path / "flows.log", _shared_records(), CUSTOM)
    assert _bytes(read_flow_logs(shared_nat, [path])) == EXPECTED


def test_parquet_file_and_hive_folders_recursively(tmp_path, shared_nat):
    text = write_text(tmp_path / "src.log", _shared_records(), V5)
    single = text_to_parquet(text, tmp_path / "one" / "flows.parquet")
    assert _bytes(read_flow_logs(shared_nat, [single])) == EXPECTED

    hive = tmp_path / "AWSLogs" / "aws-account-id=123456789012" / "aws-service=vpcflowlogs"
    lambda_only = write_text(tmp_path / "l.log", flow("eni-nat-a", NAT_IP, LAMBDA_IP, REMOTE, 2 * GIB, GIB))
    ec2_only = write_text(tmp_path / "e.log", flow("eni-nat-a", NAT_IP, EC2_IP, REMOTE, GIB // 2, GIB // 2))
    text_to_parquet(lambda_only, hive / "aws-region=us-east-1/year=2026/month=10/day=15/hour=12/a.log.parquet")
    text_to_parquet(ec2_only, hive / "aws-region=us-east-1/year=2026/month=10/day=16/hour=01/b.log.parquet")
    assert _bytes(read_flow_logs(shared_nat, [tmp_path / "AWSLogs"])) == EXPECTED


def test_text_and_parquet_mixed_in_one_read(tmp_path, shared_nat):
    write_text(tmp_path / "t" / "l.log.gz", flow("eni-nat-a", NAT_IP, LAMBDA_IP, REMOTE, 2 * GIB, GIB))
    ec2_only = write_text(tmp_path / "e.log", flow("eni-nat-a", NAT_IP, EC2_IP, REMOTE, GIB // 2, GIB // 2),
                          CUSTOM)
    text_to_parquet(write_text(tmp_path / "x.log", []), tmp_path / "t" / "empty.parquet")
    assert _bytes(read_flow_logs(shared_nat, [tmp_path / "t", ec2_only])) == EXPECTED


def test_shared_nat_split_75_25_by_bytes_prices_the_nat_share_by_hand(tmp_path, shared_nat):
    read = read_flow_logs(shared_nat, [write_text(tmp_path / "f.log.gz", _shared_records())])
    snap = shared_nat.model_copy(update={
        "flow_log_bytes": read.flow_log_bytes,
        "coverage": shared_nat.coverage.model_copy(update={"flow_logs": read.stats})})
    result = analyze(snap, load_price_book(), Settings())
    nat = result.nat_gateways[0]
    assert (nat.attribution, nat.confidence, nat.lambda_share) == ("flow-logs", "high", D("0.7500"))
    (s,) = result.scenarios
    # 100 GiB in 30 days -> 100 x 730 / 720 = 101.3888... GB/month; us-east-1: $0.045/h, $0.045/GB, $0.005/IP-h.
    # current: 730 x 0.045 = 32.85; 101.389 x 0.045 = 4.5625 -> 4.56; one NAT IP 730 x 0.005 = 3.65
    assert s.current_monthly_usd == D("32.85") + D("4.56") + D("3.65")
    # proposed: the NAT stays for the EC2 ENI with 25% of the bytes: 101.3888 x 0.25 = 25.347 GB x 0.045
    # = 1.1406 -> 1.14; plus its hours 32.85 and IP 3.65; plus one EIP for the Lambda ENI group 3.65
    proposed = {c.name: c.monthly_usd for c in s.components if c.design == "proposed"}
    assert proposed["NAT data processing"] == D("1.14")
    assert s.proposed_monthly_usd == D("1.14") + D("32.85") + D("3.65") + D("3.65")
    assert any("VPC Flow Logs" in a and "8 records; 4 attributed" in a for a in result.assumptions)
    assert any(a.startswith("Flow-log SQL (duckdb): WITH records AS") for a in result.assumptions)


def test_records_outside_the_window_rejected_unknown_and_other_interfaces_are_counted(tmp_path, shared_nat):
    records = [
        *_shared_records(),
        *flow("eni-nat-a", NAT_IP, LAMBDA_IP, REMOTE, 7 * GIB, GIB, start=BEFORE_WINDOW),  # 4 outside
        record("eni-nat-a", LAMBDA_IP, NAT_IP, LAMBDA_IP, REMOTE, 999, action="REJECT"),  # 1 rejected
        *flow("eni-nat-a", NAT_IP, "10.0.7.7", REMOTE, GIB, GIB),  # 2 unknown (2 GiB), 2 NAT-side
        *flow("eni-nat-a", NAT_IP, OTHER_VPC_IP, REMOTE, GIB, 0),  # 2 other VPC (1 GiB), 2 NAT-side
        record("eni-l1", LAMBDA_IP, REMOTE, LAMBDA_IP, REMOTE, 5000),  # the Lambda ENI's own record
        record("eni-somewhere", "10.9.0.1", REMOTE, "10.9.0.1", REMOTE, 5000),  # an ENI of an unscanned VPC
        record("eni-nat-a", "-", "-", "-", "-", 0, status="NODATA"),
    ]
    read = read_flow_logs(shared_nat, [write_text(tmp_path / "f.log.gz", records)])
    st = read.stats
    assert (st.records, st.attributed_records, st.outside_window, st.rejected, st.unknown_address, st.other_vpc,
            st.other_interfaces, st.no_data, st.nat_side) == (24, 4, 4, 1, 2, 2, 2, 1, 8)
    assert _bytes(read) == EXPECTED  # nothing outside the window or unknown is attributed
    (n,) = st.nats
    assert (n.nat_gateway_id, n.attributed_bytes, n.unattributed_bytes) == ("nat-a", 4 * GIB, 3 * GIB)
    assert (st.window_start.isoformat(), st.window_end.isoformat()) == (
        "2026-10-02T00:00:00+00:00", "2026-11-01T00:00:00+00:00")

    snap = shared_nat.model_copy(update={
        "flow_log_bytes": read.flow_log_bytes,
        "coverage": shared_nat.coverage.model_copy(update={"flow_logs": st})})
    result = analyze(snap, load_price_book(), Settings())
    # unknown and other-VPC bytes count as non-Lambda: 3 GiB Lambda of 3 + 1 + 3 = 7 GiB
    assert result.nat_gateways[0].lambda_share == (D(3) / D(7)).quantize(D("0.0001"))
    assert result.nat_gateways[0].confidence == "medium"  # 3 of 7 GiB from unknown or other-VPC addresses
    text = next(a for a in result.assumptions if a.startswith("VPC Flow Logs"))
    for part in ("24 records", "4 attributed", "4 outside the window", "1 REJECT", "1 without data",
                 "2 of other ENIs or VPCs", "2 from unknown addresses", "2 from other VPCs"):
        assert part in text


def test_a_log_without_pkt_srcaddr_is_one_line_naming_the_field_and_format(tmp_path, shared_nat):
    path = write_text(tmp_path / "default.log.gz", [record("eni-nat-a", LAMBDA_IP, NAT_IP, LAMBDA_IP, REMOTE, 1)],
                      V2)
    with pytest.raises(InputError) as err:
        read_flow_logs(shared_nat, [path])
    message = err.value.message
    assert "no pkt-srcaddr field" in message and "${pkt-srcaddr} ${pkt-dstaddr}" in message
    assert str(path) in message and "\n" not in message


def test_parquet_without_pkt_srcaddr_is_refused_too(tmp_path, shared_nat):
    import duckdb

    path = tmp_path / "old.parquet"
    duckdb.connect().execute(f"COPY (SELECT 'eni-nat-a' AS interface_id, 1::BIGINT AS bytes) TO '{path}'")
    with pytest.raises(InputError, match="no pkt-srcaddr field"):
        read_flow_logs(shared_nat, [path])


def test_missing_path_empty_folder_and_headerless_file_are_input_errors(tmp_path, shared_nat):
    with pytest.raises(InputError, match="no such file or folder"):
        read_flow_logs(shared_nat, [tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no flow-log files"):
        read_flow_logs(shared_nat, [tmp_path / "empty"])
    (tmp_path / "bare.log").write_text("5 123456789012 eni-nat-a 10.0.1.5 10.0.0.220\n")
    with pytest.raises(InputError, match="no header line"):
        read_flow_logs(shared_nat, [tmp_path / "bare.log"])


def test_a_garbled_number_names_the_file_in_one_line(tmp_path, shared_nat):
    path = write_text(tmp_path / "bad.log", [record("eni-nat-a", LAMBDA_IP, NAT_IP, LAMBDA_IP, REMOTE, 1)], V5)
    path.write_text(path.read_text().replace(" 1 1792", " lots 1792"))  # the bytes field
    with pytest.raises(InputError) as err:
        read_flow_logs(shared_nat, [path])
    assert str(path) in err.value.message and "\n" not in err.value.message
