"""Credentials, clients, retries, API-call counting and region discovery.

Credentials come exactly as boto3 finds them (``--profile``, environment,
config files), and ``AWS_ENDPOINT_URL`` is honoured by boto3 itself, so a whole
scan can run against a local moto server. Every client is created once per
(account, region, service) and carries a hook that counts its API calls: the
snapshot records those counts, and the read-only test checks them against the
shipped IAM policy.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)

from analyzer.errors import AwsAccessError, ConfigError

DEFAULT_MAX_ATTEMPTS = 10
FALLBACK_REGION = "us-east-1"

# botocore service name -> IAM action prefix, where they differ. The counter
# keys are IAM action names ("ec2:DescribeSubnets"), so they compare directly
# with the policy file.
IAM_PREFIX = {"service-quotas": "servicequotas", "monitoring": "cloudwatch"}

CREDENTIAL_ERRORS: tuple[type[BotoCoreError], ...] = (
    NoCredentialsError,
    PartialCredentialsError,
    CredentialRetrievalError,
    TokenRetrievalError,
    SSOError,
)


def retry_config() -> Config:
    """Adaptive retries absorb throttling; AWS_MAX_ATTEMPTS still wins when the user set it."""
    raw = os.environ.get("AWS_MAX_ATTEMPTS") or str(DEFAULT_MAX_ATTEMPTS)
    try:
        attempts = int(raw)
    except ValueError:
        raise ConfigError(f"AWS_MAX_ATTEMPTS must be a whole number, got {raw!r}") from None
    return Config(retries={"mode": "adaptive", "max_attempts": attempts})


def iam_action(service_name: str, operation: str) -> str:
    return f"{IAM_PREFIX.get(service_name, service_name)}:{operation}"


class ApiCallCounter:
    """Counts API calls per IAM action; thread-safe, hooked on botocore's ``before-call`` event.

    ``before-call`` fires once per logical call (retries happen below it), so
    the counts are what the scan asked for, not what throttling cost.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def hook(self, model: Any, **_: Any) -> None:
        action = iam_action(model.service_model.service_name, model.name)
        with self._lock:
            self._counts[action] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))


class ClientPool:
    """One boto3 session per account, one client per (account, region, service).

    boto3 sessions are not thread-safe, so client creation is serialised;
    the clients themselves are shared across threads safely.
    """

    def __init__(self, counter: ApiCallCounter, config: Config | None = None) -> None:
        self.counter = counter
        self._config = config or retry_config()
        self._sessions: dict[str, boto3.Session] = {}
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    def add_account(self, account_id: str, session: boto3.Session) -> None:
        with self._lock:
            self._sessions[account_id] = session

    def session(self, account_id: str) -> boto3.Session:
        return self._sessions[account_id]

    def client(self, account_id: str, region: str, service: str) -> Any:
        key = (account_id, region, service)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                found = self._make(self._sessions[account_id], region, service)
                self._clients[key] = found
            return found

    def make_client(self, session: boto3.Session, region: str, service: str) -> Any:
        """An uncached, counted client (for the one identity call made before accounts are known)."""
        with self._lock:
            return self._make(session, region, service)

    def _make(self, session: boto3.Session, region: str, service: str) -> Any:
        client = session.client(service, region_name=region, config=self._config)
        client.meta.events.register("before-call.*.*", self.counter.hook)
        return client


def open_session(profile: str | None) -> boto3.Session:
    try:
        return boto3.Session(profile_name=profile)
    except ProfileNotFound:
        raise AwsAccessError(f"AWS profile not found: {profile}") from None


def home_region(session: boto3.Session) -> str:
    """The region for global calls (STS, Organizations, DescribeRegions)."""
    return session.region_name or FALLBACK_REGION


def caller_account(pool: ClientPool, session: boto3.Session) -> str:
    """The caller's account id; the first call, so it is where missing credentials show."""
    sts = pool.make_client(session, home_region(session), "sts")
    try:
        return str(sts.get_caller_identity()["Account"])
    except CREDENTIAL_ERRORS as exc:
        raise AwsAccessError(
            f"no usable AWS credentials ({exc}); set a profile, environment credentials or config files"
        ) from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise AwsAccessError(
            f"AWS rejected the credentials: {error.get('Code', 'error')}: {error.get('Message', '')}"
        ) from None
    except BotoCoreError as exc:  # endpoint unreachable, DNS, TLS: nothing else will work either
        raise AwsAccessError(f"cannot reach AWS STS: {exc}") from None


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


def enabled_regions(pool: ClientPool, account_id: str) -> list[str]:
    """Regions enabled for the account (DescribeRegions), skipping those not opted in.

    Raises botocore errors; the caller records them as a coverage gap.
    """
    ec2 = pool.client(account_id, home_region(pool.session(account_id)), "ec2")
    regions = ec2.describe_regions(AllRegions=False)["Regions"]
    return sorted(
        r["RegionName"] for r in regions if r.get("OptInStatus", "opt-in-not-required") != "not-opted-in"
    )
