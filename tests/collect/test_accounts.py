"""accounts.py: caller / Organizations / accounts-file targets and assume-role failures."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from moto_seed import ACCOUNT

from analyzer.collect.accounts import enter_account, parse_accounts_file, target_accounts
from analyzer.collect.clients import ClientFactory
from analyzer.errors import ConfigError


def test_accounts_file_lines_and_yaml_list(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("# prod and staging\n111111111111\n\n222222222222  # staging\n111111111111\n")
    assert parse_accounts_file(plain) == ["111111111111", "222222222222"]
    yaml_list = tmp_path / "accounts.yaml"
    yaml_list.write_text("---\n- '012345678901'  # leading zero kept\n- 333333333333\n")
    assert parse_accounts_file(yaml_list) == ["012345678901", "333333333333"]


@pytest.mark.parametrize(
    ("text", "message"),
    [("111111111111\n12345\n", "line 2: '12345' is not a 12-digit"), ("# nothing\n", "no account ids found")],
)
def test_bad_accounts_file_is_config_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "a.txt"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        parse_accounts_file(path)


def test_missing_accounts_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read accounts file"):
        parse_accounts_file(tmp_path / "absent.txt")


def test_target_options(factory: ClientFactory, tmp_path: Path) -> None:
    assert [a.account_id for a in target_accounts(factory, ACCOUNT, False, None, None)] == [ACCOUNT]
    with pytest.raises(ConfigError, match="not both"):
        target_accounts(factory, ACCOUNT, True, tmp_path / "x", "Scan")
    with pytest.raises(ConfigError, match="--role-name is required"):
        target_accounts(factory, ACCOUNT, True, None, None)


def test_org_lists_active_accounts_only(factory: ClientFactory) -> None:
    orgs = boto3.client("organizations", region_name="us-east-1")
    orgs.create_organization(FeatureSet="ALL")
    ids = {}
    for name in ("prod", "old"):
        status = orgs.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        ids[name] = status["AccountId"]
    orgs.close_account(AccountId=ids["old"])  # moto: SUSPENDED at once

    accounts = target_accounts(factory, ACCOUNT, True, None, "Scan")

    assert {a.account_id: a.name for a in accounts} == {ACCOUNT: "master", ids["prod"]: "prod"}
    assert factory.counter.snapshot()["organizations:ListAccounts"] == 1


def test_assumed_account_gets_its_own_session(factory: ClientFactory) -> None:
    assert enter_account(factory, ACCOUNT, "222222222222", "Scan") is None
    sts = factory.client("222222222222", "us-east-1", "sts")
    assert sts.get_caller_identity()["Account"] == "222222222222"  # moto maps the role's keys to the account
    assert enter_account(factory, ACCOUNT, ACCOUNT, "Scan") is None  # the caller's own account: no assume-role
    assert factory.session(ACCOUNT) is factory.base
    assert factory.counter.snapshot()["sts:AssumeRole"] == 1


def test_failed_assume_role_is_a_coverage_error(factory: ClientFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Stubber: moto's AssumeRole never refuses.
    sts = factory.client(None, "us-east-1", "sts")
    monkeypatch.setattr(factory, "sts_creator", lambda region: lambda service, **credentials: sts)
    with Stubber(sts) as stub:
        stub.add_client_error("assume_role", "AccessDenied", "not authorized to perform: sts:AssumeRole",
                              http_status_code=403)
        error = enter_account(factory, ACCOUNT, "333333333333", "Scan")
    assert error is not None
    assert (error.account_id, error.region, error.operation, error.error_code) == (
        "333333333333", "global", "AssumeRole", "AccessDenied")
    assert error.message == "not authorized to perform: sts:AssumeRole"
