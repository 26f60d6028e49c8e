"""Password hashing (argon2id) and strength checks (length, common passwords)."""

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
# zxcvbn's cost grows with length; the first 72 characters decide strength well enough.
_STRENGTH_PREFIX = 72


@functools.cache
def _dummy_hash() -> str:
    """Verified against when no account matches, so a miss costs as much time as a hit."""
    return _hasher.hash("groundswell-timing-equaliser")


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash in roughly constant time."""
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def password_problems(password: str, *, hints: tuple[str, ...] = ()) -> list[str]:
    """Reasons a new password is unacceptable; empty when it is fine."""
    config = current_app.config
    if len(password) < config["PASSWORD_MIN_LENGTH"]:
        return [_("Use at least %(n)d characters.", n=config["PASSWORD_MIN_LENGTH"])]
    if len(password) > config["PASSWORD_MAX_LENGTH"]:
        return [_("Use at most %(n)d characters.", n=config["PASSWORD_MAX_LENGTH"])]
    result = zxcvbn(password[:_STRENGTH_PREFIX], user_inputs=[h for h in hints if h])
    if result["score"] < 2:
        return [_("This password is too common or too easy to guess. Try a longer phrase.")]
    return []
