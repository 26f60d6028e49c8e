"""Signatures: HMAC-SHA256 over "<timestamp>.<body>", verified as a receiver would."""

import hashlib
import hmac

import pytest

from campaigns.webhooks.signing import new_secret, signature_header, verify

SECRET = "whsec_abc"
BODY = b'{"event":"ping"}'
NOW = 1_700_000_000


def test_the_signature_is_the_documented_hmac():
    """v1= the hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the secret."""
    expected = hmac.new(b"whsec_abc", b'1700000000.{"event":"ping"}', hashlib.sha256).hexdigest()
    assert signature_header(SECRET, str(NOW), BODY) == f"v1={expected}"


def test_a_genuine_fresh_request_verifies():
    """Right secret, body and timestamp within five minutes: accepted."""
    header = signature_header(SECRET, str(NOW), BODY)
    assert verify(SECRET, str(NOW), BODY, header, now=NOW + 299)
    assert verify(SECRET, NOW, BODY, header, now=NOW - 299)
    assert verify(SECRET, str(NOW), BODY, "v1=deadbeef, " + header, now=NOW)  # any v1 matches


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "now"),
    [
        ("whsec_other", str(NOW), BODY, NOW),  # wrong secret
        (SECRET, str(NOW), BODY + b" ", NOW),  # body changed
        (SECRET, str(NOW + 1), BODY, NOW),  # timestamp changed
        (SECRET, str(NOW), BODY, NOW + 301),  # too old: a replay
        (SECRET, str(NOW), BODY, NOW - 301),  # from the future
    ],
)
def test_tampered_stale_or_foreign_requests_fail(secret, timestamp, body, now):
    """Anything but the genuine, fresh request is rejected."""
    header = signature_header(SECRET, str(NOW), BODY)
    assert not verify(secret, timestamp, body, header, now=now)


@pytest.mark.parametrize(
    ("timestamp", "header"),
    [(None, "v1=x"), ("", "v1=x"), ("12a", "v1=x"), ("-5", "v1=x"), ("١٢٣", "v1=x"),
     (str(NOW), None), (str(NOW), ""), (str(NOW), "v0=abc"), (str(NOW), "garbage")],
)  # fmt: skip
def test_malformed_headers_fail_quietly(timestamp, header):
    """Missing or junk headers are a plain False, never an exception."""
    assert not verify(SECRET, timestamp, BODY, header, now=NOW)


def test_secrets_are_long_random_and_labelled():
    """256 random bits with a whsec_ prefix; never the same twice."""
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_") and len(first) >= 48 and first != second
    assert len(first) <= 80  # the column's size
