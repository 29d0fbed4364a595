"""A ``ThreadedMotoServer`` on 127.0.0.1 behind the loopback fault/latency proxy of ``aws_proxy``.

moto cannot deny, throttle, hang or answer garbage; the proxy in front of it
can (see ``aws_proxy``). It also logs every (service, region, operation) that
reaches it, which proves what a scan run in a subprocess called. ``url`` is
the proxy (what a scan uses); ``moto_url`` is moto itself (for seeding, which
must not pay the latency or meet the faults).
"""

from __future__ import annotations

import logging
import socket

from aws_proxy import Fault, FaultProxy, Proxy
from moto.server import ThreadedMotoServer

__all__ = ["Fault", "FaultProxy", "MotoServer", "free_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MotoServer:
    """Start/stop a local moto server and the proxy in front of it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.proxy = Proxy(("127.0.0.1", self.port))
        self.layer: FaultProxy | None = None

    @property
    def url(self) -> str:
        return self.proxy.url

    @property
    def moto_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on stderr
        self.server.start()
        self.layer = self.proxy.start()
        return self.layer

    def stop(self) -> None:
        self.proxy.stop()
        self.server.stop()
