"""The report.json contract: ``AnalysisResult`` and every record it serialises.

Other tools and month-over-month diffs read report.json; change it only by
adding fields, and bump ``REPORT_SCHEMA_VERSION`` when a field changes meaning
(the README says what each version changed). The analysis builds these records
from its internal ones (``analyzer.records``), which never reach report.json,
so an internal change cannot change the contract by accident;
``tests/contract`` checks report.json against the documented shape.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, model_validator

from analyzer.contracts.base import Frozen, Located, Num, Usd
from analyzer.contracts.changes import Changes
from analyzer.contracts.figures import Figures
from analyzer.contracts.prices import PriceBookInfo, PriceKey
from analyzer.contracts.snapshot import Account, Coverage

# "2": plans[] are per group of NAT gateways (plan_id, nat_gateway_ids, targets); nat_gateway_id is the first.
REPORT_SCHEMA_VERSION = "2"
# Report versions ``diff`` reads: "1" and "2" differ only in plans[], which it does not compare.
READABLE_REPORT_SCHEMAS = ("1", "2")

Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(reversed(SEVERITIES))}

Egress = Literal["nat", "igw-eip", "igw-no-public-ip", "none", "unknown"]
Attribution = Literal["sole-consumer", "flow-logs", "eni-share", "no-lambda"]


# --------------------------------------------------------------------------- topology


TargetType = Literal[
    "nat", "private-nat", "igw", "egress-only-igw", "transit-gateway", "peering", "instance", "eni", "vgw",
    "gateway-endpoint", "local", "blackhole", "none", "other",
]


class SubnetPath(Frozen):
    """Where a subnet's egress goes: the longest-prefix match for the egress destination(s).

    The destination is 0.0.0.0/0 unless ``--destination`` names partner
    addresses; then it is the first of them that leaves through a NAT gateway
    (else through an internet gateway, else the first one).
    """

    subnet_id: str
    availability_zone: str | None = None
    route_table_id: str | None = None
    route_table_source: Literal["explicit", "main", "missing"] = "missing"
    target_type: TargetType = "none"
    target_id: str | None = None
    destination: str = "0.0.0.0/0"
    # Every NAT gateway any active route of the table targets, whatever the destination.
    nat_gateway_ids: tuple[str, ...] = ()
    ipv6_egress: bool = False  # ::/0 goes to an internet or egress-only gateway: IPv6 leaves the VPC directly


class FunctionEgress(Located):
    arn: str
    name: str
    vpc_id: str | None = None
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    state: str | None = None
    state_reason_code: str | None = None
    egress: Egress
    nat_gateway_ids: tuple[str, ...] = ()
    eni_ids: tuple[str, ...] = ()
    paths: tuple[SubnetPath, ...] = ()
    ipv6_allowed_for_dual_stack: bool = False


class EniGroup(Located):
    """Lambda's unit of ENI sharing: one (subnet, security-group set)."""

    vpc_id: str | None = None
    subnet_id: str
    security_group_ids: tuple[str, ...]  # sorted
    eni_ids: tuple[str, ...] = ()
    function_arns: tuple[str, ...] = ()
    public_ips: tuple[str, ...] = ()  # public IPs seen on the group's ENIs
    eni_ids_without_public_ip: tuple[str, ...] = ()
    egress: Egress = "unknown"
    nat_gateway_id: str | None = None  # set when the subnet's egress goes to a NAT
    requester_managed_eni_ids: tuple[str, ...] = ()  # ENIs that report RequesterManaged: true

    @property
    def key(self) -> tuple[str, str, str, tuple[str, ...]]:
        return (self.account_id, self.region, self.subnet_id, self.security_group_ids)


# --------------------------------------------------------------------------- costs


class CostComponent(Frozen):
    name: str
    design: Literal["current", "proposed"] = "current"
    quantity: Num
    unit: str
    unit_price_usd: Usd
    monthly_usd: Usd
    counted: bool = True  # False for lines shown for context (internet transfer-out)
    note: str | None = None
    price_key: PriceKey | None = None  # the price book key it was priced with: find lines by key, not name


class UnpricedNat(Located):
    """A NAT gateway the price book has no price for: left out of every total, never priced at zero."""

    nat_gateway_id: str
    vpc_id: str
    reason: str
    fix: str  # the command that fills the gap


class Scenario(Located):
    nat_gateway_id: str
    vpc_id: str
    current_monthly_usd: Usd  # what the NAT gateway costs today (all of it, shared or not)
    proposed_monthly_usd: Usd
    monthly_savings_usd: Usd
    eips_needed: int  # Elastic IPs the proposed design pays for under this NAT (reused NAT addresses included)
    nat_removable: bool
    attribution: Attribution
    confidence: Literal["high", "medium", "low"]
    components: tuple[CostComponent, ...] = ()
    # Lambda's share of the current cost: all of it for a removable NAT, else the NAT's cost minus what
    # stays on it for the other consumers.
    lambda_attributable_monthly_usd: Usd = Decimal(0)
    new_eips: int = 0  # of eips_needed, the ones the migration allocates
    plan_id: str | None = None  # the plan (plans[].plan_id) that migrates this NAT's functions
    # The decision (analyzer.verdicts): go, go-with-guard, blocked, not-worth-it; the reasons are the stable ids
    # of the findings behind it and the settings it was judged against ("min_savings_usd=10").
    verdict: Literal["go", "go-with-guard", "blocked", "not-worth-it"] | None = None
    verdict_reasons: tuple[str, ...] = ()
    finding_ids: tuple[str, ...] = ()  # every unsuppressed finding the verdict judged (about this NAT), worst first
    # The partner's allow-list change (analyzer.rules.allowlist_change.allowlist_delta): addresses to add
    # before cutover, and the NAT's addresses that can leave the list once it is deleted.
    allowlist_add: int = 0
    allowlist_remove: tuple[str, ...] = ()


class Alternative(Located):
    kind: Literal["gateway-endpoint", "single-nat-per-vpc", "ipv6-egress-only"]
    vpc_id: str
    nat_gateway_ids: tuple[str, ...] = ()
    monthly_savings_usd: Usd | None = None  # None: depends on usage we cannot see
    summary: str
    trade_offs: str


# --------------------------------------------------------------------------- findings


def finding_id(rule_id: str, account_id: str, region: str, resource_ids: tuple[str, ...] | list[str]) -> str:
    """A finding's stable id: its rule and a digest of where it is and what it names, equal across months."""
    digest = hashlib.sha256("|".join([account_id, region, *resource_ids]).encode()).hexdigest()[:12]
    return f"{rule_id}:{digest}"


class Finding(Located):
    rule_id: str
    severity: Severity
    title: str
    resource_ids: tuple[str, ...]
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    remediation: str
    references: tuple[str, ...] = ()
    suppressed: bool = False
    suppression_reason: str | None = None
    id: str = ""  # stable: finding_id(rule, account, region, resource ids); filled in when not given
    # The candidate NAT gateway the finding is reported under (analyzer.finding_nats); None when it is about
    # no candidate.
    nat_gateway_id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _stable_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("id") and {"rule_id", "account_id", "region"} <= data.keys():
            data = {**data, "id": finding_id(data["rule_id"], data["account_id"], data["region"],
                                             tuple(data.get("resource_ids") or ()))}
        return data


# --------------------------------------------------------------------------- migration plans


class PlanStep(Frozen):
    stage: str  # "prerequisites", "allocate", "move", "associate", "verify", "guard", "partner", "cutover"
    title: str
    detail: str
    commands: tuple[str, ...] = ()  # shell commands with the real ids filled in
    rollback: tuple[str, ...] = ()  # how to undo this stage


class PlanTarget(Located):
    """One ENI of the proposed design: Lambda's (public subnet, security-group set) key in one account/region.

    Every function that lands on the key shares its Hyperplane ENI(s), so the
    key, not the NAT or the source subnet, decides how many Elastic IPs exist.
    The guard (``lambda-egress guard``) enforces exactly this mapping.
    """

    vpc_id: str
    subnet_id: str  # a real subnet id, or a placeholder "<new-public-subnet-VPC-AZ>" the plan creates
    availability_zone: str | None = None
    security_group_ids: tuple[str, ...]
    # One allocation per ENI Lambda is expected to create: a real "eipalloc-..." (reused or already
    # allocated) or a placeholder "<new-allocation-id-N>", unique per account and region.
    allocation_ids: tuple[str, ...] = ()
    public_ips: tuple[str | None, ...] = ()  # per allocation: its address when known, None for a new one
    function_arns: tuple[str, ...] = ()
    source_subnet_ids: tuple[str, ...] = ()
    nat_gateway_ids: tuple[str, ...] = ()  # NAT gateways whose functions land here
    in_window: bool = False  # associated inside the maintenance window (gets the NAT's primary address)


class MigrationPlan(Located):
    """Steps that move the Lambda functions of one or more NAT gateways of a VPC to EIP-on-ENI egress.

    ``nat_gateway_id`` is the first of ``nat_gateway_ids``: NAT gateways whose
    functions or target ENIs overlap are migrated by one plan, so each function
    moves exactly once.
    """

    nat_gateway_id: str
    plan_id: str = ""
    nat_gateway_ids: tuple[str, ...] = ()
    targets: tuple[PlanTarget, ...] = ()
    vpc_id: str
    function_arns: tuple[str, ...] = ()
    reused_allocation_ids: tuple[str, ...] = ()  # the NAT's EIPs kept for the allow-list
    new_eips_needed: int = 0
    steps: tuple[PlanStep, ...] = ()
    finding_rule_ids: tuple[str, ...] = ()  # risks that apply to this candidate
    terraform: str = ""
    # The downtime choice: 0 when the plan needs no window without internet egress; the sentence states
    # both options (reuse the NAT's held addresses in a window, or new addresses allow-listed ahead).
    window_minutes: int = 0
    downtime_choice: str = ""


# --------------------------------------------------------------------------- settings


class Settings(Frozen):
    """Assumptions the model rests on that are not hard facts: each is a setting, shown in reports."""

    hours_per_month: int = 730
    bytes_per_gb: int = 2**30
    eni_connection_limit: int = 65_000
    connection_warn_ratio: Decimal = Decimal("0.5")  # medium at 50% of the limit
    connection_high_ratio: Decimal = Decimal("0.8")  # high at 80%
    idle_reclaim_days: int = 14
    idle_warn_days: int = 7
    idle_nat_monthly_gb: Decimal = Decimal("1")  # below this a NAT counts as idle
    default_eip_quota: int = 5
    # Egress is resolved for these destinations (longest prefix match); empty means 0.0.0.0/0.
    destinations: tuple[str, ...] = ()
    # The downtime choice: False lays out new addresses allow-listed ahead (no window); True reuses
    # the NAT gateways' primary addresses, freed only by deleting the NAT (a maintenance window).
    reuse_nat_addresses: bool = False
    window_minutes: int = 10  # estimated length of that window (DeleteNatGateway + association + update)
    min_savings_usd: Decimal = Decimal("10")  # a candidate saving less a month is "not worth it"
    nat_ports_per_destination: int = 55_000  # a NAT address's simultaneous connections to one destination


# --------------------------------------------------------------------------- report (report.json contract)


class NatReport(Located):
    nat_gateway_id: str
    vpc_id: str
    az: str | None = None
    availability_mode: Literal["zonal", "regional"] = "zonal"
    name: str | None = None
    public_ips: tuple[str, ...] = ()
    function_arns: tuple[str, ...] = ()
    other_consumer_eni_ids: tuple[str, ...] = ()
    routed_subnet_ids: tuple[str, ...] = ()
    cross_az_subnet_ids: tuple[str, ...] = ()
    monthly_gb: Num = Decimal(0)
    lambda_share: Num = Decimal(1)
    attribution: Attribution = "sole-consumer"
    confidence: Literal["high", "medium", "low"] = "high"
    has_metrics: bool = False
    peak_active_connections: float | None = None


class Summary(Frozen):
    functions_in_vpc: int = 0
    functions_behind_nat: int = 0
    nat_gateways: int = 0
    candidate_nat_gateways: int = 0
    removable_nat_gateways: int = 0
    eips_needed: int = 0
    new_eips: int = 0
    current_monthly_usd: Usd = Decimal(0)  # what the NAT gateways that serve Lambda cost
    lambda_attributable_monthly_usd: Usd = Decimal(0)  # Lambda's share of that
    proposed_monthly_usd: Usd = Decimal(0)
    monthly_savings_usd: Usd = Decimal(0)
    annual_savings_usd: Usd = Decimal(0)
    findings_by_severity: dict[str, int] = Field(
        default_factory=lambda: {s: 0 for s in SEVERITIES}
    )
    suppressed_findings: int = 0


class BillingPeriod(Frozen):
    period: str  # "2026-10"
    start: datetime
    end: datetime  # the period's end, or the last usage hour seen when the data stops earlier
    hours: int  # hours of the period the data covers (the normalisation divisor)
    full_hours: int  # hours of the whole calendar month


class BilledNat(Frozen):
    """Billed (CUR Usage lines, normalised to a 730-hour month) vs modelled (the current design's NAT lines)."""

    nat_gateway_id: str
    account_id: str | None = None
    region: str | None = None
    billed_usd: Usd
    billed_hours: Num
    billed_gb: Num
    modelled_usd: Usd | None = None  # None: the NAT has no scenario (no Lambda traffic, or not in the snapshot)
    difference_usd: Usd | None = None  # billed - modelled
    difference_pct: Num | None = None  # 100 x (billed - modelled) / billed
    adjustments_usd: Usd = Decimal(0)  # credits, refunds, discounts on this NAT's lines: shown apart, never netted
    flagged: bool = False  # |difference_pct| above the threshold, or one side missing
    reasons: tuple[str, ...] = ()  # the likely reasons for a flagged difference


class BillingAdjustment(Frozen):
    """Non-Usage NAT line items (Credit, Refund, discounts), as billed: never netted into billed_usd."""

    period: str
    line_item_type: str
    usage_type: str
    nat_gateway_id: str | None = None
    cost_usd: Usd


class BillingReport(Frozen):
    """report.json ``billing``: the bill next to the model, per NAT gateway."""

    source: str
    periods: tuple[BillingPeriod, ...] = ()
    nat_gateways: tuple[BilledNat, ...] = ()
    adjustments: tuple[BillingAdjustment, ...] = ()
    threshold_pct: Num = Decimal(5)
    normalisation: str = ""


class AnalysisResult(Frozen):
    """Everything a report shows. ``model_dump(mode="json")`` *is* report.json."""

    schema_version: str = REPORT_SCHEMA_VERSION
    tool_version: str
    collected_at: datetime
    window_days: int
    price_book: PriceBookInfo
    coverage: Coverage
    accounts: tuple[Account, ...] = ()
    summary: Summary
    functions: tuple[FunctionEgress, ...] = ()
    eni_groups: tuple[EniGroup, ...] = ()
    nat_gateways: tuple[NatReport, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    findings: tuple[Finding, ...] = ()
    plans: tuple[MigrationPlan, ...] = ()
    settings: Settings = Field(default_factory=Settings)
    assumptions: tuple[str, ...] = ()
    unpriced: tuple[UnpricedNat, ...] = ()  # NAT gateways left out of the totals for want of a price
    billing: BillingReport | None = None  # set when a CUR was given
    figures: Figures = Field(default_factory=Figures)  # the numbers the charts draw (analyzer.figures)
    changes: Changes | None = None  # set with --previous: what changed since that run (analyzer.diff)
