"""The widget's form token: signed, time-limited, bound to one campaign, no cookie needed."""

import enum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

FORM_SALT = "groundswell.embed-form"


class TokenState(enum.Enum):
    """What a posted form token turned out to be."""

    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


def _serializer() -> URLSafeTimedSerializer:
    """A serializer keyed by SECRET_KEY, separated from every other token by its salt."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FORM_SALT)


def make_form_token(campaign_id: int) -> str:
    """The token a widget form carries in a hidden field."""
    return _serializer().dumps({"c": campaign_id})


def read_form_token(token: str, campaign_id: int) -> TokenState:
    """Whether the token was made for this campaign's form within EMBED_TOKEN_MAX_AGE."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["EMBED_TOKEN_MAX_AGE"])
    except SignatureExpired:
        return TokenState.EXPIRED
    except BadSignature:
        return TokenState.INVALID
    if not isinstance(data, dict) or data.get("c") != campaign_id:
        return TokenState.INVALID
    return TokenState.VALID
