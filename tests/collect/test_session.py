"""session.py: retries, timeouts, call counting, the identity check and regions."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import boto3
import pytest
from moto_seed import ACCOUNT
from moto_server import Fault, MotoServer

from analyzer.collect import session as session_module
from analyzer.collect.clients import ApiCallCounter, ClientFactory
from analyzer.collect.session import (
    caller_account,
    enabled_regions,
    open_session,
    retry_config,
    validate_regions,
)
from analyzer.errors import AwsAccessError, ConfigError


def test_retry_config_is_adaptive_with_ten_attempts_and_short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    config = retry_config()
    assert config.retries == {"mode": "adaptive", "total_max_attempts": 10}
    assert (config.connect_timeout, config.read_timeout) == (5.0, 15.0)  # botocore's defaults are 60 s each
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    assert retry_config().retries == {"mode": "adaptive", "total_max_attempts": 3}
    for bad in ("0", "-1", "three"):
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", bad)
        with pytest.raises(ConfigError, match="AWS_MAX_ATTEMPTS must be"):
            retry_config()


def test_counter_is_thread_safe() -> None:
    counter = ApiCallCounter()
    model = SimpleNamespace(name="DescribeSubnets", service_model=SimpleNamespace(service_name="ec2"))

    def work() -> None:
        for _ in range(500):
            counter.hook(model=model)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter.snapshot() == {"ec2:DescribeSubnets": 8 * 500}


def test_caller_account_and_enabled_regions(aws: None) -> None:
    factory = ClientFactory(boto3.Session())
    assert caller_account(factory) == ACCOUNT
    factory.add_account(ACCOUNT)
    regions = enabled_regions(factory, ACCOUNT)
    assert "us-east-1" in regions and "eu-west-1" in regions
    assert "ap-east-1" not in regions  # moto reports it "not-opted-in"
    assert regions == sorted(regions)
    assert factory.counter.snapshot() == {"ec2:DescribeRegions": 1, "sts:GetCallerIdentity": 1}


def test_no_credentials_is_one_line_access_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(AwsAccessError, match="no usable AWS credentials") as caught:
        caller_account(ClientFactory(boto3.Session()))
    assert "\n" not in caught.value.message


def test_unknown_profile_is_access_error() -> None:
    with pytest.raises(AwsAccessError, match="AWS profile not found: nope"):
        open_session("nope")


def test_regions_are_validated_and_deduplicated() -> None:
    session = boto3.Session()
    assert validate_regions(session, ["eu-west-1", "us-east-1", "eu-west-1"]) == ("eu-west-1", "us-east-1")
    with pytest.raises(ConfigError, match="unknown region: mars-east-1"):
        validate_regions(session, ["us-east-1", "mars-east-1"])


@pytest.mark.parametrize(("fault", "message"), [
    (Fault("sts", "us-east-1", "GetCallerIdentity", "error5xx"),
     "AWS STS failed to answer the identity check (HTTP 500, InternalError: We encountered an internal error. "
     "Please try again.); this is on AWS's side, try again later"),
    (Fault("sts", "us-east-1", "GetCallerIdentity", "deny", message="token expired"),
     "AWS rejected the credentials: AccessDenied: token expired"),
    (Fault("sts", "us-east-1", "GetCallerIdentity", "html"),  # botocore's query parser raises a KeyError
     "AWS STS sent no usable answer to the identity check (UnreadableResponse: KeyError: 'GetCallerIdentityResult')"),
])
def test_identity_failures_say_what_happened(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch,
                                             fault: Fault, message: str) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    assert moto_server.layer is not None
    moto_server.layer.faults.append(fault)
    with pytest.raises(AwsAccessError) as caught:
        caller_account(ClientFactory(boto3.Session()))
    assert caught.value.message == message


def test_an_identity_check_that_times_out_says_so(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setattr(session_module, "READ_TIMEOUT", 0.3)
    assert moto_server.layer is not None
    moto_server.layer.faults.append(Fault("sts", "us-east-1", "GetCallerIdentity", "hang"))
    with pytest.raises(AwsAccessError, match=r"^AWS STS did not answer the identity check in time \(Read timeout"):
        caller_account(ClientFactory(boto3.Session()))
