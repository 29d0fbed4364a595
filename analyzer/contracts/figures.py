"""report.json ``figures``: the numbers the charts draw, computed by the analysis (``analyzer.figures``).

A chart only draws these; it never sums or solves anything itself, so the figure a reader sees and the
number a script reads are one number.
"""

from __future__ import annotations

from analyzer.contracts.base import Frozen, Num, Usd


class AccountSavings(Frozen):
    """The monthly savings of every candidate NAT gateway of one account, summed."""

    account_id: str
    name: str | None = None
    nat_gateways: int
    monthly_savings_usd: Usd


class BreakEven(Frozen):
    """One removable NAT gateway's cost as its traffic varies, against the flat cost of its Elastic IPs.

    NAT line: ``nat_fixed_monthly_usd + nat_usd_per_gb x GB``; Elastic IP line: ``eip_monthly_usd``. They
    cross at ``break_even_gb`` = (EIP - fixed) / per GB; None when the Elastic IPs cost less at every volume.
    """

    nat_gateway_id: str
    name: str | None = None
    account_id: str
    region: str
    eips: int
    nat_fixed_monthly_usd: Usd  # NAT hours + the NAT's public IPv4
    nat_usd_per_gb: Usd
    eip_monthly_usd: Usd
    observed_gb: Num  # the NAT's processed GB a month now
    break_even_gb: Num | None = None
    range_gb: Num  # the volumes the chart draws: 0 to this


class Figures(Frozen):
    savings_by_account: tuple[AccountSavings, ...] = ()  # biggest saving first
    break_even: BreakEven | None = None  # for the removable NAT with the biggest saving, when it is priced
