"""The price book contract (analyzer/data/price_book.json, `prices refresh`, `--prices FILE`).

Prices are kept apart from costs (as Infracost does): a price is a unit price
with its date and source; ``costs.py`` multiplies it by a quantity.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from analyzer.contracts.base import Frozen
from analyzer.errors import PriceError

# --------------------------------------------------------------------------- prices


PriceKey = Literal[
    "nat_hour", "nat_gb", "regional_nat_hour", "regional_nat_gb", "ipv4_hour", "cross_az_gb", "internet_out_gb",
    "lambda_request", "lambda_gb_second", "alarm_month", "custom_metric_month", "logs_ingest_gb",
]
# What the egress analysis prices (report.json's cost components and its unverified-price assumptions).
COST_PRICE_KEYS: tuple[PriceKey, ...] = (
    "nat_hour", "nat_gb", "regional_nat_hour", "regional_nat_gb", "ipv4_hour", "cross_az_gb", "internet_out_gb"
)
# What the re-association guard costs to run (`lambda-egress guard`): Lambda, CloudWatch alarms, metrics and logs.
# Optional in a price book: one without them prices the NATs as before and the guard says what is missing.
GUARD_PRICE_KEYS: tuple[PriceKey, ...] = (
    "lambda_request", "lambda_gb_second", "alarm_month", "custom_metric_month", "logs_ingest_gb"
)
PRICE_KEYS: tuple[PriceKey, ...] = COST_PRICE_KEYS + GUARD_PRICE_KEYS
PRICE_BOOK_SCHEMA_VERSION = "1"


class Price(Frozen):
    """A unit price with where and when it was read."""

    usd: Decimal = Field(ge=0)
    unit: str
    as_of: str
    source: str
    verified: bool = True
    note: str | None = None


class PriceBook(Frozen):
    """Unit prices per region. ``collect/prices.py`` writes one; ``pricing.py`` loads and checks it."""

    schema_version: str = PRICE_BOOK_SCHEMA_VERSION
    as_of: str
    currency: Literal["USD"] = "USD"
    source: str
    regions: dict[str, dict[PriceKey, Price]]
    origin: str = "bundled"  # where it was loaded from, for error messages

    def price(self, region: str, key: PriceKey) -> Price:
        prices = self.regions.get(region)
        if prices is None:
            known = ", ".join(sorted(self.regions)) or "none"
            raise PriceError(
                f"no prices for region {region} in the price book ({self.origin}; it has: {known}); "
                f"run `lambda-egress prices refresh --region {region} --out FILE` and pass --prices FILE"
            )
        if key not in prices:
            raise PriceError(f"price book ({self.origin}) has no {key} price for region {region}")
        return prices[key]

    def info(self, regions_used: set[str] | None = None) -> PriceBookInfo:
        """The book's date and source, and its unverified egress prices (the guard's are `guard`'s to state)."""
        unverified = tuple(
            f"{region}/{key}"
            for region, prices in sorted(self.regions.items())
            if regions_used is None or region in regions_used
            for key, price in prices.items()
            if not price.verified and key in COST_PRICE_KEYS
        )
        return PriceBookInfo(as_of=self.as_of, source=self.source, unverified=unverified)


class PriceBookInfo(Frozen):
    as_of: str
    source: str
    unverified: tuple[str, ...] = ()  # "region/price" keys whose value is an assumption
