"""Hand-built topology and usage records for the rule tests.

Exposed through the ``mk`` fixture (a namespace of factories) rather than a
module import, so nothing depends on how pytest puts test dirs on sys.path.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from analyzer.models import (
    EipQuota,
    EniGroup,
    FunctionEgress,
    FunctionUsage,
    NatUsage,
    NatView,
    Settings,
    Topology,
    Usage,
)
from analyzer.rules import RULES

ACCT = "111122223333"
REGION = "eu-west-1"


def arn(name: str, account: str = ACCT, region: str = REGION) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


def group(
    subnet: str = "subnet-0ab",
    sgs: tuple[str, ...] = ("sg-1", "sg-2"),
    enis: tuple[str, ...] = ("eni-a",),
    fns: tuple[str, ...] = ("pay",),
    public_ips: tuple[str, ...] = (),
    egress: str = "nat",
    **kw: Any,
) -> EniGroup:
    return EniGroup(
        account_id=kw.pop("account_id", ACCT),
        region=kw.pop("region", REGION),
        vpc_id="vpc-1",
        subnet_id=subnet,
        security_group_ids=sgs,
        eni_ids=enis,
        function_arns=tuple(arn(f) for f in fns),
        public_ips=public_ips,
        # By default the first ENIs hold the public IPs, the rest have none.
        eni_ids_without_public_ip=kw.pop("without_ip", enis[len(public_ips):]),
        egress=egress,
        **kw,
    )


def function(
    name: str = "pay", egress: str = "nat", enis: tuple[str, ...] = ("eni-a",), **kw: Any
) -> FunctionEgress:
    return FunctionEgress(
        account_id=kw.pop("account_id", ACCT),
        region=kw.pop("region", REGION),
        arn=arn(name),
        name=name,
        vpc_id="vpc-1",
        subnet_ids=("subnet-0ab",),
        security_group_ids=("sg-1",),
        state=kw.pop("state", "Active"),
        egress=egress,
        eni_ids=enis,
        **kw,
    )


def nat(
    nat_id: str = "nat-01",
    fns: tuple[str, ...] = ("pay",),
    lambda_enis: tuple[str, ...] = ("eni-a",),
    others: tuple[str, ...] = (),
    public_ips: tuple[str, ...] = ("203.0.113.10",),
    eips_needed: int = 1,
    **kw: Any,
) -> NatView:
    return NatView(
        account_id=kw.pop("account_id", ACCT),
        region=kw.pop("region", REGION),
        nat_gateway_id=nat_id,
        vpc_id=kw.pop("vpc_id", "vpc-1"),
        availability_zone=kw.pop("availability_zone", "eu-west-1a"),
        public_ips=public_ips,
        function_arns=tuple(arn(f) for f in fns),
        lambda_eni_ids=lambda_enis,
        other_consumer_eni_ids=others,
        eips_needed=eips_needed,
        **kw,
    )


def nat_usage(nat_id: str = "nat-01", **kw: Any) -> NatUsage:
    return NatUsage(nat_gateway_id=nat_id, **{"has_metrics": True, **kw})


def fn_usage(name: str = "pay", **kw: Any) -> FunctionUsage:
    return FunctionUsage(arn=arn(name), **{"has_metrics": True, **kw})


def usage(nats: tuple[NatUsage, ...] = (), fns: tuple[FunctionUsage, ...] = ()) -> Usage:
    return Usage(
        window_days=30,
        month_factor=Decimal(730) / Decimal(720),
        nats={n.nat_gateway_id: n for n in nats},
        functions={f.arn: f for f in fns},
    )


def topology(**kw: Any) -> Topology:
    return Topology(**kw)


def quota(value: int, source: str = "service-quotas") -> EipQuota:
    return EipQuota(account_id=ACCT, region=REGION, value=value, source=source)


def run(rule_id: str, topo: Topology, use: Usage | None = None, settings: Settings | None = None) -> list:
    """One rule's findings, as a list."""
    return list(RULES[rule_id].evaluate(topo, use or usage(), settings or Settings()))


@pytest.fixture
def mk() -> SimpleNamespace:
    return SimpleNamespace(
        ACCT=ACCT,
        REGION=REGION,
        arn=arn,
        group=group,
        function=function,
        nat=nat,
        nat_usage=nat_usage,
        fn_usage=fn_usage,
        usage=usage,
        topology=topology,
        quota=quota,
        run=run,
    )
