"""Guarded AWS calls for one account x region unit.

A failed call never aborts the scan: it becomes a :class:`CoverageError` and
the caller gets ``None`` (meaning "unknown", which is not the same as "none").
"Failed" is anything AWS or the network can do: an error answer, a timeout,
a reset, a body botocore cannot parse, a paginator that repeats its token, an
answer without its operation's keys (:mod:`responses`). Records are built
from the items as each page arrives; an item that cannot become a record
(a field the model needs is missing or malformed) and an id listed twice are
recorded too, and left out. Programming errors (a bad parameter name) still
raise, and the scan records them against the unit.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore import xform_name
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    DataNotFoundError,
    OperationNotPageableError,
    ParamValidationError,
)
from botocore.parsers import ResponseParserError

from analyzer.collect.clients import UnitClients
from analyzer.collect.responses import SHAPES, MalformedResponse
from analyzer.models import CoverageError

T = TypeVar("T")

# Our own mistakes, not AWS's: never taken for a gap in one call.
BUGS: tuple[type[Exception], ...] = (ParamValidationError, OperationNotPageableError, DataNotFoundError)
# What AWS (or the network to it) can do to a call: recorded, not raised. Besides its own
# errors botocore lets through ResponseParserError, urllib3 and socket errors, UnicodeDecodeError
# for a binary body, even a KeyError from the query parser on an HTML page: so anything raised
# from inside a call is AWS's answer, except our own bugs (BUGS, re-raised) and UnitStopped.
AWS_FAILURES: tuple[type[Exception], ...] = (Exception,)
# An item that cannot become a record: KeyError (missing field), pydantic's ValidationError
# (a ValueError), TypeError (a list where a mapping belongs).
ITEM_FAILURES: tuple[type[Exception], ...] = (KeyError, ValueError, TypeError, AttributeError)
MAX_MESSAGE = 300
_ANSI = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class UnitStopped(Exception):
    """The unit's deadline passed or the scan was interrupted: the unit makes no new calls."""


def clean_message(text: str) -> str:
    """One inert line: ANSI sequences dropped, control and bidi characters escaped, at most MAX_MESSAGE chars."""
    text = _ANSI.sub("", str(text))
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text.replace("\n", " ").replace("\t", " "))
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """(error code, one-line message) of a failed call."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "ClientError")
        message = str(error.get("Message") or exc)
    elif isinstance(exc, MalformedResponse):
        code, message = exc.code, str(exc)
    elif not isinstance(exc, BotoCoreError | ResponseParserError | UnitStopped):  # from deep in a parser
        code, message = "UnreadableResponse", f"{type(exc).__name__}: {exc}"
    else:
        code, message = type(exc).__name__, str(exc) or type(exc).__name__
    return clean_message(code)[:80], clean_message(message)


def is_bug(exc: BaseException) -> bool:
    return isinstance(exc, BUGS)


@dataclass
class UnitContext:
    """The clients and the error list of one account x region unit (its calls may run on several threads)."""

    account_id: str
    region: str
    clients: UnitClients
    errors: list[CoverageError] = field(default_factory=list)
    deadline: float | None = None  # time.monotonic() after which no call starts
    stop: threading.Event | None = None  # set when the whole scan is interrupted
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def client(self, service: str) -> Any:
        return self.clients.client(service)

    def check_running(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise UnitStopped("the scan was interrupted")
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise UnitStopped("the unit's deadline passed")

    def record(self, operation: str, exc: BaseException) -> None:
        self.add_error(operation, *describe_failure(exc))

    def add_error(self, operation: str, code: str, message: str) -> None:
        error = CoverageError(account_id=self.account_id, region=self.region, operation=operation,
                              error_code=code, message=clean_message(message))
        with self._lock:
            self.errors.append(error)

    def call(
        self, service: str, operation: str, absent_codes: frozenset[str] = frozenset(), **params: Any
    ) -> dict[str, Any] | None:
        """One call by its API name (``DescribeAddresses``); ``None`` when it failed.

        An error whose code is in ``absent_codes`` means "no such thing" rather
        than a gap: it is not recorded and the result is an empty dict (a real
        response always carries ``ResponseMetadata``, so it is never empty).
        """
        self.check_running()
        method = getattr(self.client(service), xform_name(operation))
        try:
            with self.clients.permit(self.check_running):
                return method(**params)
        except UnitStopped:
            raise
        except AWS_FAILURES as exc:
            if is_bug(exc):
                raise
            if describe_failure(exc)[0] in absent_codes:
                return {}
            self.record(operation, exc)
            return None

    def pages(self, service: str, operation: str, page_size: int | None = None, **params: Any) -> Iterator[dict]:
        """Each page as it arrives; raises what botocore raises (``paginate`` and ``all_pages`` record it)."""
        paginator = self.client(service).get_paginator(xform_name(operation))
        config = {"PageSize": page_size} if page_size else {}
        iterator = iter(paginator.paginate(PaginationConfig=config, **params))
        while True:
            self.check_running()
            with self.clients.permit(self.check_running):
                page = next(iterator, None)
            if page is None:
                return
            yield page

    def all_pages(self, service: str, operation: str, page_size: int | None = None, **params: Any) -> list | None:
        """Every page of a paginated call; ``None`` when any page failed (partial results mislead)."""
        return self._guarded(operation, lambda: list(self.pages(service, operation, page_size, **params)))

    def paginate(
        self,
        service: str,
        operation: str,
        build: Callable[[dict[str, Any]], T | None],
        page_size: int | None = None,
        **params: Any,
    ) -> list[T] | None:
        """Every item of every page, built into a record page by page (``build`` returns None to skip one).

        ``None`` when any page failed. Items that cannot be built, and repeats
        of an id already seen, are left out and recorded (one error each kind).
        """
        builder = RecordBuilder(self, operation, build)

        def run() -> list[T]:
            for page in self.pages(service, operation, page_size, **params):
                builder.add(page.get(builder.items_key, []))
            return builder.finish()

        return self._guarded(operation, run)

    def records(
        self, operation: str, items: list[dict[str, Any]] | None, build: Callable[[dict[str, Any]], T | None]
    ) -> list[T] | None:
        """The records of a list already fetched (an unpaginated call), checked like ``paginate``'s."""
        if items is None:
            return None
        builder = RecordBuilder(self, operation, build)
        builder.add(items)
        return builder.finish()

    def _guarded(self, operation: str, run: Callable[[], T]) -> T | None:
        try:
            return run()
        except UnitStopped:
            raise
        except AWS_FAILURES as exc:
            if is_bug(exc):
                raise
            self.record(operation, exc)
            return None


class RecordBuilder:
    """Builds records from items, leaving out (and recording) the unbuildable and the repeated."""

    def __init__(self, ctx: UnitContext, operation: str, build: Callable[[dict[str, Any]], Any]) -> None:
        shape = SHAPES.get(operation)
        self.ctx, self.operation, self.build = ctx, operation, build
        self.items_key = shape.items if shape and shape.items else ""
        self.id_key = shape.id_key if shape else None
        self.records: list[Any] = []
        self.seen: set[str] = set()
        self.repeated: list[str] = []
        self.broken: list[str] = []
        self.total = 0

    def add(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            self.total += 1
            ident = item.get(self.id_key) if self.id_key and isinstance(item, dict) else None
            if isinstance(ident, str):
                if ident in self.seen:
                    self.repeated.append(ident)
                    continue
                self.seen.add(ident)
            try:
                record = self.build(item)
            except ITEM_FAILURES as exc:
                self.broken.append(f"{ident or 'an item'}: {type(exc).__name__}: {exc}")
                continue
            if record is not None:
                self.records.append(record)

    def finish(self) -> list[Any]:
        if self.broken:
            self.ctx.add_error(self.operation, "MalformedItem", f"{len(self.broken)} of {self.total} items left "
                               f"out, a field the scan needs is missing or malformed; first: {self.broken[0]}")
        if self.repeated:
            ids = ", ".join(sorted(set(self.repeated))[:5])
            self.ctx.add_error(self.operation, "DuplicateItem", f"{len(self.repeated)} repeated {self.id_key} "
                               f"value(s) in one region, first copy kept: {ids}")
        return self.records
