"""The snapshot contract: what ``collect`` writes and every later step reads (snapshot.json).

Plain records of AWS resources (and of the flow-log and billing inputs), each
carrying its ``account_id`` and ``region`` so the analysis can join them by key
without nesting. Changing a field here changes the snapshot file: bump
``SNAPSHOT_SCHEMA_VERSION`` when a field changes meaning.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from analyzer.contracts.base import Frozen, Located, Num, Usd

SNAPSHOT_SCHEMA_VERSION = "1"

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
