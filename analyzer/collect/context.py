"""Guarded AWS calls for one account x region unit.

A failed call never aborts the scan: it becomes a :class:`CoverageError` and
the caller gets ``None`` (meaning "unknown", which is not the same as "none").
Bugs (a bad parameter name, a typo) are not AWS errors and still raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore import xform_name
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from analyzer.collect.session import CREDENTIAL_ERRORS, ClientPool
from analyzer.models import CoverageError

# What AWS (or the network to it) can do to a call: recorded, not raised.
AWS_FAILURES: tuple[type[Exception], ...] = (
    ClientError,
    HTTPClientError,
    BotoConnectionError,
    *CREDENTIAL_ERRORS,
)


def describe_failure(exc: Exception) -> tuple[str, str]:
    """(error code, one-line message) of a botocore failure."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "ClientError")
        message = str(error.get("Message") or exc)
    else:
        code, message = type(exc).__name__, str(exc)
    return code, " ".join(message.split())


@dataclass
class UnitContext:
    """The clients and the error list of one account x region unit (used by one thread)."""

    account_id: str
    region: str
    pool: ClientPool
    errors: list[CoverageError] = field(default_factory=list)

    def client(self, service: str) -> Any:
        return self.pool.client(self.account_id, self.region, service)

    def record(self, operation: str, exc: Exception) -> None:
        self.add_error(operation, *describe_failure(exc))

    def add_error(self, operation: str, code: str, message: str) -> None:
        self.errors.append(
            CoverageError(
                account_id=self.account_id,
                region=self.region,
                operation=operation,
                error_code=code,
                message=message,
            )
        )

    def call(
        self, service: str, operation: str, absent_codes: frozenset[str] = frozenset(), **params: Any
    ) -> dict[str, Any] | None:
        """One call by its API name (``DescribeAddresses``); ``None`` when it failed.

        An error whose code is in ``absent_codes`` means "no such thing" rather
        than a gap: it is not recorded and the result is an empty dict (a real
        response always carries ``ResponseMetadata``, so it is never empty).
        """
        method = getattr(self.client(service), xform_name(operation))
        try:
            return method(**params)
        except AWS_FAILURES as exc:
            if describe_failure(exc)[0] in absent_codes:
                return {}
            self.record(operation, exc)
            return None

    def paginate(
        self, service: str, operation: str, result_key: str, page_size: int | None = None, **params: Any
    ) -> list[dict[str, Any]] | None:
        """Every item of a paginated list; ``None`` when any page failed (partial lists mislead)."""
        paginator = self.client(service).get_paginator(xform_name(operation))
        config = {"PageSize": page_size} if page_size else {}
        items: list[dict[str, Any]] = []
        try:
            for page in paginator.paginate(PaginationConfig=config, **params):
                items.extend(page.get(result_key, []))
        except AWS_FAILURES as exc:
            self.record(operation, exc)
            return None
        return items
