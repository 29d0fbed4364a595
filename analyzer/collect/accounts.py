"""Which accounts a scan covers and the credentials for each.

By default only the caller's own account. With ``--org`` the ACTIVE accounts
of the organization (Organizations ListAccounts); with ``--accounts-file`` the
ids listed there. In both cases ``--role-name`` is assumed in every account
except the caller's own (which uses the caller's credentials), with
credentials that refresh themselves (:mod:`credentials`). A failed
assume-role is a coverage gap for that account, never a crash.
"""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session

from analyzer.collect.clients import ClientFactory
from analyzer.collect.context import AWS_FAILURES, describe_failure
from analyzer.collect.credentials import assumed_role_credentials, role_arn
from analyzer.errors import AwsAccessError, ConfigError
from analyzer.models import Account, CoverageError

ACCOUNT_ID = re.compile(r"^\d{12}$")
GLOBAL = "global"  # region field of errors that belong to no region (assume-role, DescribeRegions)


def parse_accounts_file(path: Path) -> list[str]:
    """12-digit ids, one per line or as a YAML list (``- 123456789012``); ``#`` starts a comment."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read accounts file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: accounts file is not UTF-8 text") from None
    ids: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line in ("", "---"):
            continue
        value = line.removeprefix("-").strip().strip("'\"")
        if not ACCOUNT_ID.match(value):
            raise ConfigError(f"{path} line {number}: {value!r} is not a 12-digit AWS account id")
        if value not in ids:
            ids.append(value)
    if not ids:
        raise ConfigError(f"{path}: no account ids found")
    return ids


def org_accounts(factory: ClientFactory) -> list[Account]:
    """ACTIVE accounts of the caller's organization; without them there is nothing to scan."""
    orgs = factory.client(None, factory.home, "organizations")
    try:
        pages = orgs.get_paginator("list_accounts").paginate()
        found = [a for page in pages for a in page.get("Accounts", [])]
    except AWS_FAILURES as exc:
        code, message = describe_failure(exc)
        raise AwsAccessError(f"cannot list the organization's accounts: {code}: {message}") from None
    finally:
        orgs.close()
    active = [a for a in found if (a.get("State") or a.get("Status")) == "ACTIVE"]
    return sorted((Account(account_id=a["Id"], name=a.get("Name")) for a in active), key=lambda a: a.account_id)


def assume_role(factory: ClientFactory, account_id: str, role_name: str) -> botocore.session.Session:
    """A session with the role's refreshable credentials (raises botocore errors)."""
    source = factory.base.get_credentials()
    arn = role_arn(account_id, role_name)
    return factory.new_session(assumed_role_credentials(factory.sts_creator(factory.home), source, arn))


def target_accounts(
    factory: ClientFactory, caller_id: str, org: bool, accounts_file: Path | None, role_name: str | None
) -> list[Account]:
    """The accounts the options name (checked before any of them is entered)."""
    if org and accounts_file is not None:
        raise ConfigError("use either --org or --accounts-file, not both")
    if not org and accounts_file is None:
        return [Account(account_id=caller_id)]
    if not role_name:
        raise ConfigError("--role-name is required with --org or --accounts-file")
    if org:
        return org_accounts(factory)
    return [Account(account_id=i) for i in parse_accounts_file(accounts_file)]  # type: ignore[arg-type]


def enter_account(
    factory: ClientFactory, caller_id: str, account_id: str, role_name: str | None
) -> CoverageError | None:
    """Give ``factory`` a session for the account; the error when the role cannot be assumed."""
    if account_id == caller_id:
        factory.add_account(account_id)
        return None
    try:
        factory.add_account(account_id, assume_role(factory, account_id, role_name or ""))
    except AWS_FAILURES as exc:
        code, message = describe_failure(exc)
        return CoverageError(
            account_id=account_id, region=GLOBAL, operation="AssumeRole", error_code=code, message=message
        )
    return None
