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
    "nat_hour", "nat_gb", "regional_nat_hour", "regional_nat_gb", "ipv4_hour", "cross_az_gb", "internet_out_gb"
]
PRICE_KEYS: tuple[PriceKey, ...] = (
    "nat_hour", "nat_gb", "regional_nat_hour", "regional_nat_gb", "ipv4_hour", "cross_az_gb", "internet_out_gb"
)
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
        unverified = tuple(
            f"{region}/{key}"
            for region, prices in sorted(self.regions.items())
            if regions_used is None or region in regions_used
            for key, price in prices.items()
            if not price.verified
        )
        return PriceBookInfo(as_of=self.as_of, source=self.source, unverified=unverified)


class PriceBookInfo(Frozen):
    as_of: str
    source: str
    unverified: tuple[str, ...] = ()  # "region/price" keys whose value is an assumption
