"""A loopback HTTP proxy in front of the moto server: logs every call, adds latency, injects faults.

moto answers every call correctly and at once; real AWS (and the networks in
front of it) does not. This proxy sits between the scan and moto on
127.0.0.1 and, per (service, region, operation), can instead:

=================  =============================================================
``deny``           the service's own access-denied error (``message`` overrides)
``throttle``       the service's own throttling error
``error5xx``       500 InternalError (a burst, with ``times``)
``malformed``      status 200 with a body cut mid-document (XML, JSON or CBOR)
``html``           status 200 with an HTML page (a captive portal, a bad proxy)
``truncated``      the real answer's headers, then half its body, then the socket closes
``repeat-token``   the real answer (or, for CBOR, an empty page) with the same NextToken every time
``drop-field``     the real answer with ``field`` removed from every item
``duplicate``      the real answer with every list item twice
``hang``           no answer at all until the proxy stops
``reset``          the connection reset (TCP RST) without an answer
=================  =============================================================

``delay`` (seconds) is added to every request: the latency of a real region
(the ``slow_aws`` fixture, and ``tests/perf/bench_org.py``). With ``replay``
on (a dict), a request seen before (same account, region, service, path and
body) is answered with moto's first answer without asking moto again, so a
benchmark's simulated AWS costs the proxy's CPU only, not moto's
(``bench_org.py --replay``); assumed-role keys are mapped to their account
from the AssumeRole answers, so a second scan's requests match the first's.
Replay assumes moto's state does not change while it is on: set a new dict
after seeding more. ``peak`` is the
most requests it answered at once, which shows what a scan overlaps.
The error bodies are shaped like the real services' (EC2 and STS XML, Lambda
REST-JSON, JSON 1.1, CloudWatch's RPCv2 CBOR).
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import struct
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
ACCESS_KEY = re.compile(r"Credential=([^/]+)/")
ASSUMED_KEY = re.compile(rb"<AccessKeyId>([^<]+)</AccessKeyId>")
LAMBDA_PATHS = [
    (re.compile(r"^/2015-03-31/functions/?$"), {"GET": "ListFunctions", "POST": "CreateFunction"}),
    (re.compile(r"^/2015-03-31/functions/[^/]+/configuration$"), {"GET": "GetFunctionConfiguration",
                                                                   "PUT": "UpdateFunctionConfiguration"}),
]
XML_SERVICES = frozenset({"ec2", "sts", "iam"})
CBOR = "cbor"  # the body dialect of a request botocore sent as smithy RPCv2 CBOR (CloudWatch, in some versions)
REPEATED_TOKEN = "lambda-egress-repeated-token"
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Maintenance</title></head>"
             b"<body><h1>Service temporarily unavailable</h1><p>Try again later.</p></body></html>")
HANG_LIMIT = 600.0  # a hung request is answered (by closing) at the latest when the proxy stops or after this


@dataclass
class Fault:
    service: str  # signing name: ec2, lambda, servicequotas, monitoring, sts, organizations; "*" for all
    region: str  # "*" for every region
    operation: str  # "*" for every operation
    kind: str  # see the module docstring
    times: int | None = None  # None: every time
    message: str | None = None  # deny: the error message
    field: str | None = None  # drop-field: the item key to remove (JSON name or XML element name)
    hits: int = 0

    def matches(self, service: str, region: str, operation: str) -> bool:
        return (self.service in ("*", service) and self.region in ("*", region)
                and self.operation in ("*", operation))


def operation_of(method: str, path: str, query: str, headers: Any, body: bytes) -> str:
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    if "/operation/" in path:  # smithy rpc-v2-cbor (CloudWatch)
        return path.rsplit("/", 1)[-1]
    for pattern, by_method in LAMBDA_PATHS:
        if pattern.match(path):
            return by_method.get(method, "?")
    params = parse_qs(body.decode("utf-8", "replace")) or parse_qs(query)
    return params.get("Action", ["?"])[0]


# ----------------------------------------------------------------- bodies


def cbor(value: Any) -> bytes:
    """A minimal CBOR encoder (text, int, bool, None, list, dict): enough for RPCv2 bodies."""
    def head(major: int, n: int) -> bytes:
        if n < 24:
            return bytes([major << 5 | n])
        for extra, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
            if n < 1 << (8 * struct.calcsize(fmt)):
                return bytes([major << 5 | extra]) + struct.pack(fmt, n)
        raise ValueError(n)

    if value is None:
        return b"\xf6"
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, str):
        data = value.encode()
        return head(3, len(data)) + data
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(type(value))


def error_response(service: str, code: str, status: int, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) shaped like the real service's error."""
    if service == "ec2":
        body = (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
                f"<RequestID>r-1</RequestID></Response>")
        return status, [("Content-Type", "text/xml")], body.encode()
    if service in XML_SERVICES:
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
                f"</Error><RequestId>r-1</RequestId></ErrorResponse>")
        return status, [("Content-Type", "text/xml")], body.encode()
    if service == "lambda":
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
        return status, headers, json.dumps({"Type": "User", "Message": message}).encode()
    if service == CBOR:
        headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
        return status, headers, cbor({"__type": code, "message": message})
    return status, [("Content-Type", "application/x-amz-json-1.1")], json.dumps(
        {"__type": code, "message": message}).encode()


def canned_error(service: str, kind: str, operation: str, message: str | None) -> tuple[int, list, bytes]:
    if kind == "deny":
        code = {"ec2": "UnauthorizedOperation", "sts": "AccessDenied"}.get(service, "AccessDeniedException")
        text = message if message is not None else f"You are not authorized to perform this operation: {operation}"
        return error_response(service, code, 400 if service not in XML_SERVICES | {"lambda"} else 403, text)
    if kind == "throttle":
        if service == "ec2":
            return error_response(service, "RequestLimitExceeded", 503, "Request limit exceeded.")
        if service == "lambda":
            return error_response(service, "TooManyRequestsException", 429, "Rate exceeded")
        return error_response(service, "ThrottlingException", 400, f"throttle: {operation}")
    code = "InternalError" if service in XML_SERVICES else "ServiceException" if service == "lambda" \
        else "InternalFailure"
    return error_response(service, code, 500, "We encountered an internal error. Please try again.")


def malformed_body(service: str, operation: str) -> tuple[list[tuple[str, str]], bytes]:
    if service in XML_SERVICES:
        return [("Content-Type", "text/xml")], f'<?xml version="1.0"?><{operation}Response><item><id>'.encode()
    if service == CBOR:
        return [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")], b"\xbf\x63abc\xff\x1c\x00"
    return [("Content-Type", "application/json")], b'{"Items": [{"Name": "trunc'


def strip_ns(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def rewrite_xml(body: bytes, kind: str, name: str | None) -> bytes:
    """EC2-style XML: the result list is a ``...Set`` child of the root holding ``item`` elements."""
    root = ET.fromstring(body)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    if kind == "repeat-token":
        for old in [c for c in root if strip_ns(c.tag) == "nextToken"]:
            root.remove(old)
        ET.SubElement(root, f"{ns}nextToken").text = REPEATED_TOKEN
    for result_set in [c for c in root if strip_ns(c.tag).endswith("Set")]:
        items = [c for c in result_set if strip_ns(c.tag) == "item"]
        for item in items:
            if kind == "duplicate":
                result_set.append(ET.fromstring(ET.tostring(item)))
            if kind == "drop-field":
                for child in [c for c in item if strip_ns(c.tag) == name]:
                    item.remove(child)
    return ET.tostring(root, xml_declaration=True, encoding="UTF-8")


def rewrite_json(body: bytes, kind: str, name: str | None, service: str) -> bytes:
    data = json.loads(body or b"{}")
    if kind == "repeat-token":
        data["NextMarker" if service == "lambda" else "NextToken"] = REPEATED_TOKEN
    for key, value in list(data.items()):
        if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
            if kind == "duplicate":
                data[key] = value + value
            if kind == "drop-field":
                data[key] = [{k: v for k, v in i.items() if k != name} for i in value]
    return json.dumps(data).encode()


# ----------------------------------------------------------------- the server


@dataclass
class FaultProxy:
    """The proxy's state: what it saw and what it will do (thread-safe)."""

    upstream: tuple[str, int]
    faults: list[Fault] = field(default_factory=list)
    seen: list[tuple[str, str, str]] = field(default_factory=list)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)  # set on stop: hung requests end
    hanging: threading.Event = field(default_factory=threading.Event)  # set when a request starts hanging
    in_flight: int = 0  # requests being answered now
    peak: int = 0  # the most answered at once since the last reset_peak()
    replay: dict[tuple[str, ...], tuple[int, list[tuple[str, str]], bytes]] | None = None  # None: off
    key_accounts: dict[str, str] = field(default_factory=dict)  # assumed access key id -> its account

    def enter(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def reset_peak(self) -> None:
        with self.lock:
            self.peak = self.in_flight

    def pick(self, service: str, region: str, operation: str) -> Fault | None:
        with self.lock:
            self.seen.append((service, region, operation))
            for fault in self.faults:
                if fault.matches(service, region, operation) and (fault.times is None or fault.hits < fault.times):
                    fault.hits += 1
                    return fault
        return None


UPSTREAM_ATTEMPTS = 4  # relay attempts to moto per request


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ProxyServer

    def log_message(self, *_: Any) -> None:  # no line per request on stderr
        pass

    def do_GET(self) -> None:
        self.server.state.enter()
        self.counted = True
        try:
            self.relay()
        finally:
            self.done()

    def done(self) -> None:
        """No longer in flight: called before the answer's last bytes leave, so the client cannot be faster."""
        if self.counted:
            self.counted = False
            self.server.state.leave()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

    def relay(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        scope = CREDENTIAL_SCOPE.search(self.headers.get("Authorization", ""))
        region, service = scope.groups() if scope else ("?", "?")
        operation = operation_of(self.command, parts.path, parts.query, self.headers, body)
        fault = state.pick(service, region, operation)
        if state.delay:
            time.sleep(state.delay)
        kind = fault.kind if fault else None
        dialect = CBOR if self.headers.get("smithy-protocol") == "rpc-v2-cbor" else service  # how bodies are written
        if kind == "hang":
            state.hanging.set()
            state.released.wait(HANG_LIMIT)
            return self.drop()
        if kind == "reset":
            return self.drop(reset=True)
        if kind in ("deny", "throttle", "error5xx"):
            return self.answer(*canned_error(dialect, kind, operation, fault.message))
        if kind == "malformed":
            return self.answer(200, *malformed_body(dialect, operation))
        if kind == "html":
            return self.answer(200, [("Content-Type", "text/html")], HTML_PAGE)
        if kind == "repeat-token" and dialect == CBOR:
            headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
            return self.answer(200, headers, cbor({"MetricDataResults": [], "NextToken": REPEATED_TOKEN,
                                                   "Messages": []}))
        if state.replay is not None and kind is None:
            return self.answer(*self.replayed(service, region, operation, body))
        status, headers, payload = self.forward(body)
        if kind in ("repeat-token", "drop-field", "duplicate") and status == 200:
            if service in XML_SERVICES:
                payload = rewrite_xml(payload, kind, fault.field)
            else:
                payload = rewrite_json(payload, kind, fault.field, service)
        if kind == "truncated":
            return self.answer(status, headers, payload, cut=True)
        return self.answer(status, headers, payload)

    def replayed(self, service: str, region: str, operation: str, body: bytes) -> tuple[int, list, bytes]:
        """moto's first answer to this request (asked now if there is none); AssumeRole always goes to moto."""
        state = self.server.state
        found = ACCESS_KEY.search(self.headers.get("Authorization", ""))
        key_id = found.group(1) if found else "?"
        with state.lock:
            key = (state.key_accounts.get(key_id, key_id), region, service, self.command, self.path,
                   body.decode("utf-8", "replace"))
            cached = None if operation == "AssumeRole" else state.replay.get(key)  # type: ignore[union-attr]
        if cached is not None:
            return cached
        answer = self.forward(body)
        status, _, payload = answer
        with state.lock:
            if status == 200 and operation == "AssumeRole":
                role_arn = parse_qs(body.decode()).get("RoleArn", [""])[0]
                assumed = ASSUMED_KEY.search(payload)
                if assumed and role_arn.count(":") >= 5:
                    state.key_accounts[assumed.group(1).decode()] = role_arn.split(":")[4]
            elif status == 200:
                state.replay[key] = answer  # type: ignore[index]
        return answer

    def forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """Relay to moto. moto's dev server can drop a connection when a 2-core machine is busy: that is the test
        harness failing, not AWS, so the relay tries again (faults the tests inject never reach this point)."""
        for attempt in range(UPSTREAM_ATTEMPTS):
            try:
                return self._forward_once(body)
            except (OSError, http.client.HTTPException):
                if attempt == UPSTREAM_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _forward_once(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        upstream = http.client.HTTPConnection(*self.server.state.upstream, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
            kept = [(k, v) for k, v in response.getheaders()
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "keep-alive", "date",
                                         "server")]
            return response.status, kept, payload
        finally:
            upstream.close()

    def answer(self, status: int, headers: list[tuple[str, str]], payload: bytes, cut: bool = False) -> None:
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if cut:
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            return self.drop()
        self.wfile.flush()
        self.done()
        self.wfile.write(payload)

    def drop(self, reset: bool = False) -> None:
        """Close the client's connection without (the rest of) an answer; RST instead of FIN when asked."""
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a scan opens dozens of connections at once; socketserver's default backlog is 5

    def __init__(self, state: FaultProxy) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:  # a dropped connection is the point
        pass


class Proxy:
    """Start/stop the proxy on a free loopback port; ``state`` holds its faults, delay and log."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.state = FaultProxy(upstream=upstream)
        self.server = ProxyServer(self.state)
        self.thread = threading.Thread(target=self.server.serve_forever, name="aws-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FaultProxy:
        self.thread.start()
        return self.state

    def stop(self) -> None:
        self.state.released.set()
        self.server.shutdown()
        self.server.server_close()
