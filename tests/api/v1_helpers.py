"""Helpers for the /api/v1 tests: signatures and API keys written straight to the database."""

import secrets

from sqlalchemy import select

from campaigns.api.keys import hash_key
from campaigns.extensions import db
from campaigns.models import ApiKey, Campaign, Signature, SignatureState, Visibility, utcnow

BASE = "/api/v1"
_serial = iter(range(1, 1_000_000))


def add_signature(app, slug, **values) -> int:
    """One signature on a campaign (confirmed, full name shown unless told otherwise); its id."""
    n = next(_serial)
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        email = values.pop("email", f"signer{n}@example.org")
        row = {
            "name": f"Signer Number{n}", "country": "GB", "visibility": Visibility.FULL_NAME,
            "state": SignatureState.CONFIRMED, "email": email, "canonical_email": email,
            "email_domain": email.split("@")[1], **values,
        }  # fmt: skip
        if row["state"] == SignatureState.CONFIRMED:
            row.setdefault("confirmed_at", utcnow())
        signature = Signature(campaign_id=campaign.id, **row)
        db.session.add(signature)
        db.session.commit()
        return signature.id


def make_key(app, user, *, revoked=False) -> str:
    """An API key row for a user (SHA-256 stored); the raw key."""
    prefix = "gs_" + secrets.token_hex(4)
    raw = f"{prefix}_{secrets.token_urlsafe(32)}"
    with app.app_context():
        key = ApiKey(user_id=user.id, name="Test key", prefix=prefix, key_hash=hash_key(raw))
        key.revoked_at = utcnow() if revoked else None
        db.session.add(key)
        db.session.commit()
    return raw


def fresh_address() -> str:
    """A client address no other test uses: rate-limit buckets may outlive a test in Redis."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def bearer(raw: str) -> dict:
    """The Authorization header carrying a key."""
    return {"Authorization": f"Bearer {raw}"}


def assert_error(response, status: int, code: str) -> dict:
    """The response is the API's JSON error envelope with this status and code; its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status and error["code"] == code and error["message"]
    return error
