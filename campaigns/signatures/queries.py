"""Read-side lookups for signatures. None of them returns a signer's email to a page."""

import contextlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import load_only

from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    Milestone,
    Signature,
    SignatureState,
    User,
)
from campaigns.models.campaign import PUBLISHED
from campaigns.signatures.canonical import canonical_email


@dataclass(frozen=True)
class PublicSigner:
    """What the public may see of a signature: never the email, the postcode or the raw name."""

    id: int
    public_name: str | None
    country: str
    reason: str | None
    signed_at: datetime


def recent_signers(campaign: Campaign, limit: int) -> list[PublicSigner]:
    """The latest counted signatures, newest first.

    Served by the (campaign_id, state, created_at) index read backwards. Visibility is
    applied to the rows read, not in the query, so count-only signers never make it scan
    further; the email and postcode are not even loaded.
    """
    signatures = db.session.scalars(
        sa.select(Signature)
        .options(
            load_only(
                Signature.id,
                Signature.name,
                Signature.visibility,
                Signature.country,
                Signature.reason,
                Signature.reason_hidden_at,
                Signature.created_at,
            )
        )
        .where(
            Signature.campaign_id == campaign.id,
            Signature.state == SignatureState.CONFIRMED,
            Signature.suspect.is_(False),
        )
        .order_by(Signature.created_at.desc())
        .limit(limit)
    )
    return [
        PublicSigner(s.id, s.public_name, s.country, s.public_reason, s.created_at)
        for s in signatures
    ]


@dataclass(frozen=True)
class MemberSignature:
    """One line of a member's signature list."""

    id: int
    state: SignatureState
    signed_at: datetime
    campaign_title: str
    campaign_slug: str | None


def owned_by(user: User):
    """The condition for a member's own signatures: by account, or by verified email.

    Signatures match by email only once the account proved it owns that address: anyone
    can register with someone else's address, and what a person signed is private.
    An address that cannot be canonicalized matches no signature by email.
    """
    owned = Signature.user_id == user.id
    if user.email_verified_at is not None:
        with contextlib.suppress(ValueError):
            owned = sa.or_(owned, Signature.canonical_email == canonical_email(user.email))
    return owned


def member_signatures(user: User) -> list[MemberSignature]:
    """A member's pending and confirmed signatures, by account or email, newest first."""
    owned = owned_by(user)
    rows = db.session.execute(
        sa.select(
            Signature.id,
            Signature.state,
            Signature.created_at,
            Campaign.title,
            Campaign.slug,
            Campaign.status,
            Campaign.hidden_at,
        )
        .join(Campaign, Campaign.id == Signature.campaign_id)
        .where(owned, Signature.state.in_([SignatureState.PENDING, SignatureState.CONFIRMED]))
        .order_by(Signature.created_at.desc(), Signature.id.desc())
    )
    return [
        MemberSignature(
            row.id,
            row.state,
            row.created_at,
            row.title,
            # Link only to pages the public may open.
            row.slug if row.status in PUBLISHED and row.hidden_at is None else None,
        )
        for row in rows
    ]


def count_row(slug: str) -> sa.Row | None:
    """Everything count.json shows, in one SELECT; None unless the campaign is public."""
    next_threshold = (
        sa.select(sa.func.min(Milestone.threshold))
        .where(
            Milestone.campaign_id == Campaign.id,
            Milestone.threshold > Campaign.signature_count,
        )
        .scalar_subquery()
    )
    return db.session.execute(
        sa.select(
            Campaign.slug,
            Campaign.signature_count,
            Campaign.goal,
            Campaign.status,
            Campaign.count_updated_at,
            Campaign.published_at,
            next_threshold.label("next_threshold"),
        ).where(
            Campaign.slug == slug,
            Campaign.status.in_(PUBLISHED),
            Campaign.hidden_at.is_(None),
        )
    ).first()


def campaign_of(signature_id: int) -> Campaign | None:
    """The campaign a signature belongs to, if both still exist."""
    return db.session.scalar(
        sa.select(Campaign)
        .join(Signature, Signature.campaign_id == Campaign.id)
        .where(Signature.id == signature_id)
    )
