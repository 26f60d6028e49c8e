"""Signing webhook bodies, and verifying them the way a receiver should.

Each request carries `Groundswell-Timestamp: <unix seconds>` and
`Groundswell-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the
endpoint's secret>`. The timestamp is inside the signed text, so a captured request
cannot be replayed later with a fresh timestamp; a receiver rejects timestamps further
than a few minutes from its clock. The header may one day list several comma-separated
signatures (v1=...,v1=...); a receiver accepts the request if any of them matches.
"""

import hashlib
import hmac
import secrets
import time

SCHEME = "v1"
SECRET_PREFIX = "whsec_"
# Five minutes either way: clock drift and a slow network, not a replay window.
DEFAULT_TOLERANCE = 300


def new_secret() -> str:
    """A fresh endpoint secret: 256 random bits, with a prefix that says what it is."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" keyed with secret."""
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: str, body: bytes) -> str:
    """The Groundswell-Signature header value."""
    return f"{SCHEME}={sign(secret, timestamp, body)}"


def verify(
    secret: str,
    timestamp: str | int | None,
    body: bytes,
    header: str | None,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
) -> bool:
    """Whether a received request is genuine and fresh: what a receiver should check.

    timestamp and header are the Groundswell-Timestamp and Groundswell-Signature headers
    as received, body the raw request body (before any JSON parsing), now the receiver's
    clock in unix seconds. The comparison takes constant time.
    """
    timestamp = str(timestamp or "").strip()
    if not timestamp.isascii() or not timestamp.isdigit() or not header:
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    for part in header.split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME and hmac.compare_digest(value.strip(), expected):
            return True
    return False
