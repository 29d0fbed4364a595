"""What one guard (one account and region) costs a month, component by component.

Unit prices come from the price book (its guard keys: Lambda requests and
GB-seconds, CloudWatch alarms, custom metrics, log ingestion), so `--prices`
and `prices show` cover them like the NAT prices; a price the book marks
unverified says so. Quantities follow from the template (a run every
``SCHEDULE_MINUTES``, 128 MB, two alarms, one custom metric); what depends on
usage (ENIs Lambda creates, run duration, log volume) says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from analyzer.errors import PriceError
from analyzer.guard import resources as res
from analyzer.models import GUARD_PRICE_KEYS, Price, PriceBook, PriceKey

HOURS_PER_MONTH = 730
ASSUMED_RUN_SECONDS = Decimal("1")  # billed duration per run: cold start + three Describe calls (an assumption)
LOG_BYTES_PER_LINE = 350  # one decision line or a platform line (START/END/REPORT)
ALARMS = 2  # drift, errors
CUSTOM_METRICS = 1  # LambdaEgressGuard/Drift


@dataclass(frozen=True)
class GuardCost:
    name: str
    quantity: Decimal
    unit: str
    unit_price_usd: Decimal
    monthly_usd: Decimal
    note: str = ""
    price_key: PriceKey | None = None
    verified: bool = True


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def schedule_runs_per_month() -> int:
    return HOURS_PER_MONTH * 60 // res.SCHEDULE_MINUTES


def guard_prices(book: PriceBook, region: str) -> dict[PriceKey, Price]:
    """The guard's unit prices for ``region``; a book without them is a PriceError naming the fix."""
    prices = book.regions.get(region, {})
    missing = [key for key in GUARD_PRICE_KEYS if key not in prices]
    if missing:
        raise PriceError(f"price book ({book.origin}) has no {', '.join(missing)} price for region {region}; "
                         f"run `lambda-egress prices refresh --region {region} --out FILE` and pass --prices FILE")
    return {key: prices[key] for key in GUARD_PRICE_KEYS}


def guard_costs(allocations: int, book: PriceBook, region: str) -> tuple[GuardCost, ...]:
    """The components for a guard enforcing ``allocations`` mapped allocations (before any free tier)."""
    prices = guard_prices(book, region)
    runs = Decimal(schedule_runs_per_month())
    gb_seconds = runs * Decimal(res.MEMORY_MB) / Decimal(1024) * ASSUMED_RUN_SECONDS
    lines_per_run = allocations + 1 + 3  # a decision per ENI (about one per allocation), the summary, platform lines
    log_gb = runs * lines_per_run * LOG_BYTES_PER_LINE / Decimal(2**30)
    rows: list[tuple[str, Decimal, PriceKey, str]] = [
        ("Scheduled runs", runs, "lambda_request", f"one every {res.SCHEDULE_MINUTES} minutes"),
        ("Run duration", gb_seconds, "lambda_gb_second",
         f"{res.MEMORY_MB} MB x {ASSUMED_RUN_SECONDS} s per run (assumed; actual duration depends on usage)"),
        ("Alarms", Decimal(ALARMS), "alarm_month", "drift and errors"),
        ("Drift metric", Decimal(CUSTOM_METRICS), "custom_metric_month", "custom metric written through the log (EMF)"),
        ("Log ingestion", log_gb, "logs_ingest_gb",
         f"about {lines_per_run} lines of {LOG_BYTES_PER_LINE} bytes per run (depends on usage)"),
    ]
    return tuple(GuardCost(name, qty, prices[key].unit, prices[key].usd, _cents(qty * prices[key].usd),
                           note, key, prices[key].verified)
                 for name, qty, key, note in rows)


def monthly_total(costs: tuple[GuardCost, ...]) -> Decimal:
    return sum((c.monthly_usd for c in costs), Decimal(0))


def cost_lines(allocations: int, region: str, book: PriceBook) -> list[str]:
    """The cost as comment-ready lines; without the book's guard prices, says so instead of a number."""
    try:
        costs = guard_costs(allocations, book, region)
    except PriceError as exc:
        return [f"Guard cost per month in {region}: unpriced ({exc.message})"]
    lines = [f"  {c.name}: {c.quantity:.4g} {c.unit} x ${c.unit_price_usd:f} = ${c.monthly_usd} ({c.note}"
             f"{'' if c.verified else '; unverified price'})" for c in costs]
    unverified = [c.price_key for c in costs if not c.verified]
    scope = f"; unverified prices: {', '.join(str(k) for k in unverified)}" if unverified else ""
    return [
        f"Guard cost per month in {region}: ${monthly_total(costs)} before free tiers{scope} "
        f"(price book: {book.origin}, as of {book.as_of})",
        *lines,
        "  Depends on usage, not counted: event runs (one per Lambda ENI created in the guarded subnets), "
        "alarm notifications, and the CloudTrail trail the event rule needs (management events: first copy free).",
    ]
