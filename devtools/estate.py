"""Record builders shared by the demo generator (``devtools/demo.py``), the synthetic benchmark estates
(``tests/perf/synth.py``) and the test factories (``tests/builders.py``): one copy of what a Lambda ARN,
a daily CloudWatch series, a route, a Lambda ENI or a NAT gateway's ENI and address look like.

Every builder takes ``validate``: True builds a checked pydantic record (the demo, the tests), False a
``model_construct`` one (the benchmarks' millions of datapoints, with every field given). Development
tools only: nothing here is installed with the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel

from analyzer.models import ElasticIp, LambdaFunction, MetricSeries, NetworkInterface, Route

M = TypeVar("M", bound=BaseModel)
DAY = 86400
LAMBDA_ENI_DESCRIPTION = "AWS Lambda VPC ENI-"  # what Lambda writes in its ENIs' description


def make(model: type[M], validate: bool = True, **fields: Any) -> M:
    """``model(**fields)``, or ``model.model_construct(**fields)`` (no validation) for the benchmarks."""
    return model(**fields) if validate else model.model_construct(**fields)


def lambda_arn(account_id: str, region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account_id}:function:{name}"


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def window(collected_at: datetime, days: int) -> list[date]:
    """The ``days`` whole days before ``collected_at``'s midnight, oldest first (a scan's metric window)."""
    end = collected_at.date()
    return [end - timedelta(days=days - i) for i in range(days)]


def daily(account_id: str, region: str, namespace: str, metric: str, dimension: str, value: str, stat: str,
          days: Sequence[date] | Sequence[datetime], values: Sequence[float], validate: bool = True) -> MetricSeries:
    """One daily series (``period_seconds`` 86400): a point per day given, at that day's midnight UTC."""
    stamps = tuple(d if isinstance(d, datetime) else midnight(d) for d in days)
    return make(MetricSeries, validate, account_id=account_id, region=region, namespace=namespace,
                metric_name=metric, dimension_name=dimension, dimension_value=value, stat=stat,
                period_seconds=DAY, timestamps=stamps, values=tuple(values))


def route(destination: str, validate: bool = True, **target: str | None) -> Route:
    """A route to ``destination`` (a CIDR) through one target (``gateway_id=``, ``nat_gateway_id=``, ...)."""
    return make(Route, validate, destination_cidr_block=destination, state="active", **target)


def local_route(cidr: str, validate: bool = True) -> Route:
    return route(cidr, validate, gateway_id="local")


def lambda_function(account_id: str, region: str, name: str, validate: bool = True, **fields: Any) -> LambdaFunction:
    return make(LambdaFunction, validate, account_id=account_id, region=region, name=name,
                arn=lambda_arn(account_id, region, name), **fields)


def lambda_eni(account_id: str, region: str, eni_id: str, vpc_id: str, subnet_id: str, az: str | None,
               security_group_ids: tuple[str, ...], tag: str, validate: bool = True, **fields: Any) -> NetworkInterface:
    """A Hyperplane ENI as Lambda creates it (interface type ``lambda``, its description naming the function)."""
    return make(NetworkInterface, validate, account_id=account_id, region=region, network_interface_id=eni_id,
                vpc_id=vpc_id, subnet_id=subnet_id, availability_zone=az, interface_type="lambda",
                description=f"{LAMBDA_ENI_DESCRIPTION}{tag}", security_group_ids=security_group_ids, **fields)


def nat_eni(account_id: str, region: str, eni_id: str, vpc_id: str, subnet_id: str, az: str | None, nat_id: str,
            validate: bool = True, **fields: Any) -> NetworkInterface:
    """The ENI a zonal NAT gateway owns in its public subnet."""
    return make(NetworkInterface, validate, account_id=account_id, region=region, network_interface_id=eni_id,
                vpc_id=vpc_id, subnet_id=subnet_id, availability_zone=az, interface_type="nat_gateway",
                description=f"Interface for NAT Gateway {nat_id}", requester_managed=True, **fields)


def elastic_ip(account_id: str, region: str, allocation_id: str, public_ip: str, validate: bool = True,
               **fields: Any) -> ElasticIp:
    return make(ElasticIp, validate, account_id=account_id, region=region, allocation_id=allocation_id,
                public_ip=public_ip, **fields)
