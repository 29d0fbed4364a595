"""clients.py: one loader for every account, clients that live as long as their unit, counted calls."""

from __future__ import annotations

import gc
import threading
import time
import weakref

import boto3
import pytest
from moto_seed import ACCOUNT

from analyzer.collect import clients as clients_module
from analyzer.collect.accounts import enter_account
from analyzer.collect.clients import ClientFactory
from analyzer.collect.context import UnitStopped

MEMBER = "222222222222"


def test_two_accounts_share_one_loader_and_one_loaded_service_model(factory: ClientFactory) -> None:
    """The per-account memory fix: a new account must not load its own copy of the EC2 model."""
    assert enter_account(factory, ACCOUNT, MEMBER, "Scan") is None
    caller_ec2 = factory.for_unit(ACCOUNT, "us-east-1").client("ec2")
    member_ec2 = factory.for_unit(MEMBER, "eu-west-1").client("ec2")

    assert factory.session(MEMBER) is not factory.session(ACCOUNT)  # own credentials...
    assert factory.session(MEMBER).get_component("data_loader") is factory.loader  # ...one loader
    assert caller_ec2._loader is member_ec2._loader is factory.loader
    # The parsed model itself (megabytes for EC2) is the same object, not an equal copy.
    assert caller_ec2.meta.service_model._service_description is member_ec2.meta.service_model._service_description
    assert member_ec2.describe_vpcs()["Vpcs"] is not None  # and the member's client works with its own keys


def test_a_units_clients_are_made_once_counted_and_closed_with_it(factory: ClientFactory) -> None:
    unit = factory.for_unit(ACCOUNT, "us-east-1")
    ec2 = unit.client("ec2")
    assert unit.client("ec2") is ec2  # one per service while the unit runs
    ec2.describe_vpcs()
    ec2.describe_vpcs()
    unit.client("cloudwatch").list_metrics()
    other = factory.for_unit(ACCOUNT, "eu-west-1")
    other.client("ec2").describe_vpcs()
    assert other.client("ec2") is not ec2

    assert unit.counter.snapshot() == {"cloudwatch:ListMetrics": 1, "ec2:DescribeVpcs": 2}
    assert other.counter.snapshot() == {"ec2:DescribeVpcs": 1}
    assert factory.counter.snapshot() == {"cloudwatch:ListMetrics": 1, "ec2:DescribeVpcs": 3}  # the scan's totals

    gone = weakref.ref(ec2)
    unit.close()
    del ec2
    gc.collect()
    assert gone() is None  # nothing keeps a finished unit's client alive


def test_a_released_account_keeps_nothing(factory: ClientFactory) -> None:
    assert enter_account(factory, ACCOUNT, MEMBER, "Scan") is None
    session = weakref.ref(factory.session(MEMBER))
    factory.release(MEMBER)
    gc.collect()
    assert session() is None
    with pytest.raises(KeyError):
        factory.session(MEMBER)


def test_permits_cap_the_calls_in_flight_and_a_stop_ends_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clients_module, "PERMIT_POLL", 0.01)
    capped = ClientFactory(boto3.Session(), permits=2)
    running, peak, lock = [0], [0], threading.Lock()

    def call() -> None:
        with capped.permit(lambda: None):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 2

    def stopped() -> None:
        raise UnitStopped("the scan was interrupted")

    # both permits held: the third waits, and the check stops the wait
    with capped.permit(stopped), capped.permit(stopped), pytest.raises(UnitStopped), capped.permit(stopped):
        pass


def test_clients_of_two_accounts_are_created_at_once_and_of_one_session_one_at_a_time(
    factory: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A botocore session is not thread-safe (one lock per session); two accounts' sessions do not wait on each
    other (the org scan's client creation is not one queue for the whole scan)."""
    assert enter_account(factory, ACCOUNT, MEMBER, "Scan") is None
    inside: list[int] = []
    overlaps: list[tuple[int, int]] = []
    lock = threading.Lock()

    def slow(real):
        def create(self, *args, **kwargs):
            with lock:
                inside.append(id(self))
                overlaps.append((len(inside), len(set(inside))))
            time.sleep(0.2)
            with lock:
                inside.remove(id(self))
            return real(self, *args, **kwargs)
        return create

    import botocore.session

    monkeypatch.setattr(botocore.session.Session, "create_client", slow(botocore.session.Session.create_client))

    def make(account: str, service: str) -> None:
        factory.client(account, "us-east-1", service).close()

    threads = [threading.Thread(target=make, args=(a, s)) for a in (ACCOUNT, MEMBER) for s in ("sts", "ec2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    most_at_once, sessions_at_once = max(overlaps)
    assert (most_at_once, sessions_at_once) == (2, 2)  # the two accounts at once, never two of one session


def test_clients_of_one_service_share_one_built_class_and_model(factory: ClientFactory) -> None:
    """botocore builds a client class (a Python function per operation: EC2 has hundreds) and a service
    model for every client; the scan builds each once per service, not once per account x region."""
    assert enter_account(factory, ACCOUNT, MEMBER, "Scan") is None
    caller_ec2 = factory.for_unit(ACCOUNT, "us-east-1").client("ec2")
    member_ec2 = factory.for_unit(MEMBER, "eu-west-1").client("ec2")
    member_lambda = factory.for_unit(MEMBER, "eu-west-1").client("lambda")

    assert type(caller_ec2) is type(member_ec2)
    assert caller_ec2.meta.service_model is member_ec2.meta.service_model
    assert type(member_lambda) is not type(member_ec2)
    # Still each its own client: own region, own credentials, own events (the unit's counter).
    assert (caller_ec2.meta.region_name, member_ec2.meta.region_name) == ("us-east-1", "eu-west-1")
    assert caller_ec2.meta.events is not member_ec2.meta.events
    assert member_ec2.describe_vpcs()["Vpcs"] is not None
    assert factory.counter.snapshot()["ec2:DescribeVpcs"] == 1


def test_clients_made_outside_the_scan_are_built_as_botocore_builds_them(factory: ClientFactory) -> None:
    scan_ec2 = factory.for_unit(ACCOUNT, "us-east-1").client("ec2")
    other = boto3.Session().client("ec2", region_name="us-east-1")
    assert type(other) is not type(scan_ec2)
    assert other.meta.service_model is not scan_ec2.meta.service_model


def test_a_forked_factory_keeps_the_loaded_models_and_classes_but_nothing_it_could_share_wrongly(
    factory: ClientFactory,
) -> None:
    """What a shard's child process starts from (shards.py): the parent warmed the models and classes once."""
    factory.warm(("ec2",))
    warm_ec2 = factory.client(None, "us-east-1", "ec2")
    child = factory.forked(permits=3)
    child.add_account(ACCOUNT)
    child_ec2 = child.for_unit(ACCOUNT, "eu-west-1").client("ec2")

    assert child.loader is factory.loader and child.base is factory.base  # same credentials and loaded JSON
    assert type(child_ec2) is type(warm_ec2) and child_ec2.meta.service_model is warm_ec2.meta.service_model
    assert child.counter is not factory.counter and child.permits is not factory.permits
    assert child.permits._initial_value == 3
    assert child_ec2.describe_vpcs()["Vpcs"] is not None
    assert child.counter.snapshot() == {"ec2:DescribeVpcs": 1} and factory.counter.snapshot() == {}
