"""What one guard (one account and region) costs a month, component by component.

The bundled price book holds NAT and IPv4 prices only (its keys are a closed
set), so the guard's unit prices live here, each with its source; they are
the public list prices of US East (N. Virginia) and are marked unverified
for every other region. Quantities follow from the template (a run every
``SCHEDULE_MINUTES``, 128 MB, two alarms, one custom metric); what depends on
usage (ENIs Lambda creates, run duration, log volume) says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from analyzer.guard import resources as res

HOURS_PER_MONTH = 730
PRICE_SOURCE = "AWS public pricing pages (Lambda, CloudWatch), US East (N. Virginia), seen 2026"
LAMBDA_REQUEST_USD = Decimal("0.0000002")  # $0.20 per million requests
LAMBDA_GB_SECOND_USD = Decimal("0.0000166667")  # x86, first tier
ALARM_MONTH_USD = Decimal("0.10")  # standard-resolution alarm, per alarm metric
CUSTOM_METRIC_MONTH_USD = Decimal("0.30")  # first 10,000 metrics
LOGS_INGEST_GB_USD = Decimal("0.50")
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


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def schedule_runs_per_month() -> int:
    return HOURS_PER_MONTH * 60 // res.SCHEDULE_MINUTES


def guard_costs(allocations: int) -> tuple[GuardCost, ...]:
    """The components for a guard enforcing ``allocations`` mapped allocations (before any free tier)."""
    runs = Decimal(schedule_runs_per_month())
    gb_seconds = runs * Decimal(res.MEMORY_MB) / Decimal(1024) * ASSUMED_RUN_SECONDS
    lines_per_run = allocations + 1 + 3  # a decision per ENI (about one per allocation), the summary, platform lines
    log_gb = runs * lines_per_run * LOG_BYTES_PER_LINE / Decimal(2**30)
    rows = [
        ("Scheduled runs", runs, "request", LAMBDA_REQUEST_USD, f"one every {res.SCHEDULE_MINUTES} minutes"),
        ("Run duration", gb_seconds, "GB-second", LAMBDA_GB_SECOND_USD,
         f"{res.MEMORY_MB} MB x {ASSUMED_RUN_SECONDS} s per run (assumed; actual duration depends on usage)"),
        ("Alarms", Decimal(ALARMS), "alarm-month", ALARM_MONTH_USD, "drift and errors"),
        ("Drift metric", Decimal(CUSTOM_METRICS), "metric-month", CUSTOM_METRIC_MONTH_USD,
         "custom metric written through the log (EMF)"),
        ("Log ingestion", log_gb, "GB", LOGS_INGEST_GB_USD,
         f"about {lines_per_run} lines of {LOG_BYTES_PER_LINE} bytes per run (depends on usage)"),
    ]
    return tuple(GuardCost(name, qty, unit, price, _cents(qty * price), note) for name, qty, unit, price, note in rows)


def monthly_total(costs: tuple[GuardCost, ...]) -> Decimal:
    return sum((c.monthly_usd for c in costs), Decimal(0))


def cost_lines(allocations: int, region: str) -> list[str]:
    costs = guard_costs(allocations)
    lines = [f"  {c.name}: {c.quantity:.4g} {c.unit} x ${c.unit_price_usd:f} = "
             f"${c.monthly_usd} ({c.note})" for c in costs]
    scope = "" if region == "us-east-1" else f"; {region} prices unverified (us-east-1 list prices used)"
    return [
        f"Guard cost per month in {region}: ${monthly_total(costs)} before free tiers{scope} ({PRICE_SOURCE})",
        *lines,
        "  Depends on usage, not counted: event runs (one per Lambda ENI created in the guarded subnets), "
        "alarm notifications, and the CloudTrail trail the event rule needs (management events: first copy free).",
    ]
