"""A ``ThreadedMotoServer`` on 127.0.0.1 wrapped in a WSGI layer that logs and injects faults.

moto cannot deny or throttle a call, so this layer answers some requests
itself with the error bodies real AWS sends (EC2 XML, Lambda REST-JSON,
Service Quotas JSON). It also logs every (service, region, operation) that
reaches the server, which proves what a scan run in a subprocess called.
"""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from moto.server import ThreadedMotoServer

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
LAMBDA_PATHS = [
    (re.compile(r"^/2015-03-31/functions/?$"), {"GET": "ListFunctions", "POST": "CreateFunction"}),
    (re.compile(r"^/2015-03-31/functions/[^/]+/configuration$"), {"GET": "GetFunctionConfiguration",
                                                                   "PUT": "UpdateFunctionConfiguration"}),
]


@dataclass
class Fault:
    service: str  # signing name: ec2, lambda, servicequotas, monitoring, sts
    region: str
    operation: str  # "*" for all
    kind: str  # "deny" or "throttle"
    times: int | None = None  # None: every time
    hits: int = 0

    def matches(self, service: str, region: str, operation: str) -> bool:
        return (self.service, self.region) == (service, region) and self.operation in ("*", operation)


def operation_of(environ: dict[str, Any], body: bytes) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    path = environ.get("PATH_INFO", "")
    if "/operation/" in path:  # smithy rpc-v2-cbor (CloudWatch)
        return path.rsplit("/", 1)[-1]
    for pattern, by_method in LAMBDA_PATHS:
        if pattern.match(path):
            return by_method.get(environ.get("REQUEST_METHOD", ""), "?")
    query = parse_qs(body.decode("utf-8", "replace")) or parse_qs(environ.get("QUERY_STRING", ""))
    return query.get("Action", ["?"])[0]


def error_response(service: str, kind: str, operation: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status, headers, body) shaped like the real service's error for a denial or a throttle."""
    deny = kind == "deny"
    if service == "ec2":
        code = "UnauthorizedOperation" if deny else "RequestLimitExceeded"
        body = (f"<Response><Errors><Error><Code>{code}</Code><Message>You are not authorized to perform "
                f"this operation: {operation}</Message></Error></Errors><RequestID>r-1</RequestID></Response>")
        return ("403 Forbidden" if deny else "503 Service Unavailable", [("Content-Type", "text/xml")], body.encode())
    if service == "lambda":
        code = "AccessDeniedException" if deny else "TooManyRequestsException"
        payload = {"Type": "User", "Message": f"not authorized to perform: lambda:{operation}" if deny
                   else "Rate exceeded"}
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
        return ("403 Forbidden" if deny else "429 Too Many Requests", headers, json.dumps(payload).encode())
    code = "AccessDeniedException" if deny else "ThrottlingException"
    payload = {"__type": code, "message": f"{kind}: {operation}"}
    return ("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1")], json.dumps(payload).encode())


@dataclass
class FaultLayer:
    app: Any
    faults: list[Fault] = field(default_factory=list)
    seen: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        scope = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        region, service = scope.groups() if scope else ("?", "?")
        operation = operation_of(environ, body)
        with self.lock:
            self.seen.append((service, region, operation))
            fault = next((f for f in self.faults if f.matches(service, region, operation)
                          and (f.times is None or f.hits < f.times)), None)
            if fault is not None:
                fault.hits += 1
        if fault is None:
            return self.app(environ, start_response)
        status, headers, payload = error_response(service, fault.kind, operation)
        start_response(status, [*headers, ("Content-Length", str(len(payload)))])
        return [payload]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MotoServer:
    """Start/stop a local moto server with the fault layer in front of it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.layer: FaultLayer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultLayer:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on stderr
        self.server.start()
        wsgi = self.server._server  # werkzeug server: requests read .app on every call
        self.layer = FaultLayer(wsgi.app)
        wsgi.app = self.layer
        return self.layer

    def stop(self) -> None:
        self.server.stop()
