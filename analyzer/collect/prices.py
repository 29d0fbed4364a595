"""AWS Price List API -> PriceBook (``lambda-egress prices refresh``).

The bundled price book goes stale; this reads today's NAT gateway and public
IPv4 prices per region so a user can pass a fresh book with ``--prices``.

* NAT: service ``AmazonEC2``, ``productFamily`` "NAT Gateway". That family also
  holds ``RegionalNatGateway-*`` and ``NatGateway-Prvd-Gbps`` rows, so the
  usagetype is matched exactly (an optional region prefix, then
  ``NatGateway-Hours`` / ``NatGateway-Bytes``), never by substring.
* Public IPv4: service ``AmazonVPC``, ``group`` "VPCPublicIPv4Address",
  usagetype ``[prefix-]PublicIPv4:InUseAddress``.
* Cross-AZ and internet transfer-out come from the data-transfer pricing page,
  not this API: they are carried over from the bundled book with their own
  sources (or assumed, and marked unverified, for a region it lacks).

This is its own command, not part of a scan: its calls are not counted in a
snapshot, and ``pricing:GetProducts`` is an optional statement of the policy.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from analyzer.collect.context import AWS_FAILURES, describe_failure
from analyzer.collect.session import CREDENTIAL_ERRORS, open_session, retry_config, validate_regions
from analyzer.errors import AwsAccessError, PriceError
from analyzer.models import GUARD_PRICE_KEYS, PRICE_KEYS, Price, PriceBook, PriceKey

PRICING_REGION = "us-east-1"  # the Price List API's own endpoint region
API = "AWS Price List API"
NAT_PATTERNS: dict[PriceKey, re.Pattern[str]] = {
    "nat_hour": re.compile(r"^(?:[A-Z0-9]+-)?NatGateway-Hours$"),
    "nat_gb": re.compile(r"^(?:[A-Z0-9]+-)?NatGateway-Bytes$"),
}
# Regional NAT gateways (AvailabilityMode "regional") have their own usage types; a region
# without them (not launched there yet) falls back to its zonal price, marked unverified.
REGIONAL_NAT_PATTERNS: dict[PriceKey, re.Pattern[str]] = {
    "regional_nat_hour": re.compile(r"^(?:[A-Z0-9]+-)?RegionalNatGateway-Hours$"),
    "regional_nat_gb": re.compile(r"^(?:[A-Z0-9]+-)?RegionalNatGateway-Bytes$"),
}
ZONAL_OF: dict[PriceKey, PriceKey] = {"regional_nat_hour": "nat_hour", "regional_nat_gb": "nat_gb"}
IPV4_PATTERN = re.compile(r"^(?:[A-Z0-9]+-)?PublicIPv4:InUseAddress$")
# Our unit name, and the units the API may state for it.
UNITS: dict[PriceKey, tuple[str, frozenset[str]]] = {
    "nat_hour": ("hour", frozenset({"Hrs", "Hours", "Hour"})),
    "nat_gb": ("GB", frozenset({"GB"})),
    "regional_nat_hour": ("hour", frozenset({"Hrs", "Hours", "Hour"})),
    "regional_nat_gb": ("GB", frozenset({"GB"})),
    "ipv4_hour": ("IP-hour", frozenset({"Hrs", "Hours", "Hour"})),
}
CROSS_AZ_USD = Decimal("0.01")
REFERENCE_REGION = "us-east-1"


def term_filters(**terms: str) -> list[dict[str, str]]:
    return [{"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in terms.items()]


def fetch_products(client: Any, service: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Every product row (PriceList entries are JSON strings) for the filters."""
    rows: list[dict[str, Any]] = []
    try:
        for page in client.get_paginator("get_products").paginate(ServiceCode=service, Filters=filters):
            rows.extend(json.loads(item) if isinstance(item, str) else item for item in page.get("PriceList", []))
    except CREDENTIAL_ERRORS as exc:
        raise AwsAccessError(f"no usable AWS credentials for the Price List API ({exc})") from None
    except AWS_FAILURES as exc:
        code, message = describe_failure(exc)
        raise AwsAccessError(f"Price List API GetProducts ({service}) failed: {code}: {message}") from None
    return rows


def usagetype_of(row: dict[str, Any]) -> str:
    return str((row.get("product") or {}).get("attributes", {}).get("usagetype", ""))


def on_demand_usd(row: dict[str, Any]) -> tuple[Decimal, str]:
    """(USD per unit, API unit) of a row's first-tier on-demand price dimension."""
    usagetype = usagetype_of(row)
    dimensions = [d for term in (row.get("terms", {}).get("OnDemand") or {}).values()
                  for d in (term.get("priceDimensions") or {}).values()]
    first = [d for d in dimensions if str(d.get("beginRange", "0")) == "0"] or dimensions
    if not first:
        raise PriceError(f"Price List API row {usagetype} has no on-demand price")
    try:
        return Decimal(first[0]["pricePerUnit"]["USD"]), str(first[0].get("unit", ""))
    except (KeyError, InvalidOperation):
        raise PriceError(f"Price List API row {usagetype} has no USD price") from None


def pick(rows: list[dict[str, Any]], pattern: re.Pattern[str], key: PriceKey, region: str,
         what: str, today: str) -> Price:
    """The one price the exactly matching rows agree on; several different prices are an error."""
    found: dict[Decimal, str] = {}
    for row in rows:
        usagetype = usagetype_of(row)
        if not pattern.match(usagetype):
            continue
        usd, unit = on_demand_usd(row)
        ours, accepted = UNITS[key]
        if unit not in accepted:
            raise PriceError(f"Price List API row {usagetype} ({region}) is priced per {unit!r}, expected {ours}")
        found.setdefault(usd, usagetype)
    if not found:
        raise PriceError(f"Price List API has no {pattern.pattern} price for region {region}")
    if len(found) > 1:
        listed = ", ".join(f"{usagetype} ${usd}" for usd, usagetype in sorted(found.items()))
        raise PriceError(f"Price List API has several {key} prices for region {region}: {listed}")
    usd, usagetype = next(iter(found.items()))
    return Price(usd=usd.normalize(), unit=UNITS[key][0], as_of=today, verified=True,
                 source=f"{API}, {what}, usagetype {usagetype}")


def region_api_prices(client: Any, region: str, today: str) -> dict[PriceKey, Price]:
    """nat_hour, nat_gb, the regional NAT rows and ipv4_hour for one region, read from the API."""
    nat_rows = fetch_products(client, "AmazonEC2", term_filters(productFamily="NAT Gateway", regionCode=region))
    if not any(NAT_PATTERNS["nat_hour"].match(usagetype_of(row)) for row in nat_rows):
        raise PriceError(f"the Price List API returned no NAT gateway prices for region {region}")
    nat_what = "service AmazonEC2, productFamily 'NAT Gateway'"
    prices = {key: pick(nat_rows, pattern, key, region, nat_what, today) for key, pattern in NAT_PATTERNS.items()}
    for key, pattern in REGIONAL_NAT_PATTERNS.items():
        if any(pattern.match(usagetype_of(row)) for row in nat_rows):
            prices[key] = pick(nat_rows, pattern, key, region, nat_what, today)
        else:
            zonal = prices[ZONAL_OF[key]]
            prices[key] = zonal.model_copy(update={
                "verified": False,
                "note": f"assumed: no RegionalNatGateway rows for {region} in the Price List API; the zonal price",
            })
    ip_rows = fetch_products(client, "AmazonVPC", term_filters(group="VPCPublicIPv4Address", regionCode=region))
    prices["ipv4_hour"] = pick(ip_rows, IPV4_PATTERN, "ipv4_hour", region,
                               "service AmazonVPC, group VPCPublicIPv4Address", today)
    return prices


def transfer_prices(bundled: PriceBook, region: str) -> dict[PriceKey, Price]:
    """cross_az_gb and internet_out_gb: the bundled ones, or assumed (unverified) for a new region."""
    known = bundled.regions.get(region)
    if known is not None:
        return {key: known[key] for key in ("cross_az_gb", "internet_out_gb") if key in known}
    reference = bundled.price(REFERENCE_REGION, "internet_out_gb")
    return {
        "cross_az_gb": Price(
            usd=CROSS_AZ_USD, unit="GB", as_of=bundled.as_of, verified=False,
            source="aws.amazon.com/ec2/pricing/on-demand (data transfer): $0.01/GB in each direction between "
                   "Availability Zones",
            note="assumed: the inter-AZ rate is the same in every commercial region",
        ),
        "internet_out_gb": reference.model_copy(update={
            "verified": False,
            "note": f"assumed: {REFERENCE_REGION}'s first-tier internet transfer-out price; {region} may differ. "
                    "Shown for context, never counted",
        }),
    }


def guard_prices(bundled: PriceBook, region: str) -> dict[PriceKey, Price]:
    """The guard's Lambda and CloudWatch prices (not fetched): the bundled ones, else us-east-1's, unverified."""
    known = bundled.regions.get(region, {})
    if all(key in known for key in GUARD_PRICE_KEYS):
        return {key: known[key] for key in GUARD_PRICE_KEYS}
    reference = bundled.regions.get(REFERENCE_REGION, {})
    return {key: reference[key].model_copy(update={
        "verified": False, "note": f"assumed: {REFERENCE_REGION}'s list price; {region}'s may differ (the guard's "
                                   "cost only)"}) for key in GUARD_PRICE_KEYS if key in reference}


def commercial_regions() -> tuple[str, ...]:
    """Every region of the commercial ``aws`` partition botocore knows (no credentials needed)."""
    import boto3

    return tuple(sorted(boto3.Session().get_available_regions("ec2", partition_name="aws")))


def _kept(bundled: PriceBook, region: str, error: PriceError) -> dict[PriceKey, Price] | None:
    """A region the API has no NAT rows for, in an --all-regions refresh: its bundled prices, marked so."""
    known = bundled.regions.get(region)
    if known is None:
        return None
    note = f"kept from the bundled book: the Price List API gave no price ({error.message})"
    return {key: price.model_copy(update={"verified": False, "note": note}) for key, price in known.items()}


def make_client(session: Any) -> Any:
    """The Price List API client (uncounted: this is not a scan)."""
    return session.client("pricing", region_name=PRICING_REGION, config=retry_config())


def refresh_price_book(
    profile: str | None,
    regions: tuple[str, ...],
    bundled: PriceBook,
    *,
    client: Any = None,
    today: date | None = None,
    all_regions: bool = False,
    on_region: Any = None,
) -> PriceBook:
    """A price book for ``regions`` (default: the ``bundled`` book's) with today's API prices.

    ``all_regions``: every commercial region instead; one the API has no NAT rows for
    keeps its bundled prices (marked unverified, named in the book's source) rather than
    stopping the whole refresh. ``bundled`` supplies the transfer prices the Price List
    API does not carry; the caller loads it (collect never reaches into the analysis side).
    ``client`` and ``today`` are for tests (a stubbed ``pricing`` client, a fixed date);
    ``on_region(region, done, total)`` reports progress.
    """
    if all_regions:
        regions = commercial_regions()
    if client is None:
        session = open_session(profile)
        regions = validate_regions(session, regions)
        client = make_client(session)
    chosen = tuple(dict.fromkeys(regions)) or tuple(bundled.regions)
    stamp = (today or datetime.now(UTC).date()).isoformat()
    book, kept = {}, []
    for done, region in enumerate(chosen, start=1):
        try:
            prices = {**region_api_prices(client, region, stamp), **transfer_prices(bundled, region),
                      **guard_prices(bundled, region)}
        except PriceError as exc:
            fallback = _kept(bundled, region, exc) if all_regions else None
            if fallback is None:
                raise
            prices = fallback
            kept.append(region)
        book[region] = {key: prices[key] for key in PRICE_KEYS if key in prices}
        if on_region is not None:
            on_region(region, done, len(chosen))
    note = f"; not in the API, kept from the bundled book: {', '.join(kept)}" if kept else ""
    return PriceBook(
        as_of=stamp,
        source=f"{API} (AmazonEC2 NAT Gateway, AmazonVPC public IPv4) on {stamp}; cross-AZ and internet "
               f"transfer-out from the EC2 data-transfer pricing page; the guard's Lambda and CloudWatch prices kept "
               f"from the bundled book; see each price's source{note}",
        regions=book,
        origin="Price List API",
    )
