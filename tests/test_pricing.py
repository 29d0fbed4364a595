"""The price book: bundled prices, lookups, and errors that name what is missing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from analyzer.errors import PriceError
from analyzer.pricing import PRICE_KEYS, dump_price_book, load_price_book, parse_price_book

# Seen in the Price List API (AWS_FACTS.md): $/NAT-hour = $/GB processed.
NAT_PRICES = {"us-east-1": "0.045", "us-west-2": "0.045", "eu-west-1": "0.048", "ap-northeast-1": "0.062",
              "ap-southeast-1": "0.059"}


def test_bundled_book_has_every_price_with_date_and_source():
    book = load_price_book()
    assert {"us-east-1", "eu-west-1", "ap-northeast-1"} <= set(book.regions)
    for region, prices in book.regions.items():
        assert set(prices) == set(PRICE_KEYS), region
        for price in prices.values():
            assert price.as_of and price.source
    for region, usd in NAT_PRICES.items():
        assert book.price(region, "nat_hour").usd == Decimal(usd)
        assert book.price(region, "nat_gb").usd == Decimal(usd)
        assert book.price(region, "ipv4_hour").usd == Decimal("0.005")


def test_unverified_prices_are_listed_for_the_regions_used():
    info = load_price_book().info({"eu-central-1"})
    assert "eu-central-1/nat_gb" in info.unverified  # hourly price seen, GB price assumed equal
    assert all(key.startswith("eu-central-1/") for key in info.unverified)


def test_missing_region_and_missing_price_name_what_is_missing():
    book = load_price_book()
    with pytest.raises(PriceError, match="no prices for region xx-nowhere-1"):
        book.price("xx-nowhere-1", "nat_hour")
    data = json.loads(dump_price_book(book))
    del data["regions"]["eu-west-1"]["nat_gb"]
    with pytest.raises(PriceError, match="no nat_gb price for region eu-west-1"):
        parse_price_book(data, "custom.json").price("eu-west-1", "nat_gb")


def test_bad_price_files_are_one_line_errors(tmp_path):
    bad = tmp_path / "prices.json"
    bad.write_text("{not json")
    with pytest.raises(PriceError, match="not valid JSON"):
        load_price_book(bad)
    data = json.loads(dump_price_book(load_price_book()))
    data["regions"]["us-east-1"]["nat_hour"]["usd"] = "-1"
    bad.write_text(json.dumps(data))
    with pytest.raises(PriceError, match=r"regions\.us-east-1\.nat_hour\.usd"):
        load_price_book(bad)
    with pytest.raises(PriceError, match="no such price book"):
        load_price_book(tmp_path / "missing.json")


def test_bundled_book_prices_every_commercial_region_with_every_key_dated_and_sourced():
    import boto3

    from analyzer.models import PRICE_KEYS

    commercial = set(boto3.Session().get_available_regions("ec2", partition_name="aws"))
    book = load_price_book()
    assert commercial - set(book.regions) == set(), "regions missing from analyzer/data/price_book.json"
    for region in commercial:
        prices = book.regions[region]
        assert set(prices) == set(PRICE_KEYS), region
        for key, price in prices.items():
            assert price.as_of and price.source, f"{region}/{key}"
            assert price.verified or price.note, f"{region}/{key} is unverified without a note saying why"
