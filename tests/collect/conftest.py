"""Fixtures for the collector tests: fake credentials, moto, and a unit context."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from moto_seed import ACCOUNT
from moto_server import MotoServer

from analyzer.collect.clients import ClientFactory
from analyzer.collect.context import UnitContext

REGION = "us-east-1"
MOTO_FIXTURES = frozenset({"aws", "moto_server", "slow_aws", "factory", "ctx"})
LATENCY = 0.1  # seconds the slow_aws proxy adds to every call


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
def factory(aws: None) -> ClientFactory:
    """The scan's client factory on the default session, the caller's account added."""
    factory = ClientFactory(boto3.Session())
    factory.add_account(ACCOUNT)
    return factory


@pytest.fixture
def ctx(factory: ClientFactory) -> UnitContext:
    """A unit of the caller's account in REGION; ``ctx.clients.counter`` counts its calls."""
    return UnitContext(account_id=ACCOUNT, region=REGION, clients=factory.for_unit(ACCOUNT, REGION))


@pytest.fixture
def moto_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoServer]:
    """A local moto server behind the fault proxy; AWS_ENDPOINT_URL points this process at the proxy."""
    server = MotoServer()
    server.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    try:
        yield server
    finally:
        server.stop()
        reset_moto()


@pytest.fixture
def slow_aws(moto_server: MotoServer) -> MotoServer:
    """The moto server behind the proxy with LATENCY added to every call, as a real region has."""
    assert moto_server.layer is not None
    moto_server.layer.delay = LATENCY
    return moto_server


def reset_moto() -> None:
    """Forget every resource the server held (its backends live in this process)."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
