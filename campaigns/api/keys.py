"""Organizer API keys: created and revoked on the account page, stored as SHA-256 only.

A key reads like ``gs_1a2b3c4d_<43 random characters>``. The part before the second
underscore (``gs_1a2b3c4d``) is kept as the prefix, so owners can tell keys apart; the whole
key is shown once, when it is created, and never stored.
"""

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from campaigns.core.services import RuleError, record_audit
from campaigns.extensions import db
from campaigns.models import ApiKey, Campaign, Role, User, campaign_organizer, utcnow

KEY_HEADER = "Authorization"
KEY_SCHEME = "Bearer"
KEY_PATTERN = re.compile(r"^gs_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$")
MAX_ACTIVE_KEYS = 10
NAME_MAX = 80
# last_used_at moves at most this often, so a busy integration costs no write per request.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def hash_key(raw_key: str) -> str:
    """The SHA-256 hex digest stored for a key (a random 256-bit key needs no slow hash)."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


def key_from_request(headers: Mapping[str, str]) -> str | None:
    """The raw key in an ``Authorization: Bearer <key>`` header, or None."""
    value = headers.get(KEY_HEADER) or ""
    scheme, _sep, token = value.strip().partition(" ")
    if scheme.lower() != KEY_SCHEME.lower():
        return None
    return token.strip() or None


def may_create_keys(user: User) -> bool:
    """Admins, and members who organize (own or co-organize) at least one campaign."""
    if user.has_role(Role.ADMIN):
        return True
    owns = sa.select(Campaign.id).where(Campaign.owner_id == user.id)
    co_organizes = sa.select(campaign_organizer.c.campaign_id).where(
        campaign_organizer.c.user_id == user.id
    )
    return bool(db.session.scalar(sa.select(sa.or_(sa.exists(owns), sa.exists(co_organizes)))))


def list_keys(user: User) -> list[ApiKey]:
    """The user's keys, active first, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiKey)
            .where(ApiKey.user_id == user.id)
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
        )
    )


def _active_count(user: User) -> int:
    """How many unrevoked keys the user holds."""
    return db.session.scalar(
        sa.select(sa.func.count(ApiKey.id)).where(
            ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None)
        )
    )


def create_key(user: User, *, name: str) -> tuple[ApiKey, str]:
    """Make a key for the user; the raw key is returned this once and never stored."""
    if not may_create_keys(user):
        raise RuleError(
            _("API keys are for campaign organizers. Start or co-organize a campaign first."),
            status=403,
        )
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise RuleError(_("Give the key a name of up to %(num)d characters.", num=NAME_MAX), "name")
    if _active_count(user) >= MAX_ACTIVE_KEYS:
        raise RuleError(
            _("You already have %(num)d active keys. Revoke one you no longer use first.",
              num=MAX_ACTIVE_KEYS),
            status=409,
        )  # fmt: skip
    prefix = "gs_" + secrets.token_hex(4)
    raw_key = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(user_id=user.id, name=name, prefix=prefix, key_hash=hash_key(raw_key))
    db.session.add(key)
    db.session.flush()
    record_audit(user, "api_key.created", key, name=name, prefix=prefix)
    return key, raw_key


def revoke_key(user: User, key_id: int) -> ApiKey:
    """Revoke one of the user's own keys; someone else's (or none) is a 404.

    Revoking a key that is already revoked changes nothing and is not audited twice.
    """
    key = db.session.get(ApiKey, key_id)
    if key is None or key.user_id != user.id:
        raise RuleError(_("There is no such key on your account."), status=404)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record_audit(user, "api_key.revoked", key, name=key.name, prefix=key.prefix)
    return key


def authenticate(raw_key: str | None) -> ApiKey | None:
    """The active key matching raw_key, its owner enabled; None for anything else.

    The lookup is by SHA-256 (an index probe that reveals nothing about stored keys), then
    confirmed with a constant-time comparison. last_used_at is stamped on the key when it
    is more than a minute old; the caller's request commits it with its one transaction.
    """
    if not raw_key or not KEY_PATTERN.match(raw_key):
        return None
    digest = hash_key(raw_key)
    key = db.session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == digest))
    if key is None or not hmac.compare_digest(key.key_hash, digest):
        return None
    if key.revoked_at is not None or not key.user.is_active:
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_GRANULARITY:
        key.last_used_at = now
    return key
