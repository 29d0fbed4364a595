"""Every setting the model used, once, with a label a reader understands and its unit.

``LABELS`` has one entry per ``Settings`` field (a test keeps them in step), so a new setting cannot
reach the report as a bare field name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analyzer.models import Settings
from reports.filters import money, pct


def gb_bytes(bytes_per_gb: int) -> str:
    """The GB definition in words: ``2^30 (1,073,741,824)`` rather than a bare number."""
    power = bytes_per_gb.bit_length() - 1
    exact = bytes_per_gb > 0 and bytes_per_gb == 2**power
    return f"2^{power} ({bytes_per_gb:,})" if exact else f"{bytes_per_gb:,}"


def _downtime(reuse: bool) -> str:
    if reuse:
        return "reuse the NAT gateways' primary addresses in a maintenance window (--reuse-nat-addresses)"
    return "new addresses allow-listed ahead, no window (the default)"


LABELS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "hours_per_month": ("Hours in a month", lambda v: f"{v:,} hours"),
    "bytes_per_gb": ("Bytes in a GB", gb_bytes),
    "eni_connection_limit": ("Connections one Lambda ENI carries", lambda v: f"{v:,}"),
    "connection_warn_ratio": ("connection-limit is medium from", lambda v: f"{pct(v)} of that limit"),
    "connection_high_ratio": ("connection-limit is high from", lambda v: f"{pct(v)} of that limit"),
    "idle_reclaim_days": ("Lambda reclaims an idle function's ENI after", lambda v: f"{v} days"),
    "idle_warn_days": ("idle-reclamation warns from", lambda v: f"{v} days idle"),
    "idle_nat_monthly_gb": ("A NAT gateway is idle below", lambda v: f"{v} GB a month"),
    "default_eip_quota": ("Elastic IP quota assumed when unreadable", lambda v: f"{v} per region"),
    "destinations": ("Egress resolved for", lambda v: ", ".join(v) or "0.0.0.0/0 (--destination)"),
    "reuse_nat_addresses": ("Downtime choice", _downtime),
    "window_minutes": ("Maintenance window, when one is laid out", lambda v: f"about {v} minutes"),
    "min_savings_usd": ("Not worth it below", lambda v: f"{money(v)} a month (--min-savings)"),
    "nat_ports_per_destination": ("Connections one address carries to one destination", lambda v: f"{v:,}"),
}


def settings_rows(settings: Settings) -> list[tuple[str, str]]:
    """(label, value) for every setting, in the model's field order."""
    rows = []
    for name in type(settings).model_fields:
        label, show = LABELS[name]
        rows.append((label, show(getattr(settings, name))))
    return rows
