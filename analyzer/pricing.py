"""Price book: load, validate, look up.

Prices are kept apart from costs (as Infracost does): a price is a unit price
with its date and source; ``costs.py`` multiplies it by a quantity. A region
or price the book lacks is an error naming it, never a silent zero.
"""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analyzer.errors import PriceError
from analyzer.models import PriceBookInfo
from analyzer.snapshot import describe_validation_error

PriceKey = Literal["nat_hour", "nat_gb", "ipv4_hour", "cross_az_gb", "internet_out_gb"]
PRICE_KEYS: tuple[PriceKey, ...] = ("nat_hour", "nat_gb", "ipv4_hour", "cross_az_gb", "internet_out_gb")
PRICE_BOOK_SCHEMA_VERSION = "1"


class Price(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    usd: Decimal = Field(ge=0)
    unit: str
    as_of: str
    source: str
    verified: bool = True
    note: str | None = None


class PriceBook(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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


def parse_price_book(data: object, origin: str) -> PriceBook:
    if not isinstance(data, dict):
        raise PriceError(f"{origin}: a price book is a JSON object")
    version = str(data.get("schema_version", PRICE_BOOK_SCHEMA_VERSION))
    if version != PRICE_BOOK_SCHEMA_VERSION:
        raise PriceError(f"{origin}: price book schema_version {version!r} is not supported")
    try:
        return PriceBook.model_validate({**data, "origin": origin})
    except ValidationError as exc:
        raise PriceError(f"{origin}: invalid price book: {describe_validation_error(exc)}") from None


def load_price_book(path: Path | None = None) -> PriceBook:
    """The bundled price book, or the one at ``path``."""
    if path is None:
        text = resources.files("analyzer").joinpath("data/price_book.json").read_text("utf-8")
        return parse_price_book(json.loads(text), "bundled price book")
    path = Path(path)
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise PriceError(f"{path}: no such price book") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PriceError(f"{path}: cannot read price book ({exc})") from None
    except json.JSONDecodeError as exc:
        raise PriceError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return parse_price_book(data, str(path))


def dump_price_book(book: PriceBook) -> str:
    return book.model_dump_json(indent=2, exclude={"origin"}) + "\n"


def price_rows(book: PriceBook, regions: tuple[str, ...] = ()) -> list[str]:
    """Plain text lines, one price each, for `lambda-egress prices show`."""
    for region in regions:
        book.price(region, "nat_hour")  # a clear error for an unknown region
    rows = [f"price book: {book.origin}, as of {book.as_of}", f"source: {book.source}"]
    for region in sorted(regions or book.regions):
        for key, price in book.regions[region].items():
            flag = "" if price.verified else "  (unverified)"
            rows.append(f"{region:<16} {key:<16} ${price.usd} per {price.unit}{flag}")
    return rows
