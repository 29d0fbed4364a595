"""Pydantic v2 models that cross module boundaries.

Two families live here:

* the **Snapshot** (what ``collect`` writes and everything else reads): plain
  records of AWS resources, each carrying its ``account_id`` and ``region`` so
  the analysis can join them by key without nesting;
* the **analysis records** (topology, usage, costs, findings) that ``analyze``
  produces and ``render`` lays out.

All models are frozen. Money is ``Decimal`` inside the analysis and becomes a
JSON number only when serialised.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from analyzer.errors import PriceError

SNAPSHOT_SCHEMA_VERSION = "1"
# "2": plans[] are per group of NAT gateways (plan_id, nat_gateway_ids, targets); nat_gateway_id is the first.
REPORT_SCHEMA_VERSION = "2"
# Report versions ``diff`` reads: "1" and "2" differ only in plans[], which it does not compare.
READABLE_REPORT_SCHEMAS = ("1", "2")

# Decimal inside, JSON number outside.
Usd = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
Num = Usd  # a non-money Decimal quantity (GB, hours, shares) that is a number in JSON

Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(reversed(SEVERITIES))}

Egress = Literal["nat", "igw-eip", "igw-no-public-ip", "none", "unknown"]
Attribution = Literal["sole-consumer", "flow-logs", "eni-share", "no-lambda"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Located(Frozen):
    """A resource that lives in one account and one region."""

    account_id: str
    region: str


# --------------------------------------------------------------------------- snapshot


class Account(Frozen):
    account_id: str
    name: str | None = None


class LambdaFunction(Located):
    arn: str
    name: str
    runtime: str | None = None
    # VPC config: empty subnet_ids means the function is not attached to a VPC.
    vpc_id: str | None = None
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    ipv6_allowed_for_dual_stack: bool = False
    # From GetFunctionConfiguration; None when not collected.
    state: str | None = None
    state_reason_code: str | None = None
    last_update_status: str | None = None
    last_modified: datetime | None = None
    tags: dict[str, str] = Field(default_factory=dict)

    @property
    def in_vpc(self) -> bool:
        return bool(self.subnet_ids)


class Vpc(Located):
    vpc_id: str
    cidr_block: str | None = None
    is_default: bool = False
    name: str | None = None


class Subnet(Located):
    subnet_id: str
    vpc_id: str
    availability_zone: str
    availability_zone_id: str | None = None
    cidr_block: str | None = None
    ipv6_cidr_blocks: tuple[str, ...] = ()
    map_public_ip_on_launch: bool = False
    available_ip_address_count: int | None = None
    name: str | None = None


class Route(Frozen):
    destination_cidr_block: str | None = None
    destination_ipv6_cidr_block: str | None = None
    destination_prefix_list_id: str | None = None
    gateway_id: str | None = None  # igw-..., vgw-..., vpce-... or "local"
    nat_gateway_id: str | None = None
    transit_gateway_id: str | None = None
    vpc_peering_connection_id: str | None = None
    network_interface_id: str | None = None
    instance_id: str | None = None
    egress_only_internet_gateway_id: str | None = None
    state: str = "active"  # "blackhole" when the target is gone


class RouteTable(Located):
    route_table_id: str
    vpc_id: str
    is_main: bool = False
    subnet_ids: tuple[str, ...] = ()  # explicit subnet associations
    routes: tuple[Route, ...] = ()
    name: str | None = None


class NatAddress(Frozen):
    """One entry of DescribeNatGateways ``NatGatewayAddresses``."""

    allocation_id: str | None = None
    public_ip: str | None = None
    private_ip: str | None = None
    network_interface_id: str | None = None
    association_id: str | None = None
    is_primary: bool = False
    status: str = "succeeded"
    availability_zone: str | None = None  # regional NAT gateways: the AZ this address serves


class NatGateway(Located):
    nat_gateway_id: str
    vpc_id: str
    # Zonal gateways have a subnet and AZ; regional ones (AvailabilityMode
    # "regional") have neither.
    subnet_id: str | None = None
    availability_zone: str | None = None
    availability_mode: Literal["zonal", "regional"] = "zonal"
    connectivity_type: Literal["public", "private"] = "public"
    state: str = "available"
    public_ips: tuple[str, ...] = ()
    private_ips: tuple[str, ...] = ()
    allocation_ids: tuple[str, ...] = ()
    network_interface_ids: tuple[str, ...] = ()  # the gateway's own ENIs
    # Per-address detail (primary flag, status, AZ of a regional gateway's
    # address). Empty in snapshots written before it was collected.
    addresses: tuple[NatAddress, ...] = ()
    auto_provision_zones: str | None = None  # regional gateways: "enabled" | "disabled"
    auto_scaling_ips: str | None = None  # regional gateways: "enabled" | "disabled"
    name: str | None = None


class NetworkInterface(Located):
    network_interface_id: str
    vpc_id: str | None = None
    subnet_id: str | None = None
    availability_zone: str | None = None
    interface_type: str = "interface"  # "lambda", "nat_gateway", "interface", ...
    description: str = ""
    security_group_ids: tuple[str, ...] = ()
    private_ip: str | None = None
    public_ip: str | None = None  # from Association.PublicIp
    allocation_id: str | None = None  # set when the public IP is an Elastic IP
    status: str = "in-use"
    requester_managed: bool | None = None


class ElasticIp(Located):
    allocation_id: str
    public_ip: str
    association_id: str | None = None
    network_interface_id: str | None = None
    private_ip: str | None = None
    name: str | None = None


class InternetGateway(Located):
    internet_gateway_id: str
    vpc_ids: tuple[str, ...] = ()


class VpcEndpoint(Located):
    vpc_endpoint_id: str
    vpc_id: str
    service_name: str  # e.g. com.amazonaws.us-east-1.s3
    endpoint_type: str = "Gateway"
    route_table_ids: tuple[str, ...] = ()
    state: str = "available"


class PrefixList(Located):
    """A managed prefix list a route refers to (DescribeManagedPrefixLists + GetManagedPrefixListEntries)."""

    prefix_list_id: str
    name: str | None = None
    address_family: Literal["IPv4", "IPv6"] = "IPv4"
    cidrs: tuple[str, ...] = ()
    owner_id: str | None = None  # "AWS" for AWS-managed lists (S3, DynamoDB, CloudFront)


class MetricSeries(Located):
    """One CloudWatch series: daily (or other period) points, gaps allowed."""

    namespace: str  # "AWS/NATGateway", "AWS/Lambda"
    metric_name: str
    dimension_name: str  # "NatGatewayId", "FunctionName"
    dimension_value: str
    stat: str  # "Sum", "Maximum"
    period_seconds: int = 86400
    timestamps: tuple[datetime, ...] = ()
    values: tuple[float, ...] = ()

    @model_validator(mode="after")
    def _same_length(self) -> MetricSeries:
        if len(self.timestamps) != len(self.values):
            raise ValueError(f"{len(self.timestamps)} timestamps but {len(self.values)} values")
        return self


class EipQuota(Located):
    value: int
    source: Literal["service-quotas", "default"] = "service-quotas"
    note: str | None = None


class FlowLogBytes(Located):
    """Bytes a NAT gateway processed for one source ENI over the window (from VPC Flow Logs)."""

    nat_gateway_id: str
    source_eni_id: str
    bytes: float


class FlowLogNat(Frozen):
    """One NAT gateway's flow-log bytes in the window: attributed to a snapshot ENI, or not."""

    nat_gateway_id: str
    records: int = 0
    attributed_bytes: int = 0
    # From private addresses that match no ENI of the NAT's VPC (unknown, or another VPC's):
    # counted as non-Lambda bytes, never dropped.
    unattributed_bytes: int = 0


class FlowLogStats(Frozen):
    """What a flow-log read saw, and every record it could not attribute, by reason."""

    source: str  # the paths read, or "athena:DB.TABLE"
    engine: Literal["duckdb", "athena"]
    query: str  # the SQL that ran (the aggregation over every record)
    window_start: datetime
    window_end: datetime
    records: int = 0
    attributed_records: int = 0
    outside_window: int = 0  # start outside [window_start, window_end)
    rejected: int = 0  # action REJECT
    no_data: int = 0  # NODATA / SKIPDATA records, or records without bytes or start
    other_interfaces: int = 0  # records of ENIs that are not a NAT gateway's of the snapshot (other ENIs, VPCs)
    nat_side: int = 0  # the NAT <-> destination leg: its bytes are counted on the source side
    unknown_address: int = 0  # on a NAT ENI, from/to a private address no snapshot ENI has
    other_vpc: int = 0  # on a NAT ENI, from/to an address of an ENI in another VPC
    nats: tuple[FlowLogNat, ...] = ()


class BilledLine(Frozen):
    """One aggregated group of CUR line items: NAT usage type x line item type x billing period x resource."""

    account_id: str | None = None
    region: str | None = None
    nat_gateway_id: str | None = None  # None: no NAT resource id on the lines (an account-level credit)
    period: str  # "2026-10": the billing period's month
    period_start: datetime
    period_end: datetime
    line_item_type: str  # Usage, Credit, Refund, EdpDiscount, ...
    usage_type: str  # e.g. "EU-NatGateway-Hours"
    usage_amount: Num  # hours, or GB for the -Bytes usage types
    cost_usd: Usd  # line_item_unblended_cost summed
    usage_start: datetime | None = None  # earliest line_item_usage_start_date in the group
    usage_end: datetime | None = None  # latest line_item_usage_end_date in the group


class BillingData(Frozen):
    """The NAT gateway lines of a Cost and Usage Report, aggregated (``--cur`` / ``--cur-athena``)."""

    source: str
    engine: Literal["duckdb", "athena"]
    query: str
    lines: tuple[BilledLine, ...] = ()


class CoverageError(Frozen):
    account_id: str
    region: str
    operation: str
    error_code: str
    message: str


class Coverage(Frozen):
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    errors: tuple[CoverageError, ...] = ()
    api_calls: dict[str, int] = Field(default_factory=dict)
    notes: tuple[str, ...] = ()
    flow_logs: FlowLogStats | None = None  # set when --flow-logs / --flow-logs-athena was read

    @property
    def complete(self) -> bool:
        return not self.errors


class Snapshot(Frozen):
    schema_version: str = SNAPSHOT_SCHEMA_VERSION
    tool_version: str = "unknown"
    collected_at: datetime
    window_days: int = Field(default=30, ge=1, le=455)
    accounts: tuple[Account, ...] = ()
    functions: tuple[LambdaFunction, ...] = ()
    vpcs: tuple[Vpc, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    route_tables: tuple[RouteTable, ...] = ()
    nat_gateways: tuple[NatGateway, ...] = ()
    network_interfaces: tuple[NetworkInterface, ...] = ()
    elastic_ips: tuple[ElasticIp, ...] = ()
    internet_gateways: tuple[InternetGateway, ...] = ()
    vpc_endpoints: tuple[VpcEndpoint, ...] = ()
    prefix_lists: tuple[PrefixList, ...] = ()
    metrics: tuple[MetricSeries, ...] = ()
    eip_quotas: tuple[EipQuota, ...] = ()
    flow_log_bytes: tuple[FlowLogBytes, ...] = ()
    billing: BillingData | None = None  # set when --cur / --cur-athena was read
    coverage: Coverage = Field(default_factory=Coverage)


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


class NatView(Located):
    """A NAT gateway with everything that uses it (any route, not only 0.0.0.0/0)."""

    nat_gateway_id: str
    vpc_id: str
    availability_zone: str | None = None
    availability_mode: Literal["zonal", "regional"] = "zonal"
    connectivity_type: Literal["public", "private"] = "public"
    public_ips: tuple[str, ...] = ()
    # AZs the gateway serves: its own AZ (zonal) or the AZs of its per-AZ addresses (regional).
    active_azs: tuple[str, ...] = ()
    routed_subnet_ids: tuple[str, ...] = ()  # every subnet whose table has a route to the NAT
    cross_az_subnet_ids: tuple[str, ...] = ()  # routed subnets in another AZ than the NAT
    function_arns: tuple[str, ...] = ()  # functions whose egress goes through this NAT: they move
    lambda_eni_ids: tuple[str, ...] = ()
    other_consumer_eni_ids: tuple[str, ...] = ()
    # Functions whose subnets route *some* destinations to this NAT while their egress goes
    # elsewhere (a partner /24 to the NAT, 0.0.0.0/0 to a transit gateway): they keep the NAT.
    partial_function_arns: tuple[str, ...] = ()
    eni_group_keys: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()
    requester_managed_eni_ids: tuple[str, ...] = ()
    # From the proposed design (``Topology.targets``): the Elastic IPs of the target ENIs this NAT
    # owns (a target several NATs land on is owned by the lowest NAT id), and how many are new.
    eips_needed: int = 0
    new_eips: int = 0
    plan_id: str | None = None
    name: str | None = None

    @property
    def removable(self) -> bool:
        """The NAT can go only when nothing but the moving Lambda ENIs uses it."""
        return not self.other_consumer_eni_ids and not self.partial_function_arns


AddressOrigin = Literal["existing", "nat-secondary", "nat-held", "new"]


class TargetAddress(Frozen):
    """The Elastic IP one ENI of a target gets."""

    allocation_id: str  # "eipalloc-..." or a placeholder "<new-allocation-id-N>" (unique per account+region)
    public_ip: str | None = None  # None until a new allocation exists
    # existing: already on an ENI of the target; nat-secondary: a NAT's secondary address, taken off
    # it before anything moves; nat-held: freed only by deleting the NAT (a maintenance window);
    # new: allocated by the plan.
    origin: AddressOrigin
    nat_gateway_id: str | None = None  # the NAT that holds it today (nat-* origins)


class TargetEni(Located):
    """One key of the proposed design: (public subnet, security-group set) = one shared Hyperplane ENI.

    Computed once (``analyzer.design``); costs, rules and plans all read it.
    """

    vpc_id: str
    subnet_id: str  # a real public subnet, or a placeholder "<new-public-subnet-VPC-AZ>"
    availability_zone: str | None = None
    new_subnet: bool = False
    has_ipv6_cidr: bool = False  # the subnet has an IPv6 CIDR (a subnet the plan creates has none yet)
    security_group_ids: tuple[str, ...]
    source_subnet_ids: tuple[str, ...] = ()
    function_arns: tuple[str, ...] = ()  # the functions that move onto it
    existing_function_arns: tuple[str, ...] = ()  # functions already on this key
    existing_eni_ids: tuple[str, ...] = ()
    nat_gateway_ids: tuple[str, ...] = ()  # the NATs whose functions land here
    owner_nat_gateway_id: str  # the NAT whose scenario carries this target's Elastic IPs
    plan_id: str
    addresses: tuple[TargetAddress, ...] = ()

    @property
    def key(self) -> tuple[str, str, str, tuple[str, ...]]:
        return (self.account_id, self.region, self.subnet_id, self.security_group_ids)

    @property
    def in_window(self) -> bool:
        return any(a.origin == "nat-held" for a in self.addresses)


class Topology(Frozen):
    functions: tuple[FunctionEgress, ...] = ()
    eni_groups: tuple[EniGroup, ...] = ()
    nats: tuple[NatView, ...] = ()
    # Every VPC that has a NAT gateway, keyed "account_id/region/vpc_id", with
    # the gateway-endpoint services it has ("s3", "dynamodb"; may be empty).
    vpc_gateway_endpoints: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    eip_quotas: dict[str, EipQuota] = Field(default_factory=dict)  # key "account_id/region"
    eips_allocated: dict[str, int] = Field(default_factory=dict)  # key "account_id/region"
    targets: tuple[TargetEni, ...] = ()  # the proposed design, computed once


def region_key(account_id: str, region: str) -> str:
    return f"{account_id}/{region}"


def vpc_key(account_id: str, region: str, vpc_id: str) -> str:
    return f"{account_id}/{region}/{vpc_id}"


# --------------------------------------------------------------------------- usage


class NatUsage(Frozen):
    nat_gateway_id: str
    window_bytes: float = 0.0  # BytesInFromSource + BytesInFromDestination over the window
    days_with_data: int = 0
    monthly_gb: Num = Decimal(0)
    lambda_share: Num = Decimal(1)
    attribution: Attribution = "sole-consumer"
    confidence: Literal["high", "medium", "low"] = "high"
    has_metrics: bool = False
    peak_active_connections: float | None = None
    error_port_allocation: float | None = None
    monthly_gb_cross_az: Num = Decimal(0)
    monthly_gb_to_internet: Num = Decimal(0)  # BytesOutToDestination, for context only


class FunctionUsage(Frozen):
    arn: str
    has_metrics: bool = False
    invocations: float = 0.0
    last_active: date | None = None
    idle_days: int | None = None  # days since last invocation, None when unknown
    peak_concurrency: float | None = None


class Usage(Frozen):
    window_days: int
    month_factor: Num  # 730 / (24 * window_days)
    nats: dict[str, NatUsage] = Field(default_factory=dict)
    functions: dict[str, FunctionUsage] = Field(default_factory=dict)


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

    @model_validator(mode="before")
    @classmethod
    def _stable_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("id") and {"rule_id", "account_id", "region"} <= data.keys():
            data = {**data, "id": finding_id(data["rule_id"], data["account_id"], data["region"],
                                             tuple(data.get("resource_ids") or ()))}
        return data


class Suppression(Frozen):
    rule_id: str
    resource_id: str
    reason: str
    expires: date | None = None


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


# --------------------------------------------------------------------------- report (report.json contract)


class PriceBookInfo(Frozen):
    as_of: str
    source: str
    unverified: tuple[str, ...] = ()  # "region/price" keys whose value is an assumption


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
