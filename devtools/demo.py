"""Build the bundled demo snapshot: "Northwind Payments", a fictional company.

Run ``python -m devtools.demo`` to rewrite ``sample_data/demo_snapshot.json`` (the snapshot ships in the
wheel; this generator is a development tool and does not).
The output is deterministic (ids are hashes of resource names, noise comes from
seeded generators, ``collected_at`` is fixed), so a test can prove the committed
file is exactly what this script writes and nobody edits the JSON by hand.

The data is built as ``analyzer.models`` records through the builders shared with the benchmarks and
the test factories (``devtools.estate``), never as hand-written JSON, so it always matches the schema.
Every case below exists on purpose:

Which demo resources make which rule fire (names are function names and
``Name`` tags; the ids are in the generated file). Severity is shown where the
rule grades it by the case.

====================  ==============================================================
rule                  resource(s) in the demo
====================  ==============================================================
public-subnet-no-eip  kyc-onfido-callback: payments-eu public-b, its ENI has no public IP
shared-eni            ledger-export-sftp + ledger-reconcile-nightly + ledger-statement-render
                      (payments-core app-b, sg ledger); partner-feed-ingest + dbt-cloud-trigger
                      (data-lake app-a, sg feed-ingest); clickstream-enricher + geoip-db-refresh
                      (data-lake app-a, sg clickstream)
connection-limit      peak x Lambda share / Lambda ENIs: payments-core-nat-c peak 56,112 on
                      card-auth-gateway's 1 ENI = 0.86 of 65,000 (high); data-lake-nat-a peak
                      109,440 over 3 ENIs = 36,480 each = 0.56 (medium)
idle-reclamation      legacy-sftp-bridge Inactive/Idle (high); chargeback-evidence-upload idle
                      20 days, alone in its group (high); geoip-db-refresh idle 16 days but its
                      group is kept in use by clickstream-enricher (medium);
                      payouts-batch-scheduler idle 9 days (medium)
eni-not-persistent    partner-bank-sftp-push group, payments-eu public-a with an EIP (medium);
                      all 7 NATs are candidates (info each)
nat-shared            payments-core-nat-b: 2 recon-worker EC2 ENIs in app-b (main table);
                      payments-eu-nat-a: the settlement-batch EC2 ENI in ops-a, whose only route
                      to it is the clearing house's 203.0.113.0/24 (no default route there)
cross-az-nat          payments-eu-nat-a (eu-west-1a) <- app-b (1b) and app-c (1c), main table;
                      the regional NAT's app-d (no address in 1d)
eip-quota             no downtime by default: every ENI without a NAT secondary gets a new address,
                      so payments-eu and analytics-apac pass the quota of 5 (data-lake's is 10)
allowlist-change      every candidate (new addresses ahead; the NATs' primaries leave the list last)
idle-nat              data-lake-nat-b: ~0.2 GB/month
no-gateway-endpoint   payments-eu (S3 only), analytics-apac (no gateway endpoints)
unsupported-pattern   every candidate; high in ap-northeast-1, where the Lambda ENIs report
                      RequesterManaged true, medium elsewhere (false)
nat-port-capacity     payments-core-nat-c: 37 ErrorPortAllocation on the peak day (high); low for
                      payments-eu-nat-a (a secondary address) and the regional NAT (2 addresses)
ipv6-egress           fx-rates-poller (Ipv6AllowedForDualStack; its target subnet has no IPv6 CIDR)
====================  ==============================================================

Target keys and coordinated plans: sepa-instant-gateway (payments-eu app-a + app-b) and
sepa-returns-worker (app-a2, also eu-west-1a, same SG) land on one ENI in public-a: one
Elastic IP for both subnets. events-fanout spans data-lake app-a (nat-a) and app-b (nat-b),
so data-lake-nat-a and data-lake-nat-b are migrated by one plan that moves it once.
payments-eu-nat-a has a secondary address (taken off the NAT and reused, no window); the
regional NAT has one primary address per AZ (1a, 1c) and is priced per active AZ.

Verdicts: payments-core-nat-a go; data-lake-nat-a and -nat-b go with guard (connection
limit, shared ENIs, idle functions); payments-core-nat-b not worth it ($2.34/month);
blocked: analytics-apac-nat-regional (quota, RequesterManaged), payments-core-nat-c (port
errors), payments-eu-nat-a (it stays for settlement-batch and moving costs more).

No function-level rule fires for payments-stripe-webhook: alone in its ENI
group behind payments-core-nat-a in its own AZ (1 group, 1 EIP), VPC with S3 and
DynamoDB endpoints, ~42k invocations a weekday, payments-prod/us-east-1 quota 15.
Only what applies to every candidate NAT applies (allowlist-change, unsupported-pattern,
eni-not-persistent).

Egress edge cases: onprem-ledger-sync (data-lake shared-svc-a, default route
to a transit gateway) is "unknown"; payments-db-migrator (payments-core data-a,
no default route) is "none". Escaping: marketing-attribution-sync has the Name
tag ``<script>alert(1)</script>``; apac-fraud-scorer's team tag contains "|".
Other realism: payments-core app-b, payments-eu app-b/app-c and analytics-apac
app-c/app-d rely on their VPC's main route table; card-tokenization-proxy's group
(payments-core app-b) was scaled out to 2 ENIs; card-auth-gateway is alone on
payments-core-nat-c (1 group, 1 ENI, 1 EIP: no allow-list change, only the
connection risk); legacy-sftp-bridge's ENI was reclaimed (no Lambda ENI in its group);
sepa-migration-reserved is an unassociated EIP; eu-west-1c has no public
subnet; data-platform-prod/eu-west-1 holds only a default VPC.
"""

from __future__ import annotations

import hashlib
import ipaddress
import random
import sys
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from analyzer.models import (
    Account,
    Coverage,
    EipQuota,
    InternetGateway,
    LambdaFunction,
    MetricSeries,
    NatAddress,
    NatGateway,
    NetworkInterface,
    Route,
    RouteTable,
    Snapshot,
    Subnet,
    Vpc,
    VpcEndpoint,
)
from analyzer.snapshot import write_snapshot
from devtools import estate
from devtools.estate import daily, elastic_ip, lambda_eni, lambda_function, local_route, nat_eni, window

SEED = 20261101
COLLECTED_AT = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
WINDOW_DAYS = 30
OUTPUT = Path(__file__).resolve().parents[1] / "sample_data" / "demo_snapshot.json"
GIB = 2**30

PAY, DATA = "482913650127", "731604298415"
ACCOUNTS = {PAY: "payments-prod", DATA: "data-platform-prod"}
REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1")
# AZ letter -> AZ id differs per account in real AWS; keep that detail.
AZ_IDS = {
    (PAY, "us-east-1"): {"a": "use1-az4", "b": "use1-az6", "c": "use1-az1"},
    (PAY, "eu-west-1"): {"a": "euw1-az3", "b": "euw1-az1", "c": "euw1-az2"},
    (DATA, "us-east-1"): {"a": "use1-az2", "b": "use1-az4", "c": "use1-az6"},
    (DATA, "eu-west-1"): {"a": "euw1-az1", "b": "euw1-az2", "c": "euw1-az3"},
    (DATA, "ap-northeast-1"): {"a": "apne1-az4", "c": "apne1-az1", "d": "apne1-az2"},
}
# Real AWS-managed prefix lists for the gateway endpoints' routes.
PREFIX_LISTS = {
    ("us-east-1", "s3"): "pl-63a5400a", ("us-east-1", "dynamodb"): "pl-02cd2c6b",
    ("eu-west-1", "s3"): "pl-6da54004", ("eu-west-1", "dynamodb"): "pl-6fa54006",
    ("ap-northeast-1", "s3"): "pl-61a54008", ("ap-northeast-1", "dynamodb"): "pl-78a54011",
}


PARTNER_CIDR = "203.0.113.0/24"  # a clearing house the settlement batch reaches through the NAT, nothing else
# NAT address layout: zonal NATs get one primary address, plus secondaries listed here; the regional NAT
# one primary address per AZ it serves.
NAT_SECONDARIES = {"payments-eu/nat-a": 1}
REGIONAL_AZS = ("a", "c")


@dataclass(frozen=True)
class VpcSpec:
    """One VPC. Subnet routes: "igw", "nat-<az>"/"nat-regional", "main", "tgw", "isolated"."""

    key: str
    account: str
    region: str
    cidr: str
    subnets: tuple[tuple[str, str, str, str], ...]  # (name, az letter, cidr, route)
    main_route: str  # where the main table's default route goes ("local" = none)
    nats: tuple[str, ...] = ()  # az letters of zonal NATs, or "regional"
    endpoints: tuple[str, ...] = ()  # gateway endpoint services
    is_default: bool = False
    # Routes besides the default one: subnet name -> ((destination CIDR, target), ...)
    extra_routes: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class FnSpec:
    """One VPC function and its traffic shape (weekday invocations per day)."""

    name: str
    vpc: str
    subnets: tuple[str, ...]
    sgs: tuple[str, ...]
    runtime: str
    team: str
    per_day: int
    concurrency: int = 1
    weekend: float = 0.6  # weekend invocations as a fraction of weekdays
    idle_days: int | None = None  # last invocation this many days before collected_at
    state: str = "Active"
    enis: int = 1  # ENIs Lambda has created for the function's group(s)
    eip: bool = False  # an Elastic IP is associated with the group's ENI
    tags: dict[str, str] = field(default_factory=dict)
    only_days: tuple[tuple[int, int], ...] = ()  # (day of October, invocations): runs on those days only
    dual_stack: bool = False  # Ipv6AllowedForDualStack


@dataclass(frozen=True)
class NatTraffic:
    monthly_gib: float
    peak_connections: int
    weekend: float = 0.55
    port_errors: int = 0  # ErrorPortAllocation on the peak day


VPCS = (
    VpcSpec("payments-core", PAY, "us-east-1", "10.20.0.0/16", (
        ("public-a", "a", "10.20.0.0/24", "igw"), ("public-b", "b", "10.20.1.0/24", "igw"),
        ("public-c", "c", "10.20.2.0/24", "igw"), ("app-a", "a", "10.20.16.0/20", "nat-a"),
        ("app-b", "b", "10.20.32.0/20", "main"), ("app-c", "c", "10.20.48.0/20", "nat-c"),
        ("data-a", "a", "10.20.64.0/22", "isolated"),
    ), main_route="nat-b", nats=("a", "b", "c"), endpoints=("s3", "dynamodb")),
    VpcSpec("payments-eu", PAY, "eu-west-1", "10.40.0.0/16", (
        ("public-a", "a", "10.40.0.0/24", "igw"), ("public-b", "b", "10.40.1.0/24", "igw"),
        ("app-a", "a", "10.40.16.0/20", "nat-a"), ("app-b", "b", "10.40.32.0/20", "main"),
        ("app-c", "c", "10.40.48.0/20", "main"), ("app-a2", "a", "10.40.64.0/20", "nat-a"),
        ("ops-a", "a", "10.40.80.0/24", "isolated"),
    ), main_route="nat-a", nats=("a",), endpoints=("s3",), extra_routes=(("ops-a", PARTNER_CIDR, "nat-a"),)),
    VpcSpec("data-lake", DATA, "us-east-1", "10.60.0.0/16", (
        ("public-a", "a", "10.60.0.0/24", "igw"), ("public-b", "b", "10.60.1.0/24", "igw"),
        ("app-a", "a", "10.60.16.0/20", "nat-a"), ("app-b", "b", "10.60.32.0/20", "nat-b"),
        ("shared-svc-a", "a", "10.60.96.0/24", "tgw"),
    ), main_route="local", nats=("a", "b"), endpoints=("s3", "dynamodb")),
    VpcSpec("analytics-apac", DATA, "ap-northeast-1", "10.80.0.0/16", (
        ("public-a", "a", "10.80.0.0/24", "igw"), ("public-c", "c", "10.80.1.0/24", "igw"),
        ("public-d", "d", "10.80.2.0/24", "igw"), ("app-a", "a", "10.80.16.0/20", "nat-regional"),
        ("app-c", "c", "10.80.32.0/20", "main"), ("app-d", "d", "10.80.48.0/20", "main"),
    ), main_route="nat-regional", nats=("regional",)),
    VpcSpec("default", DATA, "eu-west-1", "172.31.0.0/16", (
        ("default-a", "a", "172.31.0.0/20", "main"), ("default-b", "b", "172.31.16.0/20", "main"),
        ("default-c", "c", "172.31.32.0/20", "main"),
    ), main_route="igw", is_default=True),
)

FUNCTIONS = (
    FnSpec("payments-stripe-webhook", "payments-core", ("app-a",), ("stripe-webhook",), "nodejs20.x",
           "payments-core", 42_000, concurrency=38),
    FnSpec("ledger-export-sftp", "payments-core", ("app-b",), ("ledger",), "python3.12", "ledger", 24,
           weekend=1.0),
    FnSpec("ledger-reconcile-nightly", "payments-core", ("app-b",), ("ledger",), "python3.12", "ledger", 1,
           weekend=1.0),
    FnSpec("ledger-statement-render", "payments-core", ("app-b",), ("ledger",), "java21", "ledger", 3_100,
           concurrency=6),
    FnSpec("payouts-batch-scheduler", "payments-core", ("app-b",), ("payouts",), "python3.11", "payouts",
           96, weekend=0.0, idle_days=9),
    FnSpec("fraud-signals-sift", "payments-core", ("app-b",), ("fraud-signals",), "nodejs20.x", "risk",
           18_000, concurrency=9),
    FnSpec("card-auth-gateway", "payments-core", ("app-c",), ("card-auth",), "java21", "card-issuing",
           610_000, concurrency=420),
    FnSpec("card-tokenization-proxy", "payments-core", ("app-b",), ("tokenization",), "provided.al2023",
           "card-issuing", 240_000, concurrency=130, enis=2),
    FnSpec("payments-db-migrator", "payments-core", ("data-a",), ("db-migrator",), "python3.12",
           "payments-core", 0, only_days=((6, 3), (20, 2), (27, 4))),
    FnSpec("sepa-instant-gateway", "payments-eu", ("app-a", "app-b"), ("sepa",), "java21", "payments-eu",
           52_000, concurrency=44),
    FnSpec("fx-rates-poller", "payments-eu", ("app-b",), ("fx-rates",), "python3.12", "treasury", 1_440,
           weekend=1.0, dual_stack=True),
    FnSpec("sepa-returns-worker", "payments-eu", ("app-a2",), ("sepa",), "java21", "payments-eu", 4_800,
           concurrency=5),
    FnSpec("kyc-onfido-callback", "payments-eu", ("public-b",), ("kyc",), "nodejs20.x", "onboarding", 2_300,
           concurrency=4),
    FnSpec("partner-bank-sftp-push", "payments-eu", ("public-a",), ("sftp-push",), "python3.12", "ledger",
           48, weekend=1.0, eip=True),
    FnSpec("chargeback-evidence-upload", "payments-eu", ("app-c",), ("chargeback",), "nodejs18.x",
           "disputes", 35, weekend=0.0, idle_days=20),
    FnSpec("partner-feed-ingest", "data-lake", ("app-a",), ("feed-ingest",), "python3.12", "data-eng",
           2_880, concurrency=12, weekend=1.0),
    FnSpec("dbt-cloud-trigger", "data-lake", ("app-a",), ("feed-ingest",), "python3.12", "data-eng", 24,
           weekend=1.0),
    FnSpec("clickstream-enricher", "data-lake", ("app-a",), ("clickstream",), "java21", "data-eng",
           880_000, concurrency=610),
    FnSpec("geoip-db-refresh", "data-lake", ("app-a",), ("clickstream",), "python3.11", "data-eng", 1,
           weekend=1.0, idle_days=16),
    FnSpec("events-fanout", "data-lake", ("app-a", "app-b"), ("fanout",), "python3.12", "data-eng", 9_600,
           concurrency=8, weekend=1.0),
    FnSpec("legacy-sftp-bridge", "data-lake", ("app-b",), ("legacy-sftp",), "python3.9", "data-eng", 0,
           state="Inactive", enis=0),
    FnSpec("onprem-ledger-sync", "data-lake", ("shared-svc-a",), ("onprem-sync",), "java17", "finance-it",
           288, weekend=1.0),
    FnSpec("apac-fraud-scorer", "analytics-apac", ("app-a", "app-c"), ("fraud-scorer",), "python3.12",
           "risk|fraud-ops", 130_000, concurrency=75),
    FnSpec("jp-settlement-reporter", "analytics-apac", ("app-a",), ("settlement",), "python3.12",
           "finance-apac", 6, weekend=0.0),
    FnSpec("marketing-attribution-sync", "analytics-apac", ("app-d",), ("attribution",), "nodejs20.x",
           "growth", 720, weekend=1.0, tags={"Name": "<script>alert(1)</script>"}),
)

NON_VPC = (  # (account, region, name, runtime, team)
    (PAY, "us-east-1", "slack-alerts-relay", "python3.12", "platform"),
    (PAY, "us-east-1", "payments-api-authorizer", "nodejs20.x", "payments-core"),
    (PAY, "ap-northeast-1", "jp-konbini-webhook", "nodejs20.x", "payments-apac"),
    (DATA, "us-east-1", "cost-report-mailer", "python3.12", "finops"),
    (DATA, "eu-west-1", "gdpr-erasure-dispatcher", "python3.12", "privacy"),
)

EC2_ENIS = (  # (vpc, subnet, name, security group, count, public ip)
    ("payments-core", "app-b", "recon-worker", "recon-worker", 2, False),
    ("payments-core", "public-a", "bastion", "bastion", 1, True),
    ("data-lake", "public-b", "airflow-web", "airflow", 1, False),
    ("payments-eu", "ops-a", "settlement-batch", "settlement", 1, False),
)
RDS_ENIS = (("payments-core", "data-a", "payments-ledger-db", "ledger-db"),)

NAT_TRAFFIC = {
    "payments-core/nat-a": NatTraffic(140, 4_150),
    "payments-core/nat-b": NatTraffic(640, 9_800),
    "payments-core/nat-c": NatTraffic(900, 56_112, port_errors=37),
    "payments-eu/nat-a": NatTraffic(85, 1_900),
    "data-lake/nat-a": NatTraffic(420, 109_440, weekend=0.8),
    "data-lake/nat-b": NatTraffic(0.2, 3, weekend=1.0),
    "analytics-apac/nat-regional": NatTraffic(60, 2_300),
}
UNASSOCIATED_EIPS = (("payments-eu", "sepa-migration-reserved"),)
EIP_QUOTAS = {  # (account, region) -> (value, note); everything else is 5
    (PAY, "us-east-1"): (15, "Raised in 2025 for the payments-core NAT gateways"),
    (DATA, "us-east-1"): (10, "Raised in 2026 for the data-lake ingest partners"),
}


def hex_id(prefix: str, key: str) -> str:
    """A real-looking AWS id (17 hex chars) that depends only on the resource's name."""
    digest = hashlib.sha256(f"{SEED}:{prefix}:{key}".encode()).hexdigest()
    return f"{prefix}-0{digest[:16]}"


def window_days() -> list[date]:
    """The 30 days before collected_at's midnight, oldest first."""
    return window(COLLECTED_AT, WINDOW_DAYS)


class IpPool:
    """Private addresses inside each subnet and documentation-range public addresses per region."""

    PUBLIC: ClassVar[dict[str, str]] = {
        "us-east-1": "203.0.113", "eu-west-1": "198.51.100", "ap-northeast-1": "192.0.2",
    }

    def __init__(self) -> None:
        self.used: dict[str, set[int]] = defaultdict(set)
        self.public_next: dict[str, int] = defaultdict(lambda: 10)

    def private(self, subnet_key: str, cidr: str) -> str:
        net = ipaddress.ip_network(cidr)
        span = net.num_addresses - 5  # AWS reserves the first four and the last address
        offset = int(hashlib.sha256(f"{subnet_key}:{len(self.used[subnet_key])}".encode()).hexdigest(), 16)
        offset %= span
        while offset in self.used[subnet_key]:
            offset = (offset + 1) % span
        self.used[subnet_key].add(offset)
        return str(net.network_address + 4 + offset)

    def public(self, region: str) -> str:
        host = self.public_next[region]
        self.public_next[region] += 7
        return f"{self.PUBLIC[region]}.{host}"


class DemoBuilder:
    """Turns the spec tables above into Snapshot records, in a fixed order."""

    def __init__(self) -> None:
        self.ips = IpPool()
        self.vpcs: dict[str, VpcSpec] = {v.key: v for v in VPCS}
        self.subnet_rows: dict[str, dict] = {}  # "vpc/subnet" -> Subnet kwargs, finalised last
        self.records: dict[str, list] = defaultdict(list)

    # ------------------------------------------------------------------ network

    def loc(self, vpc: VpcSpec) -> dict[str, str]:
        return {"account_id": vpc.account, "region": vpc.region}

    def az(self, vpc: VpcSpec, letter: str) -> str:
        return f"{vpc.region}{letter}"

    def subnet_id(self, vpc_key: str, name: str) -> str:
        return hex_id("subnet", f"{vpc_key}/{name}")

    def sg_ids(self, vpc_key: str, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(hex_id("sg", f"{vpc_key}/{n}") for n in names))

    def nat_id(self, vpc_key: str, where: str) -> str:
        return hex_id("nat", f"{vpc_key}/nat-{where}")

    def build_vpc(self, vpc: VpcSpec) -> None:
        vpc_id = hex_id("vpc", vpc.key)
        name = None if vpc.is_default else vpc.key
        self.records["vpcs"].append(Vpc(**self.loc(vpc), vpc_id=vpc_id, cidr_block=vpc.cidr,
                                        is_default=vpc.is_default, name=name))
        self.records["igws"].append(InternetGateway(
            **self.loc(vpc), internet_gateway_id=hex_id("igw", vpc.key), vpc_ids=(vpc_id,)))
        az_ids = AZ_IDS[(vpc.account, vpc.region)]
        for sub_name, letter, cidr, route in vpc.subnets:
            self.subnet_rows[f"{vpc.key}/{sub_name}"] = dict(
                **self.loc(vpc), subnet_id=self.subnet_id(vpc.key, sub_name), vpc_id=vpc_id,
                availability_zone=self.az(vpc, letter), availability_zone_id=az_ids[letter],
                cidr_block=cidr, map_public_ip_on_launch=vpc.is_default or route == "igw",
                name=None if vpc.is_default else f"{vpc.key}-{sub_name}",
            )
        for where in vpc.nats:
            self.build_nat(vpc, vpc_id, where)
        endpoint_tables = self.build_route_tables(vpc, vpc_id)
        for service in vpc.endpoints:
            self.records["endpoints"].append(VpcEndpoint(
                **self.loc(vpc), vpc_endpoint_id=hex_id("vpce", f"{vpc.key}/{service}"), vpc_id=vpc_id,
                service_name=f"com.amazonaws.{vpc.region}.{service}", route_table_ids=endpoint_tables))

    def build_nat(self, vpc: VpcSpec, vpc_id: str, where: str) -> None:
        """A zonal NAT in public-<az> with one EIP on its own ENI, or a regional NAT with two EIPs."""
        key = f"{vpc.key}/nat-{where}"
        nat_id = self.nat_id(vpc.key, where)
        regional = where == "regional"
        eip_count = len(REGIONAL_AZS) if regional else 1 + NAT_SECONDARIES.get(key, 0)
        allocs = tuple(hex_id("eipalloc", f"{key}/{i}") for i in range(eip_count))
        publics = tuple(self.ips.public(vpc.region) for _ in allocs)
        eni_ids: tuple[str, ...] = ()
        private_ips: tuple[str, ...] = ()
        if not regional:
            sub_key = f"{vpc.key}/public-{where}"
            eni_id = hex_id("eni", key)
            private_ip = self.ips.private(sub_key, self.subnet_rows[sub_key]["cidr_block"])
            eni_ids, private_ips = (eni_id,), (private_ip,)
            self.records["enis"].append(nat_eni(
                vpc.account, vpc.region, eni_id, vpc_id, self.subnet_rows[sub_key]["subnet_id"],
                self.az(vpc, where), nat_id, private_ip=private_ip, public_ip=publics[0], allocation_id=allocs[0]))
        for i, (alloc, ip) in enumerate(zip(allocs, publics, strict=True)):
            self.records["eips"].append(elastic_ip(
                vpc.account, vpc.region, alloc, ip,
                association_id=hex_id("eipassoc", f"{key}/{i}"),
                network_interface_id=eni_ids[0] if eni_ids else None,
                private_ip=private_ips[0] if private_ips else None,
                name=f"{key.replace('/', '-')}-eip-{i + 1}"))
        addresses = tuple(
            NatAddress(allocation_id=alloc, public_ip=ip, private_ip=private_ips[0] if private_ips else None,
                       network_interface_id=eni_ids[0] if eni_ids else None,
                       association_id=hex_id("eipassoc", f"{key}/{i}"), is_primary=regional or i == 0,
                       availability_zone=self.az(vpc, REGIONAL_AZS[i]) if regional else None)
            for i, (alloc, ip) in enumerate(zip(allocs, publics, strict=True)))
        self.records["nats"].append(NatGateway(
            **self.loc(vpc), nat_gateway_id=nat_id, vpc_id=vpc_id, addresses=addresses,
            subnet_id=None if regional else self.subnet_id(vpc.key, f"public-{where}"),
            availability_zone=None if regional else self.az(vpc, where),
            availability_mode="regional" if regional else "zonal", public_ips=publics,
            private_ips=private_ips, allocation_ids=allocs, network_interface_ids=eni_ids,
            name=key.replace("/", "-")))

    def default_route(self, vpc: VpcSpec, target: str) -> Route | None:
        dest = "0.0.0.0/0"
        if target == "igw":
            return estate.route(dest, gateway_id=hex_id("igw", vpc.key))
        if target.startswith("nat-"):
            return estate.route(dest, nat_gateway_id=self.nat_id(vpc.key, target[4:]))
        if target == "tgw":
            return estate.route(dest, transit_gateway_id=hex_id("tgw", "northwind-shared-egress"))
        return None  # "local" / "isolated": no default route

    def routes(self, vpc: VpcSpec, target: str, subnet: str | None = None) -> tuple[Route, ...]:
        routes = [local_route(vpc.cidr)]
        default = self.default_route(vpc, target)
        if default:
            routes.append(default)
        for name, cidr, via in vpc.extra_routes:
            if name == subnet and via.startswith("nat-"):
                routes.append(estate.route(cidr, nat_gateway_id=self.nat_id(vpc.key, via[4:])))
        if target != "igw":
            routes += [Route(destination_prefix_list_id=PREFIX_LISTS[(vpc.region, s)],
                             gateway_id=hex_id("vpce", f"{vpc.key}/{s}")) for s in vpc.endpoints]
        return tuple(routes)

    def build_route_tables(self, vpc: VpcSpec, vpc_id: str) -> tuple[str, ...]:
        """Main table, a shared public table, one table per other private subnet.

        Returns the ids of the tables the gateway endpoints attach to.
        """
        tables: list[RouteTable] = []
        endpoint_tables: list[str] = []
        main_id = hex_id("rtb", f"{vpc.key}/main")
        tables.append(RouteTable(**self.loc(vpc), route_table_id=main_id, vpc_id=vpc_id, is_main=True,
                                 routes=self.routes(vpc, vpc.main_route),
                                 name=None if vpc.is_default else f"{vpc.key}-main"))
        if vpc.main_route != "igw":
            endpoint_tables.append(main_id)
        public = tuple(self.subnet_id(vpc.key, n) for n, _, _, r in vpc.subnets if r == "igw")
        if public:
            tables.append(RouteTable(**self.loc(vpc), route_table_id=hex_id("rtb", f"{vpc.key}/public"),
                                     vpc_id=vpc_id, subnet_ids=public, routes=self.routes(vpc, "igw"),
                                     name=f"{vpc.key}-public"))
        for name, _, _, route in vpc.subnets:
            if route in ("igw", "main"):
                continue
            rtb_id = hex_id("rtb", f"{vpc.key}/{name}")
            endpoint_tables.append(rtb_id)
            tables.append(RouteTable(**self.loc(vpc), route_table_id=rtb_id, vpc_id=vpc_id,
                                     subnet_ids=(self.subnet_id(vpc.key, name),),
                                     routes=self.routes(vpc, route, name), name=f"{vpc.key}-{name}"))
        self.records["route_tables"] += tables
        return tuple(endpoint_tables) if vpc.endpoints else ()

    def finish_subnets(self) -> list[Subnet]:
        """Subnets last, so their free-address counts reflect every ENI placed in them."""
        rows = []
        for key, row in self.subnet_rows.items():
            size = ipaddress.ip_network(row["cidr_block"]).num_addresses
            rows.append(Subnet(**row, available_ip_address_count=size - 5 - len(self.ips.used[key])))
        return rows

    # ------------------------------------------------------------------ functions and ENIs

    def function_record(self, spec: FnSpec) -> LambdaFunction:
        vpc = self.vpcs[spec.vpc]
        rng = random.Random(f"{SEED}:fn:{spec.name}")
        modified = COLLECTED_AT - timedelta(days=rng.randint(45, 400), minutes=rng.randint(0, 1439))
        inactive = spec.state == "Inactive"
        return lambda_function(
            vpc.account, vpc.region, spec.name, runtime=spec.runtime, vpc_id=hex_id("vpc", vpc.key),
            subnet_ids=tuple(self.subnet_id(vpc.key, s) for s in spec.subnets),
            security_group_ids=self.sg_ids(vpc.key, spec.sgs), state=spec.state,
            ipv6_allowed_for_dual_stack=spec.dual_stack,
            state_reason_code="Idle" if inactive else None, last_update_status="Successful",
            last_modified=modified.replace(second=0, microsecond=0),
            tags=self.tags(spec.name, spec.team, vpc.account) | spec.tags,
        )

    def tags(self, name: str, team: str, account: str) -> dict[str, str]:
        cost_center = "cc-4100" if account == PAY else "cc-5200"
        return {"team": team, "service": name, "env": "prod", "cost-center": cost_center,
                "managed-by": "terraform"}

    def build_functions(self) -> None:
        groups: dict[tuple[str, str, tuple[str, ...]], list[FnSpec]] = defaultdict(list)
        for spec in FUNCTIONS:
            self.records["functions"].append(self.function_record(spec))
            for sub in spec.subnets:
                groups[(spec.vpc, sub, spec.sgs)].append(spec)
        for (vpc_key, sub, sgs), members in groups.items():
            self.build_lambda_enis(self.vpcs[vpc_key], sub, sgs, members)
        for account, region, name, runtime, team in NON_VPC:
            self.records["functions"].append(lambda_function(
                account, region, name, runtime=runtime, state="Active", last_update_status="Successful",
                last_modified=datetime(2026, 8, 19, 14, 2, tzinfo=UTC), tags=self.tags(name, team, account)))

    def build_lambda_enis(self, vpc: VpcSpec, sub: str, sgs: tuple[str, ...], members: list[FnSpec]) -> None:
        """Lambda's ENIs for one (subnet, SG set): reclaimed (none) when every user is Inactive."""
        count = max(m.enis for m in members)
        sub_key = f"{vpc.key}/{sub}"
        row = self.subnet_rows[sub_key]
        for i in range(count):
            key = f"{sub_key}/{'+'.join(sgs)}/{i}"
            eni_id = hex_id("eni", key)
            private_ip = self.ips.private(sub_key, row["cidr_block"])
            token = uuid.UUID(int=random.Random(f"{SEED}:uuid:{key}").getrandbits(128), version=4)
            public_ip = alloc = None
            if any(m.eip for m in members):
                public_ip, alloc = self.ips.public(vpc.region), hex_id("eipalloc", key)
                self.records["eips"].append(elastic_ip(
                    vpc.account, vpc.region, alloc, public_ip, association_id=hex_id("eipassoc", key),
                    network_interface_id=eni_id, private_ip=private_ip, name=f"{members[0].name}-egress"))
            self.records["enis"].append(lambda_eni(
                vpc.account, vpc.region, eni_id, row["vpc_id"], row["subnet_id"], row["availability_zone"],
                self.sg_ids(vpc.key, sgs), f"{members[0].name}-{token}", private_ip=private_ip, public_ip=public_ip,
                # Seen both ways on real Lambda ENIs: true in ap-northeast-1 here, false elsewhere.
                allocation_id=alloc, requester_managed=vpc.region == "ap-northeast-1"))

    def build_other_enis(self) -> None:
        """EC2 and RDS ENIs: the recon workers make payments-core-nat-b a shared NAT."""
        rows = [(v, s, n, sg, c, pub, "interface", False, "") for v, s, n, sg, c, pub in EC2_ENIS]
        rows += [(v, s, n, sg, 1, False, "interface", True, "RDSNetworkInterface")
                 for v, s, n, sg in RDS_ENIS]
        for vpc_key, sub, name, sg, count, public, kind, managed, description in rows:
            vpc, sub_key = self.vpcs[vpc_key], f"{vpc_key}/{sub}"
            row = self.subnet_rows[sub_key]
            for i in range(count):
                self.records["enis"].append(NetworkInterface(
                    **self.loc(vpc), network_interface_id=hex_id("eni", f"{sub_key}/{name}/{i}"),
                    vpc_id=row["vpc_id"], subnet_id=row["subnet_id"],
                    availability_zone=row["availability_zone"], interface_type=kind, description=description,
                    security_group_ids=self.sg_ids(vpc_key, (sg,)),
                    private_ip=self.ips.private(sub_key, row["cidr_block"]),
                    public_ip=self.ips.public(vpc.region) if public else None, requester_managed=managed))

    def build_spare_eips(self) -> None:
        for vpc_key, name in UNASSOCIATED_EIPS:
            vpc = self.vpcs[vpc_key]
            self.records["eips"].append(elastic_ip(vpc.account, vpc.region, hex_id("eipalloc", name),
                                                   self.ips.public(vpc.region), name=name))


# ---------------------------------------------------------------------- metrics

NAT_PEAK_DAY = date(2026, 10, 15)  # a Thursday: month-end-ish card volume spike


def series(account: str, region: str, namespace: str, metric: str, dim: str, value: str, stat: str,
           points: list[tuple[date, float]]) -> MetricSeries:
    return daily(account, region, namespace, metric, dim, value, stat, [d for d, _ in points], [v for _, v in points])


def shape(day: date, weekend: float) -> float:
    return weekend if day.weekday() >= 5 else 1.0


def nat_metrics(nat: NatGateway, traffic: NatTraffic) -> list[MetricSeries]:
    """Six daily series whose processed bytes scale to ``traffic.monthly_gib`` per month."""
    rng = random.Random(f"{SEED}:nat:{nat.nat_gateway_id}")
    days = window_days()
    weights = [shape(d, traffic.weekend) for d in days]
    per_weight = traffic.monthly_gib * GIB * (24 * WINDOW_DAYS / 730) / sum(weights)
    rows: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for day, weight in zip(days, weights, strict=True):
        processed = per_weight * weight * rng.uniform(0.88, 1.12)
        outbound = processed * rng.uniform(0.19, 0.27)  # requests out; the rest is responses back
        inbound = processed - outbound
        peak_day = day == NAT_PEAK_DAY
        conns = traffic.peak_connections * (1.0 if peak_day else weight * rng.uniform(0.55, 0.9))
        rows["BytesInFromSource"].append((day, float(round(outbound))))
        rows["BytesInFromDestination"].append((day, float(round(inbound))))
        rows["BytesOutToDestination"].append((day, float(round(outbound * 0.997))))
        rows["BytesOutToSource"].append((day, float(round(inbound * 0.998))))
        rows["ActiveConnectionCount"].append((day, float(max(1, round(conns)))))
        rows["ErrorPortAllocation"].append((day, float(traffic.port_errors if peak_day else 0)))
    return [series(nat.account_id, nat.region, "AWS/NATGateway", metric, "NatGatewayId", nat.nat_gateway_id,
                   "Maximum" if metric == "ActiveConnectionCount" else "Sum", points)
            for metric, points in rows.items()]


def function_points(spec: FnSpec) -> tuple[list[tuple[date, float]], list[tuple[date, float]]]:
    """(Invocations, ConcurrentExecutions) points; days without invocations have no datapoint."""
    rng = random.Random(f"{SEED}:fn-metrics:{spec.name}")
    last = COLLECTED_AT.date() - timedelta(days=spec.idle_days) if spec.idle_days is not None else None
    scheduled = {date(2026, 10, d): n for d, n in spec.only_days}
    invocations, concurrency = [], []
    for day in window_days():
        if spec.state == "Inactive" or (last and day > last):
            continue
        if spec.only_days:
            count = scheduled.get(day, 0)
        else:
            count = round(spec.per_day * shape(day, spec.weekend) * rng.uniform(0.85, 1.15))
        if count <= 0:
            continue
        invocations.append((day, float(count)))
        peak = spec.concurrency * shape(day, max(spec.weekend, 0.3)) * rng.uniform(0.7, 1.0)
        concurrency.append((day, float(max(1, round(peak)))))
    return invocations, concurrency


def function_metrics(spec: FnSpec, fn: LambdaFunction) -> list[MetricSeries]:
    invocations, concurrency = function_points(spec)
    where = (fn.account_id, fn.region, "AWS/Lambda")
    return [
        series(*where, "Invocations", "FunctionName", fn.name, "Sum", invocations),
        series(*where, "ConcurrentExecutions", "FunctionName", fn.name, "Maximum", concurrency),
    ]


# ---------------------------------------------------------------------- coverage and assembly


def api_calls(functions: list[LambdaFunction], metrics: list[MetricSeries]) -> dict[str, int]:
    """Calls a real scan of this estate would make: one page per describe call per account/region."""
    units = len(ACCOUNTS) * len(REGIONS)
    metric_units = {(m.account_id, m.region) for m in metrics}
    calls = {f"ec2:{op}": units for op in (
        "DescribeVpcs", "DescribeSubnets", "DescribeRouteTables", "DescribeNatGateways",
        "DescribeNetworkInterfaces", "DescribeAddresses", "DescribeInternetGateways", "DescribeVpcEndpoints")}
    calls |= {
        "sts:GetCallerIdentity": 1,
        "sts:AssumeRole": len(ACCOUNTS) - 1,  # the caller's own account needs no role
        "lambda:ListFunctions": units,
        "lambda:GetFunctionConfiguration": sum(1 for f in functions if f.in_vpc),
        "servicequotas:GetServiceQuota": units,
        "cloudwatch:GetMetricData": len(metric_units),
    }
    return dict(sorted((k, v) for k, v in calls.items() if v))


def eip_quotas() -> list[EipQuota]:
    rows = []
    for account in ACCOUNTS:
        for region in REGIONS:
            value, note = EIP_QUOTAS.get((account, region), (5, None))
            rows.append(EipQuota(account_id=account, region=region, value=value, note=note))
    return rows


def build_demo() -> Snapshot:
    """The whole demo snapshot, built the same way every time."""
    builder = DemoBuilder()
    for vpc in VPCS:
        builder.build_vpc(vpc)
    builder.build_functions()
    builder.build_other_enis()
    builder.build_spare_eips()
    rec = builder.records
    by_name = {f.name: f for f in rec["functions"]}
    traffic = {hex_id("nat", key): t for key, t in NAT_TRAFFIC.items()}
    metrics = [m for nat in rec["nats"] for m in nat_metrics(nat, traffic[nat.nat_gateway_id])]
    metrics += [m for spec in FUNCTIONS for m in function_metrics(spec, by_name[spec.name])]
    coverage = Coverage(
        accounts=tuple(ACCOUNTS), regions=REGIONS, api_calls=api_calls(rec["functions"], metrics),
        notes=("Sample data: Northwind Payments is a fictional company. Every id, address and number here "
               "was generated by devtools/demo.py; no AWS account was scanned.",))
    return Snapshot(
        tool_version="sample", collected_at=COLLECTED_AT, window_days=WINDOW_DAYS,
        accounts=tuple(Account(account_id=a, name=n) for a, n in ACCOUNTS.items()),
        functions=tuple(rec["functions"]), vpcs=tuple(rec["vpcs"]), subnets=tuple(builder.finish_subnets()),
        route_tables=tuple(rec["route_tables"]), nat_gateways=tuple(rec["nats"]),
        network_interfaces=tuple(rec["enis"]), elastic_ips=tuple(rec["eips"]),
        internet_gateways=tuple(rec["igws"]), vpc_endpoints=tuple(rec["endpoints"]),
        metrics=tuple(metrics), eip_quotas=tuple(eip_quotas()), coverage=coverage)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUTPUT
    snapshot = build_demo()
    write_snapshot(snapshot, out)
    print(f"wrote {out}: {len(snapshot.functions)} functions, {len(snapshot.nat_gateways)} NAT gateways, "
          f"{len(snapshot.metrics)} metric series")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
