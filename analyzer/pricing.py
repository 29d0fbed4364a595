"""Price book: load, validate, look up.

Prices are kept apart from costs (as Infracost does): a price is a unit price
with its date and source; ``costs.py`` multiplies it by a quantity. A region
or price the book lacks is an error naming it, never a silent zero.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from decimal import Decimal
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from analyzer.errors import PriceError
from analyzer.files import parse_json, read_limited
from analyzer.models import PRICE_BOOK_SCHEMA_VERSION, PRICE_KEYS, Price, PriceBook, PriceKey
from analyzer.snapshot import describe_validation_error

__all__ = ["MAX_PRICE_BOOK_BYTES", "PRICE_KEYS", "Price", "PriceBook", "PriceKey", "dump_price_book",
           "load_price_book", "parse_price_book", "price_rows"]

# A price book for every region is about 20 KB; anything near this bound is not one.
MAX_PRICE_BOOK_BYTES = 16 << 20
# No AWS unit price in the book (per hour, GB or IP-hour) is near $1,000; a larger one is a typo or corrupt,
# and would overflow the cent rounding of every cost.
MAX_UNIT_PRICE_USD = Decimal(1000)


def _check_prices(book: PriceBook, origin: str) -> PriceBook:
    for region, prices in book.regions.items():
        for key, price in prices.items():
            if price.usd > MAX_UNIT_PRICE_USD:
                raise PriceError(f"{origin}: regions.{region}.{key}.usd: {price.usd} is not a unit price "
                                 f"(over ${MAX_UNIT_PRICE_USD})")
    return book


def parse_price_book(data: object, origin: str) -> PriceBook:
    if not isinstance(data, dict):
        raise PriceError(f"{origin}: a price book is a JSON object")
    version = str(data.get("schema_version", PRICE_BOOK_SCHEMA_VERSION))
    if version != PRICE_BOOK_SCHEMA_VERSION:
        raise PriceError(f"{origin}: price book schema_version {version!r} is not supported")
    try:
        book = PriceBook.model_validate({**data, "origin": origin})
    except ValidationError as exc:
        raise PriceError(f"{origin}: invalid price book: {describe_validation_error(exc)}") from None
    return _check_prices(book, origin)


def load_price_book(path: Path | None = None) -> PriceBook:
    """The bundled price book, or the one at ``path``."""
    if path is None:
        text = resources.files("analyzer").joinpath("data/price_book.json").read_text("utf-8")
        return parse_price_book(json.loads(text), "bundled price book")
    path = Path(path)
    raw = read_limited(path, MAX_PRICE_BOOK_BYTES, PriceError, str(path), noun="price book")
    return parse_price_book(parse_json(raw, str(path), PriceError), str(path))


def dump_price_book(book: PriceBook) -> str:
    return book.model_dump_json(indent=2, exclude={"origin"}) + "\n"


_LOOKALIKE = str.maketrans({"l": "1", "i": "1", "o": "0"})


def nearest_region(text: str, regions: Iterable[str]) -> str | None:
    """The region a typo most likely meant: ``eu-west-l`` -> ``eu-west-1``, ``eu-centrl-1`` -> ``eu-central-1``."""
    known = sorted(regions)
    typed = text.strip().lower()
    head, _, tail = typed.rpartition("-")
    fixed = f"{head}-{tail.translate(_LOOKALIKE)}" if head else typed
    if fixed in known:
        return fixed
    near = difflib.get_close_matches(fixed, known, n=1, cutoff=0.75)
    return near[0] if near else None


def price_rows(book: PriceBook, regions: tuple[str, ...] = ()) -> list[str]:
    """Plain text lines, one price each, for `lambda-egress prices show`."""
    for region in regions:
        if region not in book.regions:
            near = nearest_region(region, book.regions)
            hint = f"; did you mean {near}?" if near else ""
            raise PriceError(f"no prices for region {region} in the price book ({book.origin}){hint} "
                             "(`lambda-egress prices show` lists every region it has)")
    rows = [f"price book: {book.origin}, as of {book.as_of}", f"source: {book.source}"]
    for region in sorted(regions or book.regions):
        for key, price in book.regions[region].items():
            flag = "" if price.verified else "  (unverified)"
            rows.append(f"{region:<16} {key:<16} ${price.usd} per {price.unit}{flag}")
    return rows
