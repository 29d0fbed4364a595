"""prices.py: Price List API rows -> PriceBook, exact usagetype matching, the CLI that writes it.

moto has no Pricing API, so every test stubs the ``pricing`` client with
botocore's Stubber. The rows are shaped like real GetProducts answers:
``PriceList`` is a list of JSON *strings* (product.attributes, terms.OnDemand
.<sku.offer>.priceDimensions.<rate>.pricePerUnit.USD, unit "Hrs"/"GB").
Usagetypes and the us-east-1/eu-west-1 prices are those AWS publishes; the
RegionalNatGateway and Prvd prices are made up, and deliberately different,
so a matcher that let them in would change a number or raise.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.collect import prices as prices_module
from analyzer.collect.prices import refresh_price_book
from analyzer.errors import AwsAccessError, PriceError
from analyzer.pricing import PRICE_KEYS, dump_price_book, load_price_book, parse_price_book

TODAY = date(2026, 10, 20)
LOCATIONS = {"us-east-1": "US East (N. Virginia)", "eu-west-1": "EU (Ireland)",
             "sa-east-1": "South America (Sao Paulo)"}


def row(service: str, region: str, usagetype: str, usd: str, unit: str, family: str, group: str) -> str:
    sku = hashlib.sha1(f"{region}/{usagetype}".encode()).hexdigest()[:16].upper()
    return json.dumps({
        "product": {
            "productFamily": family,
            "attributes": {"regionCode": region, "servicecode": service, "usagetype": usagetype,
                           "locationType": "AWS Region", "location": LOCATIONS.get(region, region),
                           "servicename": "Amazon Elastic Compute Cloud" if service == "AmazonEC2"
                           else "Amazon Virtual Private Cloud", "operation": "NatGateway", "group": group},
            "sku": sku,
        },
        "serviceCode": service,
        "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {
            "priceDimensions": {f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                "unit": unit, "endRange": "Inf", "description": f"${usd} per {unit}", "appliesTo": [],
                "rateCode": f"{sku}.JRTCKXETXF.6YS6EN2CT7", "beginRange": "0", "pricePerUnit": {"USD": usd}}},
            "sku": sku, "effectiveDate": "2026-09-01T00:00:00Z", "offerTermCode": "JRTCKXETXF",
            "termAttributes": {}}}},
        "version": "20260915001122", "publicationDate": "2026-09-15T00:11:22Z",
    })


def nat_rows(region: str, prefix: str, usd: str) -> list[str]:
    ec2 = ("AmazonEC2", region)
    return [
        row(*ec2, f"{prefix}RegionalNatGateway-Hours", "0.0990000000", "Hrs", "NAT Gateway", "NGW:NatGateway"),
        row(*ec2, f"{prefix}NatGateway-Hours", usd, "Hrs", "NAT Gateway", "NGW:NatGateway"),
        row(*ec2, f"{prefix}NatGateway-Prvd-Gbps", "0.5000000000", "Gbps-hrs", "NAT Gateway", "NGW:NatGateway"),
        row(*ec2, f"{prefix}RegionalNatGateway-Bytes", "0.0770000000", "GB", "NAT Gateway", "NGW:NatGateway"),
        row(*ec2, f"{prefix}NatGateway-Bytes", usd, "GB", "NAT Gateway", "NGW:NatGateway"),
    ]


def ip_rows(region: str, prefix: str) -> list[str]:
    vpc = ("AmazonVPC", region)
    return [
        row(*vpc, f"{prefix}PublicIPv4:IdleAddress", "0.0060000000", "Hrs", "VPC", "VPCPublicIPv4Address"),
        row(*vpc, f"{prefix}PublicIPv4:InUseAddress", "0.0050000000", "Hrs", "VPC", "VPCPublicIPv4Address"),
    ]


def nat_params(region: str, token: str | None = None) -> dict:
    params = {"ServiceCode": "AmazonEC2", "Filters": [
        {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "NAT Gateway"},
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]}
    return {**params, "NextToken": token} if token else params


def ip_params(region: str) -> dict:
    return {"ServiceCode": "AmazonVPC", "Filters": [
        {"Type": "TERM_MATCH", "Field": "group", "Value": "VPCPublicIPv4Address"},
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]}


def stub_region(stub: Stubber, region: str, prefix: str, usd: str) -> None:
    stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": nat_rows(region, prefix, usd)},
                      nat_params(region))
    stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": ip_rows(region, prefix)},
                      ip_params(region))


@pytest.fixture
def pricing():
    return boto3.client("pricing", region_name="us-east-1")


def test_eu_west_1_takes_only_the_exact_usagetypes(pricing) -> None:
    with Stubber(pricing) as stub:
        stub_region(stub, "eu-west-1", "EU-", "0.0480000000")
        book = refresh_price_book(None, ("eu-west-1",), load_price_book(), client=pricing, today=TODAY)
        stub.assert_no_pending_responses()

    prices = book.regions["eu-west-1"]
    assert list(prices) == list(PRICE_KEYS)
    assert {k: (p.usd, p.unit) for k, p in prices.items() if k in ("nat_hour", "nat_gb", "ipv4_hour")} == {
        "nat_hour": (Decimal("0.048"), "hour"), "nat_gb": (Decimal("0.048"), "GB"),
        "ipv4_hour": (Decimal("0.005"), "IP-hour")}
    hour = prices["nat_hour"]
    assert (hour.as_of, hour.verified) == ("2026-10-20", True)
    assert hour.source == ("AWS Price List API, service AmazonEC2, productFamily 'NAT Gateway', "
                           "usagetype EU-NatGateway-Hours")
    assert prices["nat_gb"].source.endswith("usagetype EU-NatGateway-Bytes")
    assert prices["ipv4_hour"].source.endswith("group VPCPublicIPv4Address, usagetype EU-PublicIPv4:InUseAddress")
    bundled = load_price_book().regions["eu-west-1"]
    assert prices["cross_az_gb"] == bundled["cross_az_gb"]  # data-transfer page prices keep their source
    assert prices["internet_out_gb"] == bundled["internet_out_gb"]
    assert book.as_of == "2026-10-20" and "AWS Price List API" in book.source


def test_us_east_1_has_no_prefix_and_pages_are_followed(pricing) -> None:
    rows = nat_rows("us-east-1", "", "0.0450000000")
    with Stubber(pricing) as stub:
        stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": rows[:2], "NextToken": "p2"},
                          nat_params("us-east-1"))
        stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": rows[2:]},
                          nat_params("us-east-1", "p2"))
        stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": ip_rows("us-east-1", "USE1-")},
                          ip_params("us-east-1"))
        book = refresh_price_book(None, ("us-east-1",), load_price_book(), client=pricing, today=TODAY)
        stub.assert_no_pending_responses()

    prices = book.regions["us-east-1"]
    assert (prices["nat_hour"].usd, prices["nat_gb"].usd, prices["ipv4_hour"].usd) == (
        Decimal("0.045"), Decimal("0.045"), Decimal("0.005"))
    assert prices["nat_gb"].source.endswith("usagetype NatGateway-Bytes")  # second page
    assert prices["ipv4_hour"].source.endswith("usagetype USE1-PublicIPv4:InUseAddress")


def test_region_without_nat_rows_is_a_price_error(pricing) -> None:
    only_others = [r for r in nat_rows("eu-west-1", "EU-", "0.048") if "Regional" in r or "Prvd" in r]
    with Stubber(pricing) as stub:
        stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": only_others},
                          nat_params("eu-west-1"))
        with pytest.raises(PriceError, match="no NAT gateway prices for region eu-west-1"):
            refresh_price_book(None, ("eu-west-1",), load_price_book(), client=pricing, today=TODAY)


def test_denied_api_is_a_one_line_access_error(pricing) -> None:
    with Stubber(pricing) as stub:
        stub.add_client_error("get_products", "AccessDeniedException",
                              "User is not authorized to perform: pricing:GetProducts", http_status_code=400)
        with pytest.raises(AwsAccessError, match="GetProducts \\(AmazonEC2\\) failed: AccessDeniedException"):
            refresh_price_book(None, ("us-east-1",), load_price_book(), client=pricing, today=TODAY)


def test_new_region_assumes_transfer_prices_and_marks_them_unverified(pricing) -> None:
    with Stubber(pricing) as stub:
        stub_region(stub, "sa-east-1", "SAE1-", "0.0930000000")
        book = refresh_price_book(None, ("sa-east-1",), _bundled_without("sa-east-1"), client=pricing, today=TODAY)

    prices = book.regions["sa-east-1"]
    assert prices["nat_hour"].usd == Decimal("0.093") and prices["nat_hour"].verified
    cross = prices["cross_az_gb"]
    assert (cross.usd, cross.verified, cross.note) == (
        Decimal("0.01"), False, "assumed: the inter-AZ rate is the same in every commercial region")
    internet = prices["internet_out_gb"]
    assert (internet.usd, internet.verified) == (Decimal("0.09"), False)
    assert "us-east-1" in (internet.note or "") and "never counted" in (internet.note or "")
    assert book.info().unverified == ("sa-east-1/cross_az_gb", "sa-east-1/internet_out_gb")
    # The guard's prices are not fetched: kept from the bundled book, us-east-1's for a region it lacks.
    request = prices["lambda_request"]
    assert (request.usd, request.verified) == (Decimal("0.0000002"), False)
    assert request.note == "assumed: us-east-1's list price; sa-east-1's may differ (the guard's cost only)"
    assert {"lambda_gb_second", "alarm_month", "custom_metric_month", "logs_ingest_gb"} <= set(prices)


def _bundled_without(*regions: str):
    book = load_price_book()
    return book.model_copy(update={"regions": {r: p for r, p in book.regions.items() if r not in regions}})


def _bundled_only(*regions: str):
    book = load_price_book()
    return book.model_copy(update={"regions": {r: p for r, p in book.regions.items() if r in regions}})


def test_default_regions_are_the_bundled_ones_and_the_book_round_trips(pricing) -> None:
    prefixes = {"us-east-1": "", "us-west-2": "USW2-", "eu-west-1": "EU-", "eu-central-1": "EUC1-",
                "ap-northeast-1": "APN1-", "ap-southeast-1": "APS1-"}
    bundled = _bundled_only(*prefixes)
    with Stubber(pricing) as stub:
        for region in bundled.regions:
            stub_region(stub, region, prefixes[region], "0.0520000000")
        book = refresh_price_book(None, (), bundled, client=pricing, today=TODAY)
        stub.assert_no_pending_responses()

    assert list(book.regions) == list(bundled.regions)
    assert book.regions["eu-central-1"]["nat_gb"].verified  # the bundled guess is replaced by an API price
    again = parse_price_book(json.loads(dump_price_book(book)), "x")
    assert again.regions == book.regions and again.as_of == book.as_of and again.origin == "x"


def test_cli_writes_the_refreshed_book(pricing, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(prices_module, "make_client", lambda session: pricing)
    out = tmp_path / "prices.json"
    with Stubber(pricing) as stub:
        stub_region(stub, "eu-west-1", "EU-", "0.0480000000")
        result = CliRunner().invoke(app, ["prices", "refresh", "--region", "eu-west-1", "--out", str(out)])

    assert result.exit_code == 0, result.output
    written = load_price_book(out)
    assert list(written.regions) == ["eu-west-1"]
    assert written.price("eu-west-1", "nat_hour").usd == Decimal("0.048")


def test_cli_unknown_region_is_one_line_and_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    proc = subprocess.run([sys.executable, "-m", "analyzer", "prices", "refresh", "--region", "mars-north-1",
                           "--out", str(out)], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: unknown region: mars-north-1"
    assert not out.exists()


def test_policy_has_an_optional_statement_for_prices_refresh() -> None:
    from analyzer.collect.policy import load_policy

    statements = {s["Sid"]: s for s in load_policy()["Statement"]}
    assert statements["OptionalPricesRefresh"] == {
        "Sid": "OptionalPricesRefresh", "Effect": "Allow", "Action": ["pricing:GetProducts"], "Resource": "*"}
    assert "pricing:GetProducts" not in statements["LambdaEgressReadOnlyScan"]["Action"]  # a scan never prices


def test_all_regions_refreshes_every_commercial_region_and_keeps_bundled_prices_the_api_lacks(
        pricing, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prices_module, "commercial_regions", lambda: ("eu-west-1", "sa-east-1"))
    with Stubber(pricing) as stub:
        stub_region(stub, "eu-west-1", "EU-", "0.0480000000")
        stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": []}, nat_params("sa-east-1"))
        book = refresh_price_book(None, (), load_price_book(), client=pricing, today=TODAY, all_regions=True)
        stub.assert_no_pending_responses()

    assert list(book.regions) == ["eu-west-1", "sa-east-1"]
    assert book.regions["eu-west-1"]["nat_hour"].verified
    kept = book.regions["sa-east-1"]["nat_hour"]
    assert kept.usd == load_price_book().regions["sa-east-1"]["nat_hour"].usd and not kept.verified
    assert "kept from the bundled book" in (kept.note or "")
    assert book.source.endswith("not in the API, kept from the bundled book: sa-east-1")


def test_all_regions_lists_the_commercial_partition_only() -> None:
    regions = prices_module.commercial_regions()
    assert {"us-east-1", "eu-west-1", "sa-east-1", "ap-southeast-7"} <= set(regions)
    assert not [r for r in regions if r.startswith(("us-gov-", "cn-"))]
