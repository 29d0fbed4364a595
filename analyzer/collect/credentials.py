"""Assumed-role credentials that refresh themselves before they expire.

An org scan can outlast a role session (one hour by default). botocore's
``RefreshableCredentials`` re-runs the assume-role fetcher when fewer than
15 minutes are left (advisory) and blocks for it under 10 (mandatory), so a
long scan keeps working in every account. The first fetch happens at once:
a role that cannot be assumed is a coverage gap when the account is entered,
not an error in the middle of its first unit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.credentials import AssumeRoleCredentialFetcher, Credentials, RefreshableCredentials
from dateutil.parser import isoparse
from dateutil.tz import tzlocal

SESSION_NAME = "lambda-egress-scan"
METHOD = "assume-role"


def now() -> datetime:
    """The clock credentials are checked against (tests move it)."""
    return datetime.now(tzlocal())


class _NoCache(dict):
    """RefreshableCredentials decides when to refresh; the fetcher's own cache would only answer 'not yet'."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def role_arn(account_id: str, role_name: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{role_name}"


def assumed_role_credentials(
    create_sts: Callable[..., Any], source: Credentials, arn: str, duration_seconds: int | None = None
) -> RefreshableCredentials:
    """Credentials of the role, fetched now (raises botocore errors) and again whenever they run low."""
    extra: dict[str, Any] = {"RoleSessionName": SESSION_NAME}
    if duration_seconds:
        extra["DurationSeconds"] = duration_seconds
    fetcher = AssumeRoleCredentialFetcher(create_sts, source, arn, extra_args=extra, cache=_NoCache())
    first = fetcher.fetch_credentials()
    return RefreshableCredentials(
        access_key=first["access_key"],
        secret_key=first["secret_key"],
        token=first["token"],
        expiry_time=isoparse(first["expiry_time"]),
        refresh_using=fetcher.fetch_credentials,
        method=METHOD,
        time_fetcher=lambda: now(),
    )
