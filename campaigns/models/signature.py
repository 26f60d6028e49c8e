"""Signatures: one per campaign and canonical email."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.database import str_enum, utcnow
from campaigns.extensions import db


class Visibility(enum.StrEnum):
    """How much of a signer's name the public may see; count only is the safe default."""

    COUNT_ONLY = "count_only"
    INITIALS = "initials"
    FULL_NAME = "full_name"


class SignatureState(enum.StrEnum):
    """A signature's life: pending until the email link is used."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"
    INVALIDATED = "invalidated"


class SignatureSource(enum.StrEnum):
    """Where a signature came from."""

    WEB = "web"
    API = "api"
    IMPORT = "import"


class Signature(db.Model):
    """A supporter's signature on a campaign. Never stores the raw IP address."""

    __tablename__ = "signature"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "canonical_email"),
        sa.Index("ix_signature_campaign_id_state_created_at", "campaign_id", "state", "created_at"),
        sa.Index("ix_signature_campaign_id_email_domain", "campaign_id", "email_domain"),
        sa.Index("ix_signature_campaign_id_ip_hash", "campaign_id", "ip_hash"),
        # The trending job counts recent confirmations across all campaigns.
        sa.Index("ix_signature_state_confirmed_at", "state", "confirmed_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))
    canonical_email: Mapped[str] = mapped_column(sa.String(254), index=True)
    email_domain: Mapped[str] = mapped_column(sa.String(253))
    name: Mapped[str] = mapped_column(sa.String(120))
    country: Mapped[str] = mapped_column(sa.String(2))
    postcode: Mapped[str | None] = mapped_column(sa.String(20))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    visibility: Mapped[Visibility] = mapped_column(
        str_enum(Visibility), default=Visibility.COUNT_ONLY
    )
    consent_updates: Mapped[bool] = mapped_column(default=False)
    state: Mapped[SignatureState] = mapped_column(
        str_enum(SignatureState), default=SignatureState.PENDING
    )
    source: Mapped[SignatureSource] = mapped_column(
        str_enum(SignatureSource), default=SignatureSource.WEB
    )
    ip_hash: Mapped[str | None] = mapped_column(sa.String(64))
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    invalidated_at: Mapped[datetime | None]
    invalidation_reason: Mapped[str | None] = mapped_column(sa.String(200))
