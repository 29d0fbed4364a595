"""The analysis's internal records: topology views, the proposed design, usage, suppressions.

They are how the pure steps talk to each other (topology -> design -> usage ->
costs -> rules -> plans) and never reach report.json directly: the report
contract (``analyzer.contracts.report``) carries only what ``result.py`` puts
there, so a field changed here cannot change the contract by accident.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from analyzer.contracts.base import Frozen, Located, Num
from analyzer.contracts.report import Attribution, EniGroup, FunctionEgress
from analyzer.contracts.snapshot import EipQuota


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


class Suppression(Frozen):
    rule_id: str
    resource_id: str
    reason: str
    expires: date | None = None
