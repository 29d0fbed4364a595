"""botocore clients for the scan, each with the same hooks: call counting, a time budget, response checks.

Every client the collector creates goes through :class:`ClientPool`, so every
call is counted per IAM action (the snapshot records the counts, and the
read-only test checks them against the shipped policy), throttled attempts
are counted, no retry starts after ``CALL_BUDGET`` seconds, and every answer
passes the checks of :mod:`responses`.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import boto3
from botocore.config import Config
from botocore.retries.standard import RetryEventAdapter, ThrottlingErrorDetector

from analyzer.collect import responses
from analyzer.collect.session import CALL_BUDGET, retry_config

# botocore service name -> IAM action prefix, where they differ. The counter
# keys are IAM action names ("ec2:DescribeSubnets"), so they compare directly
# with the policy file.
IAM_PREFIX = {"service-quotas": "servicequotas", "monitoring": "cloudwatch"}
STARTED = "lambda_egress_started"  # request-context key: when the call's first attempt began
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


def install_hooks(client: Any, counter: ApiCallCounter, budget: float) -> Any:
    events = client.meta.events
    events.register("before-call.*.*", counter.hook)
    events.register("before-call.*.*", mark_start)
    events.register_first("needs-retry.*.*", make_budget_hook(budget))
    events.register("needs-retry.*.*", counter.throttle_hook)
    responses.register(events)
    return client


class ClientPool:
    """One boto3 session per account, one client per (account, region, service).

    boto3 sessions are not thread-safe, so client creation is serialised;
    the clients themselves are shared across threads safely.
    """

    def __init__(self, counter: ApiCallCounter, config: Config | None = None, budget: float | None = None) -> None:
        self.counter = counter
        self._config = config or retry_config()
        self._budget = CALL_BUDGET if budget is None else budget
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
        return install_hooks(client, self.counter, self._budget)
