"""Signed, expiring tokens for email links."""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from campaigns.models import User

VERIFY_SALT = "groundswell.verify-email"
RESET_SALT = "groundswell.reset-password"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    """A serializer keyed by SECRET_KEY and separated by purpose."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a used reset link stops working."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_verify_token(user: User) -> str:
    """A link token confirming that this user owns this email address."""
    return _serializer(VERIFY_SALT).dumps({"uid": user.id, "email": user.email})


def _load(salt: str, token: str, max_age: int) -> dict | None:
    """A token's claims, or None if it is forged, malformed, expired or for another purpose."""
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def read_verify_token(token: str) -> dict | None:
    """The verification token's claims, or None."""
    return _load(VERIFY_SALT, token, current_app.config["VERIFY_TOKEN_MAX_AGE"])


def make_reset_token(user: User) -> str:
    """A single-use link token for setting a new password."""
    return _serializer(RESET_SALT).dumps({"uid": user.id, "fp": _password_fingerprint(user)})


def reset_token_matches(user: User, claims: dict) -> bool:
    """Whether the reset token still fits the user's current password."""
    return claims.get("fp") == _password_fingerprint(user)


def read_reset_token(token: str) -> dict | None:
    """The reset token's claims, or None."""
    return _load(RESET_SALT, token, current_app.config["RESET_TOKEN_MAX_AGE"])
