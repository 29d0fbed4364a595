"""Credentials, client settings (timeouts, retries), the identity check and region discovery.

Credentials come exactly as boto3 finds them (``--profile``, environment,
config files), and ``AWS_ENDPOINT_URL`` is honoured by boto3 itself, so a whole
scan can run against a local moto server. Every client gets short connect and
read timeouts and adaptive retries with ``AWS_MAX_ATTEMPTS`` total attempts
(as the AWS CLI counts them); :mod:`clients` adds a time budget per call.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)

from analyzer.errors import AwsAccessError, ConfigError

if TYPE_CHECKING:
    from analyzer.collect.clients import ClientFactory

DEFAULT_MAX_ATTEMPTS = 10
FALLBACK_REGION = "us-east-1"
CONNECT_TIMEOUT = 5.0  # seconds; botocore's default is 60
READ_TIMEOUT = 15.0  # seconds without a byte before an attempt fails; botocore's default is 60
CALL_BUDGET = 45.0  # seconds: no retry starts after this (worst case per call: budget + one read timeout)
POOL_CONNECTIONS = 16  # per client: a unit's overlapping calls each get a connection

CREDENTIAL_ERRORS: tuple[type[Exception], ...] = (
    NoCredentialsError,
    PartialCredentialsError,
    CredentialRetrievalError,
    TokenRetrievalError,
    SSOError,
)
# Codes with which STS says "these credentials are not good", as opposed to "STS is unwell".
REJECTED_CODES = frozenset({
    "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "AccessDenied",
    "AccessDeniedException", "UnrecognizedClientException", "InvalidAccessKeyId", "AuthFailure",
    "IncompleteSignature", "InvalidToken", "RegionDisabledException",
})


def max_attempts() -> int:
    """``AWS_MAX_ATTEMPTS``: total attempts per call, the first included (default 10)."""
    raw = os.environ.get("AWS_MAX_ATTEMPTS") or str(DEFAULT_MAX_ATTEMPTS)
    try:
        attempts = int(raw)
    except ValueError:
        raise ConfigError(f"AWS_MAX_ATTEMPTS must be a whole number, got {raw!r}") from None
    if attempts < 1:
        raise ConfigError(f"AWS_MAX_ATTEMPTS must be at least 1, got {attempts}")
    return attempts


def retry_config() -> Config:
    """Timeouts of seconds and adaptive retries; botocore's ``max_attempts`` would count retries, not attempts."""
    return Config(
        retries={"mode": "adaptive", "total_max_attempts": max_attempts()},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        max_pool_connections=POOL_CONNECTIONS,
    )


def open_session(profile: str | None) -> boto3.Session:
    try:
        return boto3.Session(profile_name=profile)
    except ProfileNotFound:
        raise AwsAccessError(f"AWS profile not found: {profile}") from None


def home_region(session: boto3.Session) -> str:
    """The region for global calls (STS, Organizations, DescribeRegions)."""
    return session.region_name or FALLBACK_REGION


def identity_failure(exc: Exception) -> AwsAccessError:
    """What a failed GetCallerIdentity means, in words: bad credentials, STS unwell, or STS unreachable."""
    from analyzer.collect.context import describe_failure

    code, message = describe_failure(exc)
    if isinstance(exc, CREDENTIAL_ERRORS):
        return AwsAccessError(f"no usable AWS credentials ({message}); set a profile, environment credentials or "
                              "config files")
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if status >= 500:
            return AwsAccessError(f"AWS STS failed to answer the identity check (HTTP {status}, {code}: {message}); "
                                  "this is on AWS's side, try again later")
        if code in REJECTED_CODES or status in (401, 403):
            return AwsAccessError(f"AWS rejected the credentials: {code}: {message}")
        return AwsAccessError(f"AWS STS refused the identity check: {code}: {message}")
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return AwsAccessError(f"AWS STS did not answer the identity check in time ({message}); check the network "
                              "or AWS_ENDPOINT_URL")
    if isinstance(exc, EndpointConnectionError):
        return AwsAccessError(f"cannot reach AWS STS: {message}")
    return AwsAccessError(f"AWS STS sent no usable answer to the identity check ({code}: {message})")


def caller_account(factory: ClientFactory) -> str:
    """The caller's account id; the first call, so it is where missing credentials show."""
    from analyzer.collect.context import AWS_FAILURES

    sts = factory.client(None, factory.home, "sts")
    try:
        return str(sts.get_caller_identity()["Account"])
    except AWS_FAILURES as exc:
        raise identity_failure(exc) from None
    finally:
        sts.close()


def known_regions(session: boto3.Session) -> set[str]:
    """Every EC2 region botocore knows, across partitions."""
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("ec2", partition_name=partition))
    return regions


def validate_regions(session: boto3.Session, regions: Iterable[str]) -> tuple[str, ...]:
    """The requested regions, deduplicated in order; an unknown one is a usage error."""
    regions = list(regions)
    known = known_regions(session) if regions else set()
    chosen: list[str] = []
    for region in regions:
        if region not in known:
            raise ConfigError(f"unknown region: {region}")
        if region not in chosen:
            chosen.append(region)
    return tuple(chosen)


def enabled_regions(factory: ClientFactory, account_id: str) -> list[str]:
    """Regions enabled for the account (DescribeRegions), skipping those not opted in.

    Raises botocore errors; the caller records them as a coverage gap.
    """
    ec2 = factory.client(account_id, factory.home, "ec2")
    try:
        regions = ec2.describe_regions(AllRegions=False)["Regions"]
    finally:
        ec2.close()
    return sorted(
        r["RegionName"] for r in regions if r.get("OptInStatus", "opt-in-not-required") != "not-opted-in"
    )
