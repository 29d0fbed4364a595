"""credentials.py: assumed-role credentials refresh before they expire, on a fake clock.

moto's AssumeRole stamps its expiry with the real clock, so the role's STS
client here is a stand-in that stamps it with the fake one (the rest of the
scan still runs against moto).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.credentials import Credentials
from dateutil.tz import tzlocal
from moto_seed import ACCOUNT, seed_estate
from moto_server import MotoServer

from analyzer.collect import credentials as credentials_module
from analyzer.collect.clients import ClientFactory
from analyzer.collect.credentials import assumed_role_credentials, role_arn
from analyzer.collect.scan import ScanRequest, run_scan

START = datetime(2026, 3, 31, 9, 0, tzinfo=tzlocal())


class Clock:
    def __init__(self, step: timedelta = timedelta(0)) -> None:
        self.now, self.step = START, step

    def __call__(self) -> datetime:
        self.now += self.step  # time passes every time someone looks
        return self.now


class RoleSts:
    """An STS client for AssumeRole whose credentials last an hour on the fake clock."""

    def __init__(self, clock: Clock, real: Any = None) -> None:
        self.clock, self.real, self.issued = clock, real, 0

    def assume_role(self, **kwargs: Any) -> dict[str, Any]:
        self.issued += 1
        answer = self.real.assume_role(**kwargs) if self.real is not None else {
            "Credentials": {"AccessKeyId": f"ASIA{self.issued:012d}", "SecretAccessKey": "s", "SessionToken": "t"},
            "AssumedRoleUser": {"Arn": f"arn:aws:sts::222222222222:assumed-role/Scan/{kwargs['RoleSessionName']}"},
        }
        answer["Credentials"]["Expiration"] = self.clock.now + timedelta(hours=1)
        return answer


def test_credentials_are_fetched_at_once_and_again_before_they_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(credentials_module, "now", clock)
    sts = RoleSts(clock)
    created: list[dict[str, Any]] = []

    def create_sts(service: str, **kwargs: Any) -> RoleSts:
        created.append({"service": service, **kwargs})
        return sts

    creds = assumed_role_credentials(create_sts, Credentials("AKIDSOURCE", "secret"), role_arn("222222222222", "Scan"))
    assert sts.issued == 1  # at once: a role that cannot be assumed fails when the account is entered
    assert created[0] == {"service": "sts", "aws_access_key_id": "AKIDSOURCE", "aws_secret_access_key": "secret",
                          "aws_session_token": None}  # the caller's own credentials sign AssumeRole
    assert creds.get_frozen_credentials().access_key == "ASIA000000000001"

    clock.now += timedelta(minutes=40)  # 20 minutes left: nothing to do
    assert creds.get_frozen_credentials().access_key == "ASIA000000000001" and sts.issued == 1
    clock.now += timedelta(minutes=12)  # 8 minutes left: must refresh before use
    assert creds.get_frozen_credentials().access_key == "ASIA000000000002" and sts.issued == 2
    clock.now += timedelta(hours=3)  # long past the second expiry (an idle stretch of a long scan)
    assert creds.get_frozen_credentials().access_key == "ASIA000000000003" and sts.issued == 3


def test_an_org_scan_longer_than_the_role_session_keeps_working(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto_seed import client

    orgs = client("organizations", "us-east-1", moto_server.moto_url)
    orgs.create_organization(FeatureSet="ALL")
    members = [orgs.create_account(AccountName=n, Email=f"{n}@example.com")["CreateAccountStatus"]["AccountId"]
               for n in ("prod", "staging")]
    clock = Clock(step=timedelta(minutes=3))  # an hour-long session ends after ~20 looks at the clock
    monkeypatch.setattr(credentials_module, "now", clock)
    roles: list[RoleSts] = []
    real_creator = ClientFactory.sts_creator

    def sts_creator(self: ClientFactory, region: str) -> Any:
        def create(service: str, **kwargs: Any) -> RoleSts:
            roles.append(RoleSts(clock, real_creator(self, region)(service, **kwargs)))
            return roles[-1]
        return create

    monkeypatch.setattr(ClientFactory, "sts_creator", sts_creator)
    for account in members:
        seed_estate("eu-west-1", moto_server.moto_url, account=account)

    snapshot = run_scan(ScanRequest(regions=("eu-west-1",), org=True, role_name="Scan"))

    assert snapshot.coverage.errors == ()
    assert sum(r.issued for r in roles) > len(members)  # refreshed mid-scan, more than once per account
    assert snapshot.coverage.api_calls["sts:AssumeRole"] == sum(r.issued for r in roles)
    by_account = {a: {f.name for f in snapshot.functions if f.account_id == a} for a in (ACCOUNT, *members)}
    assert by_account == {ACCOUNT: set(), **{a: {"orders", "billing", "webhook", "poller", "plain"} for a in members}}

