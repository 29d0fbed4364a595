"""--cur: CUR 2.0 Parquet and a legacy CUR CSV give the same billed figures; credits are never netted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from curgen import OCT, arn, item, nat_month, noise, write_csv, write_parquet
from traffic_case import shared_nat_snapshot

from analyzer.errors import InputError
from analyzer.inputs.cur import read_cur
from analyzer.models import Settings
from analyzer.pricing import load_price_book
from analyzer.result import analyze

D = Decimal


def _items():
    return [*nat_month("nat-a"), *nat_month("nat-gone", hours=100), *noise(),
            item("NatGateway-Hours", arn("nat-a"), 0, -5.0, OCT, kind="Credit")]


def _billing(snap, paths):
    data = read_cur(snap, paths)
    result = analyze(snap.model_copy(update={"billing": data}), load_price_book(), Settings())
    return data, result.billing


def _figures(report):
    return [(n.nat_gateway_id, n.billed_usd, n.billed_hours, n.billed_gb, n.adjustments_usd)
            for n in report.nat_gateways]


def test_cur2_parquet_and_legacy_csv_give_the_same_billed_figures(tmp_path):
    snap = shared_nat_snapshot()
    write_parquet(tmp_path / "cur2" / "data" / "BILLING_PERIOD=2026-10" / "x-00001.snappy.parquet",
                            _items())
    legacy = write_csv(tmp_path / "legacy" / "report-00001.csv.gz", _items(), legacy=True)
    _, from_parquet = _billing(snap, [tmp_path / "cur2"])
    _, from_legacy = _billing(snap, [legacy])
    assert _figures(from_parquet) == _figures(from_legacy)
    nat_a = next(n for n in from_parquet.nat_gateways if n.nat_gateway_id == "nat-a")
    # October: 744 hours x $0.045 = 33.48; 31 days x 3.3 GB = 102.3 GB x 0.045 = 4.6035; total 38.0835.
    # Normalised to the 730-hour model: x 730 / 744.
    assert nat_a.billed_hours == D("730.0")
    assert nat_a.billed_gb == (D("102.3") * 730 / 744).quantize(D("0.001"))  # 100.375
    assert nat_a.billed_usd == (D("38.0835") * 730 / 744).quantize(D("0.01"))  # 37.37
    # modelled: 730 x 0.045 = 32.85 + 101.389 GB x 0.045 = 4.56 -> 37.41; within 5%: not flagged
    assert nat_a.modelled_usd == D("37.41")
    assert nat_a.difference_usd == D("-0.04") and not nat_a.flagged
    assert [(p.period, p.hours, p.full_hours) for p in from_parquet.periods] == [("2026-10", 744, 744)]
    assert "x 730 / 744 hours covered" in from_parquet.normalisation


def test_a_credit_is_shown_apart_and_never_netted(tmp_path):
    snap = shared_nat_snapshot()
    _, report = _billing(snap, [write_csv(tmp_path / "cur.csv", _items())])
    nat_a = next(n for n in report.nat_gateways if n.nat_gateway_id == "nat-a")
    assert nat_a.adjustments_usd == D("-5.00")
    assert nat_a.billed_usd == D("37.37")  # the same as without the credit
    (credit,) = report.adjustments
    assert (credit.line_item_type, credit.nat_gateway_id, credit.cost_usd, credit.period) == (
        "Credit", "nat-a", D("-5"), "2026-10")


def test_a_nat_missing_from_the_snapshot_and_a_half_month_nat_are_flagged(tmp_path):
    snap = shared_nat_snapshot()
    items = [*nat_month("nat-a", hours=372, first_hour=372), *nat_month("nat-gone", hours=100)]
    _, report = _billing(snap, [write_csv(tmp_path / "cur.csv", items)])
    by_id = {n.nat_gateway_id: n for n in report.nat_gateways}
    gone = by_id["nat-gone"]
    assert gone.flagged and gone.modelled_usd is None and "not in the snapshot" in gone.reasons[0]
    half = by_id["nat-a"]
    # 372 h x 0.045 + 15.5 days... 15 days x 3.3 GB x 0.045, normalised x 730/744 -> about half of the model
    raw = D(372) * D("0.045") + D(15) * D("3.3") * D("0.045")
    assert half.billed_usd == (raw * 730 / 744).quantize(D("0.01"))
    assert half.flagged and abs(half.difference_pct) > 5
    assert any("created or deleted during the period" in r for r in half.reasons)


def test_an_unrelated_or_empty_cur_is_one_input_error(tmp_path):
    snap = shared_nat_snapshot()
    with pytest.raises(InputError, match="no NAT gateway line items"):
        read_cur(snap, [write_csv(tmp_path / "cur.csv", noise()[:1])])
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="no line_item_resource_id column"):
        read_cur(snap, [bad])


def test_a_month_to_date_report_is_normalised_by_the_hours_it_covers(tmp_path):
    snap = shared_nat_snapshot()
    _, report = _billing(snap, [write_csv(tmp_path / "cur.csv", nat_month("nat-a", hours=480))])
    (period,) = report.periods
    assert (period.period, period.hours, period.full_hours) == ("2026-10", 480, 744)
    (nat_a,) = report.nat_gateways
    # 480 h x 0.045 = 21.60 + 20 days x 3.3 GB x 0.045 = 2.97 -> 24.57 over 480 h, x 730 / 480
    assert nat_a.billed_hours == D("730.0")
    assert nat_a.billed_usd == (D("24.57") * 730 / 480).quantize(D("0.01"))  # 37.37
    assert "x 730 / 480 hours covered (2026-10: 480 of 744 h)" in report.normalisation
