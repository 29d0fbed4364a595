"""Fixtures for the collector tests: fake credentials, moto, and a unit context."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from moto_seed import ACCOUNT
from moto_server import MotoServer

from analyzer.collect.clients import ApiCallCounter, ClientPool
from analyzer.collect.context import UnitContext

REGION = "us-east-1"
MOTO_FIXTURES = frozenset({"aws", "moto_server", "pool", "ctx"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses moto (through any of its fixtures) is marked ``aws``: ``-m 'not aws'`` skips them."""
    for item in items:
        if MOTO_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.aws)


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Fake credentials only; no user config, no instance metadata, no real endpoint."""
    empty = tmp_path_factory.mktemp("aws")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_MAX_ATTEMPTS", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def pool(aws: None) -> ClientPool:
    pool = ClientPool(ApiCallCounter())
    pool.add_account(ACCOUNT, boto3.Session())
    return pool


@pytest.fixture
def ctx(pool: ClientPool) -> UnitContext:
    return UnitContext(account_id=ACCOUNT, region=REGION, pool=pool)


@pytest.fixture
def moto_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoServer]:
    """A local moto server with a fault layer; AWS_ENDPOINT_URL points this process at it."""
    server = MotoServer()
    server.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    try:
        yield server
    finally:
        server.stop()
        reset_moto()


def reset_moto() -> None:
    """Forget every resource the server held (its backends live in this process)."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
