"""Synthetic snapshots of any size, for benchmarks and scale tests.

    python tests/perf/synth.py --functions 50000 --out /tmp/big.json.gz [--seed 7]

or, from a test::

    snapshot = synth.build_snapshot(200, seed=1)

The estate is proportional to N: about one VPC per 50 VPC functions, 2-3 AZs
per VPC with a public and a private subnet each, one zonal NAT per AZ, Lambda
ENI groups of 1-4 functions (a few scaled out to 2 ENIs), EC2 ENIs in about a
fifth of the VPCs (shared NATs), some private subnets on the main table (and so
routed across AZs), gateway endpoints in some VPCs, a few idle and Inactive
functions, and 30 days of NAT and function metrics. Records are built with
``model_construct`` (no validation) because 50,000 functions means millions of
datapoints; the written file still validates with ``read_snapshot``.

Public addresses come from 198.18.0.0/15, the benchmarking range (RFC 2544).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script (or loaded by path by a benchmark): devtools/ is at the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analyzer.models import (
    Account,
    Coverage,
    EipQuota,
    InternetGateway,
    NatGateway,
    NetworkInterface,
    RouteTable,
    Snapshot,
    Subnet,
    Vpc,
    VpcEndpoint,
)
from analyzer.snapshot import write_snapshot
from devtools import estate

REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1", "us-west-2")
COLLECTED_AT = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
WINDOW_DAYS = 30
FUNCTIONS_PER_VPC = 50
GIB = 2**30
RUNTIMES = ("python3.12", "python3.11", "nodejs20.x", "nodejs22.x", "java21", "provided.al2023", "dotnet8")
WORDS = ("orders", "ledger", "payouts", "fraud", "kyc", "fx", "ingest", "export", "billing", "search",
         "notify", "report", "sync", "webhook", "poller", "enricher", "router", "scorer", "archiver")
_MIX = 0x9E3779B97F4A7C15  # odd, so i -> i * _MIX mod 2^64 is a bijection: ids never collide


def new(model, **fields):
    """``model.model_construct`` with the defaults filled in, minus validation (``devtools.estate.make``)."""
    return estate.make(model, validate=False, **fields)


class Ids:
    """Unique, real-looking AWS ids (17 hex chars) from per-prefix counters."""

    def __init__(self, seed: int) -> None:
        self.offset = random.Random(seed).getrandbits(60)
        self.counters: dict[str, int] = defaultdict(int)

    def next(self, prefix: str) -> str:
        self.counters[prefix] += 1
        value = (self.counters[prefix] * _MIX + self.offset) % 2**64
        return f"{prefix}-0{value >> 4:015x}{value & 0xF:x}"


class Estate:
    """Accumulates records for one synthetic snapshot."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids = Ids(seed)
        self.rows: dict[str, list] = defaultdict(list)
        self.public_ips = 0
        self.ip_counts: dict[str, int] = defaultdict(int)
        self.days = estate.window(COLLECTED_AT, WINDOW_DAYS)
        self.stamps = tuple(estate.midnight(d) for d in self.days)
        self.weights = tuple(0.6 if d.weekday() >= 5 else 1.0 for d in self.days)

    def public_ip(self) -> str:
        n = self.public_ips
        self.public_ips += 1
        return f"198.{18 + n // 65536}.{n // 256 % 256}.{n % 256}"

    # ------------------------------------------------------------------ network

    def vpc(self, account: str, region: str, index: int, n_functions: int) -> None:
        rng, loc = self.rng, {"account_id": account, "region": region}
        vpc_id, second = self.ids.next("vpc"), index % 250
        cidr = f"10.{second}.0.0/16"
        self.rows["vpcs"].append(new(Vpc, **loc, vpc_id=vpc_id, cidr_block=cidr, is_default=False,
                                     name=f"vpc-{index:04d}"))
        igw = self.ids.next("igw")
        self.rows["igws"].append(new(InternetGateway, **loc, internet_gateway_id=igw, vpc_ids=(vpc_id,)))
        azs = [f"{region}{letter}" for letter in "abc"[: rng.choice((2, 3, 3))]]
        public = [self.subnet(loc, vpc_id, az, f"10.{second}.{k}.0/24", True) for k, az in enumerate(azs)]
        private = [self.subnet(loc, vpc_id, az, f"10.{second}.{16 * (k + 1)}.0/20", False)
                   for k, az in enumerate(azs)]
        nats = [self.nat(loc, vpc_id, subnet) for subnet in public]
        self.route_tables(loc, vpc_id, cidr, igw, public, private, nats)
        if rng.random() < 0.2:
            self.ec2_enis(loc, vpc_id, rng.choice(private), rng.randint(1, 3))
        self.functions(loc, vpc_id, private, public, n_functions)

    def subnet(self, loc: dict, vpc_id: str, az: str, cidr: str, public: bool) -> Subnet:
        subnet = new(Subnet, **loc, subnet_id=self.ids.next("subnet"), vpc_id=vpc_id, availability_zone=az,
                     availability_zone_id=None, cidr_block=cidr, ipv6_cidr_blocks=(),
                     map_public_ip_on_launch=public, available_ip_address_count=200 if public else 4000,
                     name=("public-" if public else "private-") + az)
        self.rows["subnets"].append(subnet)
        return subnet

    def private_ip(self, subnet: Subnet) -> str:
        """The subnet's next free address (AWS reserves the first four)."""
        self.ip_counts[subnet.subnet_id] += 1
        n = 3 + self.ip_counts[subnet.subnet_id]
        first, second, third, _ = subnet.cidr_block.split(".")
        return f"{first}.{second}.{int(third) + n // 256}.{n % 256}"

    def nat(self, loc: dict, vpc_id: str, subnet: Subnet) -> NatGateway:
        nat_id, eni_id, alloc = self.ids.next("nat"), self.ids.next("eni"), self.ids.next("eipalloc")
        public, private = self.public_ip(), self.private_ip(subnet)
        self.rows["enis"].append(estate.nat_eni(
            **loc, eni_id=eni_id, vpc_id=vpc_id, subnet_id=subnet.subnet_id, az=subnet.availability_zone,
            nat_id=nat_id, validate=False, security_group_ids=(), private_ip=private, public_ip=public,
            allocation_id=alloc, status="in-use"))
        self.rows["eips"].append(estate.elastic_ip(**loc, allocation_id=alloc, public_ip=public, validate=False,
                                                   association_id=self.ids.next("eipassoc"),
                                                   network_interface_id=eni_id, private_ip=private, name=None))
        nat = new(NatGateway, **loc, nat_gateway_id=nat_id, vpc_id=vpc_id, subnet_id=subnet.subnet_id,
                  availability_zone=subnet.availability_zone, availability_mode="zonal",
                  connectivity_type="public", state="available", public_ips=(public,), private_ips=(private,),
                  allocation_ids=(alloc,), network_interface_ids=(eni_id,), name=f"nat-{subnet.availability_zone}")
        self.rows["nats"].append(nat)
        self.nat_metrics(nat)
        return nat

    def ec2_eni(self, loc, eni_id, vpc_id, subnet, sgs, private):
        return new(NetworkInterface, **loc, network_interface_id=eni_id, vpc_id=vpc_id,
                   subnet_id=subnet.subnet_id, availability_zone=subnet.availability_zone, interface_type="interface",
                   description="", security_group_ids=sgs, private_ip=private, public_ip=None,
                   allocation_id=None, status="in-use", requester_managed=False)

    def route_tables(self, loc, vpc_id, cidr, igw, public, private, nats) -> None:
        """Public table, main table (-> first NAT), one table per private subnet unless it uses main."""
        local = estate.local_route(cidr, validate=False)

        def table(subnets, target, is_main=False):
            default = estate.route("0.0.0.0/0", validate=False, **target)
            self.rows["route_tables"].append(new(
                RouteTable, **loc, route_table_id=self.ids.next("rtb"), vpc_id=vpc_id, is_main=is_main,
                subnet_ids=tuple(s.subnet_id for s in subnets), routes=(local, default), name=None))
            return self.rows["route_tables"][-1].route_table_id

        tables = [table(public, {"gateway_id": igw}), table([], {"nat_gateway_id": nats[0].nat_gateway_id}, True)]
        for k, (subnet, nat) in enumerate(zip(private, nats, strict=True)):
            if k and self.rng.random() < 0.15:
                continue  # on the main table: routed to the first AZ's NAT (cross-AZ)
            tables.append(table([subnet], {"nat_gateway_id": nat.nat_gateway_id}))
        for service, chance in (("s3", 0.7), ("dynamodb", 0.5)):
            if self.rng.random() < chance:
                self.rows["endpoints"].append(new(
                    VpcEndpoint, **loc, vpc_endpoint_id=self.ids.next("vpce"), vpc_id=vpc_id,
                    service_name=f"com.amazonaws.{loc['region']}.{service}", endpoint_type="Gateway",
                    route_table_ids=tuple(tables[1:]), state="available"))

    def ec2_enis(self, loc: dict, vpc_id: str, subnet: Subnet, count: int) -> None:
        sg = (self.ids.next("sg"),)
        for _ in range(count):
            self.rows["enis"].append(self.ec2_eni(loc, self.ids.next("eni"), vpc_id, subnet, sg,
                                                  self.private_ip(subnet)))

    # ------------------------------------------------------------------ functions

    def functions(self, loc, vpc_id, private: list[Subnet], public: list[Subnet], n_functions: int) -> None:
        """ENI groups of 1-4 functions, each one (subnet, SG) pair with 1-2 ENIs.

        About 3% of groups sit in a public subnet: half of those already have an
        EIP on their ENI (egress igw-eip), half have none (igw-no-public-ip).
        """
        rng, made = self.rng, 0
        while made < n_functions:
            size = min(rng.randint(1, 4), n_functions - made)
            in_public = rng.random() < 0.03
            subnet, sgs = rng.choice(public if in_public else private), (self.ids.next("sg"),)
            with_eip = in_public and rng.random() < 0.5
            names = [self.function(loc, vpc_id, subnet, sgs) for _ in range(size)]
            for i in range(2 if rng.random() < 0.05 else 1):
                self.lambda_eni(loc, vpc_id, subnet, sgs, f"{names[0]}-{rng.getrandbits(64):016x}-{i}", with_eip)
            made += size

    def lambda_eni(self, loc, vpc_id, subnet: Subnet, sgs: tuple[str, ...], tag: str, with_eip: bool) -> None:
        eni_id, private = self.ids.next("eni"), self.private_ip(subnet)
        public = alloc = None
        if with_eip:
            public, alloc = self.public_ip(), self.ids.next("eipalloc")
            self.rows["eips"].append(estate.elastic_ip(**loc, allocation_id=alloc, public_ip=public, validate=False,
                                                       association_id=self.ids.next("eipassoc"),
                                                       network_interface_id=eni_id, private_ip=private, name=None))
        self.rows["enis"].append(estate.lambda_eni(
            **loc, eni_id=eni_id, vpc_id=vpc_id, subnet_id=subnet.subnet_id, az=subnet.availability_zone,
            security_group_ids=sgs, tag=tag, validate=False, private_ip=private, public_ip=public,
            allocation_id=alloc, status="in-use", requester_managed=True))

    def function(self, loc: dict, vpc_id: str, subnet: Subnet, sgs: tuple[str, ...]) -> str:
        rng = self.rng
        index = len(self.rows["functions"])
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{index:05d}"
        roll = rng.random()
        state, idle = ("Inactive", None) if roll < 0.01 else ("Active", rng.randint(3, 25) if roll < 0.06 else 0)
        self.rows["functions"].append(estate.lambda_function(
            **loc, name=name, validate=False, runtime=rng.choice(RUNTIMES), vpc_id=vpc_id,
            subnet_ids=(subnet.subnet_id,),
            security_group_ids=sgs, ipv6_allowed_for_dual_stack=False, state=state,
            state_reason_code="Idle" if state == "Inactive" else None, last_update_status="Successful",
            last_modified=COLLECTED_AT - timedelta(days=rng.randint(40, 700)),
            tags={"team": rng.choice(WORDS), "env": "prod"}))
        self.function_metrics(loc, name, idle)
        return name

    def non_vpc_function(self, account: str, region: str, index: int) -> None:
        name = f"edge-{self.rng.choice(WORDS)}-{index:05d}"
        self.rows["functions"].append(estate.lambda_function(
            account, region, name, validate=False, runtime="python3.12",
            vpc_id=None, subnet_ids=(), security_group_ids=(), ipv6_allowed_for_dual_stack=False,
            state="Active", state_reason_code=None, last_update_status="Successful", last_modified=None,
            tags={}))

    # ------------------------------------------------------------------ metrics

    def series(self, loc, namespace, metric, dim, value, stat, stamps, values) -> None:
        self.rows["metrics"].append(estate.daily(loc["account_id"], loc["region"], namespace, metric, dim, value,
                                                 stat, stamps, values, validate=False))

    def function_metrics(self, loc: dict, name: str, idle: int | None) -> None:
        """Invocations and ConcurrentExecutions; days after the last invocation have no datapoint."""
        if idle is None:  # Inactive: nothing in the window
            stamps, invocations, concurrency = (), (), ()
        else:
            rate, conc, rnd = 10 ** self.rng.uniform(0, 5.5), self.rng.randint(1, 200), self.rng.random
            keep = WINDOW_DAYS - idle if idle else WINDOW_DAYS
            stamps = self.stamps[:keep]
            invocations = tuple(float(max(1, round(rate * w * (0.85 + 0.3 * rnd())))) for w in self.weights[:keep])
            concurrency = tuple(float(max(1, round(conc * w * (0.7 + 0.3 * rnd())))) for w in self.weights[:keep])
        self.series(loc, "AWS/Lambda", "Invocations", "FunctionName", name, "Sum", stamps, invocations)
        self.series(loc, "AWS/Lambda", "ConcurrentExecutions", "FunctionName", name, "Maximum", stamps,
                    concurrency)

    def nat_metrics(self, nat: NatGateway) -> None:
        """Six daily series: 0.1-900 GiB/month processed, mostly modest connection peaks."""
        rng, rnd = self.rng, self.rng.random
        monthly = 0.1 if rng.random() < 0.05 else 10 ** rng.uniform(0.5, 2.95)
        per_day = monthly * GIB * (24 * WINDOW_DAYS / 730) / sum(self.weights)
        peak = rng.choice((56_000, 36_000)) if rng.random() < 0.03 else rng.randint(50, 20_000)
        out = [per_day * w * 0.23 * (0.9 + 0.2 * rnd()) for w in self.weights]
        back = [per_day * w * 0.77 * (0.9 + 0.2 * rnd()) for w in self.weights]
        loc, nat_id = {"account_id": nat.account_id, "region": nat.region}, nat.nat_gateway_id
        for metric, values in (
            ("BytesInFromSource", out), ("BytesOutToDestination", [v * 0.997 for v in out]),
            ("BytesInFromDestination", back), ("BytesOutToSource", [v * 0.998 for v in back]),
        ):
            self.series(loc, "AWS/NATGateway", metric, "NatGatewayId", nat_id, "Sum", self.stamps,
                        tuple(float(round(v)) for v in values))
        conns = tuple(float(max(1, round(peak * w * (0.6 + 0.4 * rnd())))) for w in self.weights)
        self.series(loc, "AWS/NATGateway", "ActiveConnectionCount", "NatGatewayId", nat_id, "Maximum",
                    self.stamps, conns)
        self.series(loc, "AWS/NATGateway", "ErrorPortAllocation", "NatGatewayId", nat_id, "Sum", self.stamps,
                    (0.0,) * WINDOW_DAYS)


# ---------------------------------------------------------------------- assembly


def units_for(n_functions: int, seed: int) -> list[tuple[str, str]]:
    """(account, region) pairs: 2-12 accounts with realistic 12-digit ids, each in every region."""
    rng = random.Random(f"accounts:{seed}")
    n_accounts = max(2, min(12, math.ceil(n_functions / 5000)))
    accounts = [str(rng.randint(10**11, 10**12 - 1)) for _ in range(n_accounts)]
    return [(a, r) for a in accounts for r in REGIONS]


def build_snapshot(n_functions: int, seed: int = 0) -> Snapshot:
    """A snapshot with exactly ``n_functions`` VPC functions (plus ~10% outside any VPC)."""
    estate = Estate(seed)
    units = units_for(n_functions, seed)
    n_vpcs = max(1, math.ceil(n_functions / FUNCTIONS_PER_VPC))
    for index in range(n_vpcs):
        account, region = units[index % len(units)]
        size = min(FUNCTIONS_PER_VPC, n_functions - index * FUNCTIONS_PER_VPC)
        estate.vpc(account, region, index, size)
    for index in range(n_functions // 10):
        estate.non_vpc_function(*units[index % len(units)], index)
    return assemble(estate, units)


def eip_quota(index: int, allocated: int) -> int:
    """Default 5 where it suffices; else raised with headroom, except every third unit (kept tight)."""
    if allocated <= 2:
        return 5
    return allocated + 2 if index % 3 == 0 else max(5, 10 * math.ceil(allocated * 3 / 10))


def assemble(estate: Estate, units: list[tuple[str, str]]) -> Snapshot:
    rows = estate.rows
    eips_in: dict[tuple[str, str], int] = defaultdict(int)
    for eip in rows["eips"]:
        eips_in[(eip.account_id, eip.region)] += 1
    accounts = tuple(dict.fromkeys(a for a, _ in units))
    quotas = tuple(new(EipQuota, account_id=a, region=r, value=eip_quota(i, eips_in.get((a, r), 0)),
                       source="service-quotas", note=None) for i, (a, r) in enumerate(units))
    coverage = new(Coverage, accounts=accounts, regions=REGIONS, errors=(), notes=("Synthetic benchmark data.",),
                   api_calls={"lambda:GetFunctionConfiguration": len(rows["functions"]),
                              "cloudwatch:GetMetricData": math.ceil(len(rows["metrics"]) / 500)})
    return new(
        Snapshot, schema_version="1", tool_version="synth", collected_at=COLLECTED_AT, window_days=WINDOW_DAYS,
        accounts=tuple(new(Account, account_id=a, name=f"synthetic-{i:02d}") for i, a in enumerate(accounts)),
        functions=tuple(rows["functions"]), vpcs=tuple(rows["vpcs"]), subnets=tuple(rows["subnets"]),
        route_tables=tuple(rows["route_tables"]), nat_gateways=tuple(rows["nats"]),
        network_interfaces=tuple(rows["enis"]), elastic_ips=tuple(rows["eips"]),
        internet_gateways=tuple(rows["igws"]), vpc_endpoints=tuple(rows["endpoints"]),
        metrics=tuple(rows["metrics"]), eip_quotas=quotas, flow_log_bytes=(), coverage=coverage)


def write(snapshot: Snapshot, path: Path) -> Path:
    """Write atomically (gzip when the name ends in ``.gz``), as a scan would."""
    return write_snapshot(snapshot, Path(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic lambda-egress snapshot.")
    parser.add_argument("--functions", type=int, required=True, help="number of VPC functions")
    parser.add_argument("--out", type=Path, required=True, help="output file (.json or .json.gz)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.functions < 1:
        parser.error("--functions must be at least 1")
    started = time.perf_counter()
    snapshot = build_snapshot(args.functions, args.seed)
    built = time.perf_counter()
    write(snapshot, args.out)
    print(f"wrote {args.out}: {args.functions} VPC functions, {len(snapshot.nat_gateways)} NAT gateways, "
          f"{len(snapshot.metrics)} series (build {built - started:.1f}s, write {time.perf_counter() - built:.1f}s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
