"""botocore clients for the scan: one shared model loader, clients that live as long as their unit.

Memory stays flat in accounts because nothing heavy is per account:

* every account's botocore session shares one loader, so each service model
  (EC2's is megabytes of parsed JSON) is loaded once for the whole scan, not
  once per assumed role; and each service's model object and client class
  are built once for all its clients (:mod:`client_classes`);
* a unit (account x region) creates its clients when it needs them and
  closes them when it ends (:class:`UnitClients`); an account's session is
  dropped once its last unit is done (``release``).

Every client gets the same hooks: calls counted per IAM action (the
snapshot records the counts, and the read-only test checks them against the
shipped policy), throttled attempts counted, no retry after ``CALL_BUDGET``
seconds, and every answer checked by :mod:`responses`. ``permits`` caps the
API calls in flight across the whole scan (``scan --workers``).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, CredentialResolver, Credentials
from botocore.retries.standard import RetryEventAdapter, ThrottlingErrorDetector

from analyzer.collect import responses
from analyzer.collect.client_classes import ClassMemo
from analyzer.collect.session import CALL_BUDGET, home_region, retry_config

# botocore service name -> IAM action prefix, where they differ. The counter
# keys are IAM action names ("ec2:DescribeSubnets"), so they compare directly
# with the policy file.
IAM_PREFIX = {"service-quotas": "servicequotas", "monitoring": "cloudwatch"}
STARTED = "lambda_egress_started"  # request-context key: when the call's first attempt began
PERMIT_POLL = 0.25  # seconds between stop checks while waiting for a permit
_THROTTLING = ThrottlingErrorDetector(RetryEventAdapter())


def iam_action(service_name: str, operation: str) -> str:
    return f"{IAM_PREFIX.get(service_name, service_name)}:{operation}"


class ApiCallCounter:
    """Counts API calls per IAM action and throttled attempts; thread-safe.

    ``before-call`` fires once per logical call (retries happen below it), so
    the counts are what the scan asked for, not what throttling cost; the
    throttled attempts are counted apart (``throttles``).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._throttles = 0

    def hook(self, model: Any, **_: Any) -> None:
        action = iam_action(model.service_model.service_name, model.name)
        with self._lock:
            self._counts[action] += 1

    def throttle_hook(self, **kwargs: Any) -> None:
        if _THROTTLING.is_throttling_error(**kwargs):
            with self._lock:
                self._throttles += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    @property
    def throttles(self) -> int:
        with self._lock:
            return self._throttles


def mark_start(context: dict[str, Any], **_: Any) -> None:
    context.setdefault(STARTED, time.monotonic())


def make_budget_hook(budget: float) -> Any:
    """A ``needs-retry`` handler that vetoes any retry once the call has run ``budget`` seconds.

    Registered first, its ``False`` wins over the retry handler's delay
    (botocore takes the first non-None answer), so the call ends with its last
    error; ``None`` leaves the decision to the retry handler.
    """

    def over_budget(request_dict: dict[str, Any], **_: Any) -> bool | None:
        started = request_dict.get("context", {}).get(STARTED)
        if started is not None and time.monotonic() - started >= budget:
            return False
        return None

    return over_budget


def install_hooks(client: Any, counters: tuple[ApiCallCounter, ...], budget: float) -> Any:
    events = client.meta.events
    for counter in counters:
        events.register("before-call.*.*", counter.hook)
        events.register("needs-retry.*.*", counter.throttle_hook)
    events.register("before-call.*.*", mark_start)
    events.register_first("needs-retry.*.*", make_budget_hook(budget))
    responses.register(events)
    return client


class _Fixed(CredentialProvider):
    """Hands a session the credentials it was given (refreshable ones included)."""

    METHOD = "lambda-egress"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Credentials:
        return self._credentials


class ClientFactory:
    """The scan's sessions (one per account, one shared loader) and its counted clients.

    botocore sessions are not thread-safe, so client creation is serialised;
    the clients themselves are used across threads safely.
    """

    def __init__(self, base: boto3.Session, counter: ApiCallCounter | None = None, config: Config | None = None,
                 budget: float | None = None, permits: int = 1 << 20) -> None:
        self.counter = counter or ApiCallCounter()
        self.boto_session = base
        self.base = base._session  # boto3 keeps its botocore session here; there is no public accessor
        self.loader = self.base.get_component("data_loader")
        self.home = home_region(base)  # where global calls go (STS, Organizations, DescribeRegions)
        self.permits = threading.BoundedSemaphore(permits)
        self._config = config or retry_config()
        self._budget = CALL_BUDGET if budget is None else budget
        self._sessions: dict[str, botocore.session.Session] = {}
        self._session_locks: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._classes = ClassMemo()  # each service's model and client class built once for the scan

    def forked(self, permits: int) -> ClientFactory:
        """This factory for a forked child process (:mod:`shards`): the same base session, its resolved
        credentials and the shared loader, the models and classes built so far; its own locks, counter,
        account sessions and ``permits``."""
        child = ClientFactory(self.boto_session, config=self._config, budget=self._budget, permits=permits)
        child._classes = self._classes.copy()
        return child

    def warm(self, services: Iterable[str]) -> None:
        """Load the services' models and build their client classes now (before forking, once for all)."""
        for service in services:
            self.client(None, self.home, service).close()

    def new_session(self, credentials: Credentials) -> botocore.session.Session:
        """A session for another account: the base profile's settings, these credentials, the shared loader."""
        session = botocore.session.Session(profile=self.base.profile)
        session.register_component("data_loader", self.loader)
        session.register_component("credential_provider", CredentialResolver([_Fixed(credentials)]))
        return session

    def add_account(self, account_id: str, session: botocore.session.Session | None = None) -> None:
        """Register the account's session (default: the base session, for the caller's own account)."""
        with self._lock:
            self._sessions[account_id] = session or self.base

    def release(self, account_id: str) -> None:
        with self._lock:
            self._sessions.pop(account_id, None)

    def session(self, account_id: str) -> botocore.session.Session:
        with self._lock:
            return self._sessions[account_id]

    def client(self, account_id: str | None, region: str, service: str,
               counters: tuple[ApiCallCounter, ...] = (), **credentials: Any) -> Any:
        """A new counted client (the caller closes it); ``account_id`` None means the base session.

        A botocore session is not thread-safe, so clients of one session are created one at a time; the
        sessions of different accounts create theirs at once (they share only the loader, whose caches
        are plain memos: a race loads a model twice, never a wrong one).
        """
        with self._lock:
            session = self.base if account_id is None else self._sessions[account_id]
            lock = self._session_locks.setdefault(session, threading.Lock())
        with lock, self._classes.active():
            client = session.create_client(service, region_name=region, config=self._config, **credentials)
        return install_hooks(client, (self.counter, *counters), self._budget)

    def sts_creator(self, region: str) -> Callable[..., Any]:
        """What botocore's assume-role fetcher calls to get an STS client with the source credentials."""
        return lambda service, **credentials: self.client(None, region, service, **credentials)

    def for_unit(self, account_id: str, region: str) -> UnitClients:
        return UnitClients(self, account_id, region)

    @contextmanager
    def permit(self, check: Callable[[], None]) -> Iterator[None]:
        """Hold one of the scan's call permits; ``check`` runs while waiting (it raises to stop)."""
        while not self.permits.acquire(timeout=PERMIT_POLL):
            check()
        try:
            yield
        finally:
            self.permits.release()


class UnitClients:
    """One unit's clients, created on first use and closed when the unit ends; its own call counter."""

    def __init__(self, factory: ClientFactory, account_id: str, region: str) -> None:
        self.factory, self.account_id, self.region = factory, account_id, region
        self.counter = ApiCallCounter()
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str) -> Any:
        with self._lock:
            found = self._clients.get(service)
            if found is None:
                found = self._clients[service] = self.factory.client(self.account_id, self.region, service,
                                                                     (self.counter,))
            return found

    def permit(self, check: Callable[[], None]) -> Any:
        return self.factory.permit(check)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
