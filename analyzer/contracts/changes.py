"""report.json ``changes``: what changed since an earlier run (``--previous OLD``).

The shape ``lambda-egress diff --format json`` prints (``analyzer.diff.diff_results``), typed: money
moves, NAT gateways added and removed (with their names), new and resolved findings by stable id,
functions added, removed or whose egress changed, and per-NAT money changes.
"""

from __future__ import annotations

from analyzer.contracts.base import Frozen, Usd


class Run(Frozen):
    collected_at: str | None = None
    tool_version: str | None = None


class MoneyChange(Frozen):
    old: Usd
    new: Usd
    change: Usd  # new - old


class NamedNat(Frozen):
    nat_gateway_id: str
    name: str | None = None


class NatMoney(Frozen):
    nat_gateway_id: str
    name: str | None = None
    current_monthly_usd: MoneyChange
    monthly_savings_usd: MoneyChange


class NatChanges(Frozen):
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    added_named: tuple[NamedNat, ...] = ()
    removed_named: tuple[NamedNat, ...] = ()
    money: tuple[NatMoney, ...] = ()  # NATs in both runs whose current cost or savings moved, biggest first


class FindingChange(Frozen):
    key: str
    id: str
    rule_id: str
    severity: str
    title: str | None = None
    message: str | None = None  # new findings only


class FindingChanges(Frozen):
    new: tuple[FindingChange, ...] = ()
    resolved: tuple[FindingChange, ...] = ()
    still_open: int = 0


class NamedFunction(Frozen):
    arn: str
    name: str | None = None


class EgressChange(Frozen):
    arn: str
    name: str | None = None
    old: str
    new: str


class FunctionChanges(Frozen):
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    added_named: tuple[NamedFunction, ...] = ()
    removed_named: tuple[NamedFunction, ...] = ()
    egress_changed: tuple[EgressChange, ...] = ()


class Changes(Frozen):
    old: Run
    new: Run
    warnings: tuple[str, ...] = ()  # e.g. OLD was collected after NEW
    money: dict[str, MoneyChange]  # summary fields: current, Lambda's share (when both have it), proposed, savings
    nat_gateways: NatChanges
    findings: FindingChanges
    functions: FunctionChanges
