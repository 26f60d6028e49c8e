"""One webhook POST, sent to an address the SSRF guard checked, within a hard time limit.

urllib3's connection classes do the HTTP and TLS (certificate checked against the name
in the URL, sent as SNI), but the socket is opened to the checked IP address itself, so
a DNS answer that changes after the check (rebinding) is never used. No proxy from the
environment is used, no redirect is followed (a 3xx is a failed attempt) and the
response body is not kept, beyond a short excerpt when the receiver answers an error.
The request line carries the normalized path (targets.parse_target), the ASCII form that
is stored, so the receiver is asked for exactly the stored URL.
A watchdog closes the socket when the whole exchange outlasts the timeout, so a receiver
that trickles its answer a byte at a time cannot hold a worker.
"""

import contextlib
import logging
import socket
import threading
import time
from dataclasses import dataclass

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError

from campaigns.webhooks.targets import checked_addresses, parse_target

log = logging.getLogger(__name__)
EXCERPT_BYTES = 200
# A CA bundle to trust instead of the system's (tests point it at their own CA).
CA_CERTS: str | None = None


@dataclass(frozen=True)
class Answer:
    """What the receiver said: its status and, for an error, the start of its body."""

    status: int
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        """2xx: delivered."""
        return 200 <= self.status < 300


def _connection(target, address: str, timeout: float):
    """An unopened connection to address, speaking to target's host name."""
    if target.scheme == "http":
        return HTTPConnection(address, target.port, timeout=timeout)
    return HTTPSConnection(
        address, target.port, timeout=timeout, cert_reqs="CERT_REQUIRED", ca_certs=CA_CERTS,
        server_hostname=target.host, assert_hostname=target.host,
    )  # fmt: skip


class Watchdog:
    """Shuts a connection's socket down at the deadline, unblocking any read in progress."""

    def __init__(self, connection, seconds: float):
        """Arm the timer."""
        self.connection = connection
        self.fired = False
        self.timer = threading.Timer(max(0.0, seconds), self._cut)
        self.timer.daemon = True
        self.timer.start()

    def _cut(self) -> None:
        """Shut the socket down (the plain socket's shutdown, leaving TLS state alone)."""
        self.fired = True
        sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def check(self) -> None:
        """Raise if the deadline cut the exchange: what was read then is not an answer."""
        if self.fired:
            raise TimeoutError("timed out waiting for the receiver")

    def cancel(self) -> None:
        """Disarm the timer."""
        self.timer.cancel()


def _open(target, addresses: list[str], deadline: float):
    """A connection opened to the first checked address that accepts one."""
    error: Exception | None = None
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        connection = _connection(target, address, remaining)
        try:
            connection.connect()
            return connection
        except HTTPError as exc:
            connection.close()
            error = _unnamed(target, address, exc)
        except OSError as exc:
            connection.close()
            error = exc
    raise error or TimeoutError("timed out connecting")


def _unnamed(target, address: str, exc: HTTPError) -> OSError:
    """urllib3's connect error without the address in it (it may be an internal DNS answer).

    Its message names the IP it was connecting to; the delivery log shows messages to
    organizers, so the address goes to the server log and they get the host they typed.
    """
    log.info("webhook connection to %s (%s) failed: %s", target.host, address, exc)
    reason = str(exc.__cause__ or "no connection").replace(address, "[address]")
    return ConnectionError(f"could not connect to {target.host_header}: {reason}")


def post(url: str, body: bytes, headers: dict, *, timeout: float, allow_private: bool) -> Answer:
    """POST body to url; the receiver's answer, or an exception when none came.

    TargetRefused for a forbidden address; OSError, urllib3's HTTPError or a TLS error
    for a receiver that could not be reached or did not answer in time.
    """
    target = parse_target(url, allow_private=allow_private)
    addresses = checked_addresses(target, allow_private=allow_private)
    deadline = time.monotonic() + timeout
    connection = _open(target, addresses, deadline)
    watchdog = Watchdog(connection, deadline - time.monotonic())
    try:
        headers = {**headers, "Host": target.host_header, "Connection": "close"}
        connection.request("POST", target.path, body=body, headers=headers, preload_content=False)
        response = connection.getresponse()
        watchdog.check()
        excerpt = b""
        if not 200 <= response.status < 300:
            excerpt = response.read1(EXCERPT_BYTES)
        watchdog.check()
        return Answer(response.status, excerpt.decode("utf-8", "replace").strip())
    finally:
        watchdog.cancel()
        connection.close()
