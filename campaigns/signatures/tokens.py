"""Signed tokens for the links in signers' emails."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

CONFIRM_SALT = "groundswell.sign-confirm"
WITHDRAW_SALT = "groundswell.sign-withdraw"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    """A serializer keyed by SECRET_KEY and separated by purpose."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_confirm_token(signature_id: int) -> str:
    """The token in a confirmation link; it expires after SIGN_CONFIRM_MAX_AGE."""
    return _serializer(CONFIRM_SALT).dumps({"sid": signature_id})


def make_withdraw_token(signature_id: int) -> str:
    """The token in a withdraw link; it never expires, because withdrawing must always work."""
    return _serializer(WITHDRAW_SALT).dumps({"sid": signature_id})


def _load(salt: str, token: str, max_age: int | None) -> int | None:
    """The signature id in a token, or None when forged, malformed, expired or misused."""
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except BadSignature:
        return None
    sid = data.get("sid") if isinstance(data, dict) else None
    return sid if isinstance(sid, int) and not isinstance(sid, bool) and sid > 0 else None


def read_confirm_token(token: str) -> int | None:
    """The signature id of a valid, unexpired confirmation token."""
    return _load(CONFIRM_SALT, token, current_app.config["SIGN_CONFIRM_MAX_AGE"])


def read_withdraw_token(token: str) -> int | None:
    """The signature id of a valid withdraw token."""
    return _load(WITHDRAW_SALT, token, None)
