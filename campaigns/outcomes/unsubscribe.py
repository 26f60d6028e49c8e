"""Unsubscribing a signer from update emails: signed links, and the change they make."""

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from campaigns.extensions import db
from campaigns.models import Campaign, OutboxEmail, OutboxState, Signature, SignatureState

UNSUBSCRIBE_SALT = "groundswell.unsubscribe"
# The outbox template of update emails (campaigns.outcomes.mailing.TEMPLATE).
UPDATE_TEMPLATE = "signer_update"
LIVE_STATES = (SignatureState.PENDING, SignatureState.CONFIRMED)


class Scope(enum.StrEnum):
    """What to stop: this campaign's updates, or every campaign's."""

    CAMPAIGN = "campaign"
    ALL = "all"


class Result(enum.StrEnum):
    """What an unsubscribe request found."""

    DONE = "done"
    ALREADY = "already"
    GONE = "gone"


@dataclass(frozen=True)
class Subscription:
    """The signature behind an unsubscribe link, as its page shows it."""

    signature_id: int
    campaign_title: str
    campaign_slug: str
    consent_updates: bool


def _serializer() -> URLSafeSerializer:
    """Keyed by SECRET_KEY, with a salt of its own: a withdraw token is no unsubscribe token."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def make_unsubscribe_token(signature_id: int) -> str:
    """The token in an unsubscribe link; it never expires, because stopping mail must work."""
    return _serializer().dumps({"sid": signature_id})


def read_unsubscribe_token(token: str) -> int | None:
    """The signature id in a valid token, or None when forged, malformed or misused."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    sid = data.get("sid") if isinstance(data, dict) else None
    return sid if isinstance(sid, int) and not isinstance(sid, bool) and sid > 0 else None


def subscription(signature_id: int) -> Subscription | None:
    """The signature and campaign an unsubscribe link names, or None if the signature is gone."""
    row = db.session.execute(
        sa.select(Signature.consent_updates, Signature.state, Campaign.title, Campaign.slug)
        .join(Campaign, Campaign.id == Signature.campaign_id)
        .where(Signature.id == signature_id)
    ).first()
    if row is None:
        return None
    # A withdrawn or invalidated signature gets no updates, whatever it once agreed to.
    receiving = row.consent_updates and row.state in LIVE_STATES
    return Subscription(signature_id, row.title, row.slug, receiving)


def _cancel_pending(emails: list[str], signature_id: int | None) -> None:
    """Cancel update emails not sent yet to these addresses (for one signature, or all)."""
    if not emails:
        return
    query = sa.update(OutboxEmail).where(
        OutboxEmail.recipient.in_(emails),  # indexed: no scan of a big fan-out
        OutboxEmail.template == UPDATE_TEMPLATE,
        OutboxEmail.state == OutboxState.PENDING,
    )
    if signature_id is not None:
        query = query.where(OutboxEmail.dedupe_key.like(f"update:%:{signature_id}"))
    db.session.execute(
        query.values(state=OutboxState.CANCELLED).execution_options(synchronize_session=False)
    )


def unsubscribe(signature_id: int, scope: Scope) -> Result:
    """Stop update emails for one signature, or for every signature with the same email.

    Emails already queued for them are cancelled; delivery checks consent again anyway.
    """
    signature = db.session.execute(
        sa.select(Signature.email, Signature.canonical_email, Signature.consent_updates).where(
            Signature.id == signature_id
        )
    ).first()
    if signature is None:
        return Result.GONE
    if scope == Scope.ALL and signature.canonical_email:
        matches = Signature.canonical_email == signature.canonical_email
    else:  # a withdrawn signature has no email left to match others by
        matches = Signature.id == signature_id
    changed = (
        db.session.execute(
            sa.update(Signature)
            .where(matches, Signature.consent_updates.is_(True))
            .values(consent_updates=False)
            .returning(Signature.email)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    emails = {email for email in [*changed, signature.email] if email}
    _cancel_pending(sorted(emails), signature_id if scope == Scope.CAMPAIGN else None)
    return Result.DONE if changed else Result.ALREADY
