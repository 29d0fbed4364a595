"""One service model and one client class per service for all of a scan's clients.

The shared loader (``clients.py``) keeps each service's JSON in memory once,
but botocore's ``Session.create_client`` still builds, for every client, a new
``ServiceModel`` and a new client class with one Python function per operation
(EC2 has several hundred). A scan makes a client per account x region x
service, so on a 20-account x 2-region org that was about 30% of the scan's
CPU, serialised by the GIL in front of I/O-bound work (``tests/perf/bench_org.py``).

botocore has no hook for it (``Session.create_client`` makes its own
``ClientCreator``), so the two ``ClientCreator`` methods that build them are
wrapped, once per process, to consult a :class:`ClassMemo` only while one is
active on the calling thread. A scan's ``ClientFactory`` activates its memo
around its own ``create_client`` calls; every other client in the process is
built exactly as botocore builds it.

What is shared is what does not depend on the client: the model (a pure
function of the loaded JSON) and the class (its methods name operations; the
region, endpoint, credentials and event handlers live on the instance). A
class also carries what ``creating-client-class`` handlers add: botocore's
built-ins are the same in every session, boto3 adds its own only for S3,
which is therefore never memoised.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import botocore.client

NOT_MEMOISED = frozenset({"s3"})  # boto3 adds methods to the S3 class in its own sessions only

_ACTIVE: ContextVar[ClassMemo | None] = ContextVar("lambda_egress_class_memo", default=None)
_INSTALL_LOCK = threading.Lock()
_installed = False


class ClassMemo:
    """Service models and client classes built once; thread-safe (a race builds twice, keeps one)."""

    def __init__(self) -> None:
        install()
        self._lock = threading.Lock()
        self._built: dict[tuple[Any, ...], Any] = {}

    def get(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        with self._lock:
            found = self._built.get(key)
        if found is None:
            made = build()
            with self._lock:
                found = self._built.setdefault(key, made)
        return found

    def copy(self) -> ClassMemo:
        """The same models and classes behind a new lock (for a forked process)."""
        other = ClassMemo()
        with self._lock:
            other._built = dict(self._built)
        return other

    @contextmanager
    def active(self) -> Iterator[None]:
        """Clients created on this thread inside the block use the memo."""
        token = _ACTIVE.set(self)
        try:
            yield
        finally:
            _ACTIVE.reset(token)


def install() -> None:
    """Wrap ``ClientCreator``'s builders (idempotent); a botocore without them keeps its own behaviour."""
    global _installed
    creator = botocore.client.ClientCreator
    with _INSTALL_LOCK:
        if _installed or not all(hasattr(creator, name) for name in ("_load_service_model",
                                                                     "_create_client_class")):
            return
        stock_model, stock_class = creator._load_service_model, creator._create_client_class

        def load_service_model(self: Any, service_name: str, api_version: str | None = None) -> Any:
            memo = _ACTIVE.get()
            if memo is None or service_name in NOT_MEMOISED:
                return stock_model(self, service_name, api_version)
            return memo.get(("model", id(self._loader), service_name, api_version),
                            lambda: stock_model(self, service_name, api_version))

        def create_client_class(self: Any, service_name: str, service_model: Any) -> Any:
            memo = _ACTIVE.get()
            if memo is None or service_name in NOT_MEMOISED:
                return stock_class(self, service_name, service_model)
            # Keyed by the model object too: a memoised model is the only one it is built from.
            return memo.get(("class", service_name, id(service_model)),
                            lambda: stock_class(self, service_name, service_model))

        creator._load_service_model = load_service_model
        creator._create_client_class = create_client_class
        _installed = True
