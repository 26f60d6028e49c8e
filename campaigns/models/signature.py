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
    EMBED = "embed"
    IMPORT = "import"


UPDATE_RECIPIENTS = "state = 'confirmed' AND consent_updates AND NOT suspect"
SUSPECT_WAITING = "suspect AND state IN ('pending', 'confirmed')"
# SQLite uses a partial index only when the query repeats its terms, and SQLAlchemy writes
# booleans there as "= 1" / "= 0": the same predicates, spelled as the queries spell them.
UPDATE_RECIPIENTS_SQLITE = "state = 'confirmed' AND consent_updates = 1 AND suspect = 0"
SUSPECT_WAITING_SQLITE = "suspect = 1 AND state IN ('pending', 'confirmed')"


class Signature(db.Model):
    """A supporter's signature on a campaign. Never stores the raw IP address.

    Only confirmed signatures that are not suspect count. Withdrawing erases the
    personal fields (email, canonical email, name, postcode, reason), which is why
    they may be empty; the unique constraint ignores the NULL canonical emails left.
    """

    __tablename__ = "signature"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "canonical_email"),
        sa.Index("ix_signature_campaign_id_state_created_at", "campaign_id", "state", "created_at"),
        sa.Index("ix_signature_campaign_id_email_domain", "campaign_id", "email_domain"),
        sa.Index("ix_signature_campaign_id_ip_hash", "campaign_id", "ip_hash"),
        # Moderators' last-hour view of a campaign's busiest addresses and domains.
        sa.Index("ix_signature_campaign_id_created_at", "campaign_id", "created_at"),
        # The trending job counts recent confirmations across all campaigns.
        sa.Index("ix_signature_state_confirmed_at", "state", "confirmed_at"),
        # The purge job finds old pending signatures.
        sa.Index("ix_signature_state_created_at", "state", "created_at"),
        # Partial, so that a guest's signature (no account, no report) adds no entry to them.
        sa.Index(
            "ix_signature_user_id",
            "user_id",
            postgresql_where=sa.text("user_id IS NOT NULL"),
            sqlite_where=sa.text("user_id IS NOT NULL"),
        ),
        # Recipients of a campaign's update emails, walked in id order by the fan-out job.
        # A pending guest signature matches no predicate, so signing writes no entry here.
        sa.Index(
            "ix_signature_update_recipients",
            "campaign_id",
            "id",
            postgresql_where=sa.text(UPDATE_RECIPIENTS),
            sqlite_where=sa.text(UPDATE_RECIPIENTS_SQLITE),
        ),
        # Suspect signatures waiting for a moderator, counted per campaign on the dashboards.
        sa.Index(
            "ix_signature_suspect_waiting",
            "campaign_id",
            postgresql_where=sa.text(SUSPECT_WAITING),
            sqlite_where=sa.text(SUSPECT_WAITING_SQLITE),
        ),
        # Paper signatures of one import, confirmed or discarded together.
        sa.Index(
            "ix_signature_import_id",
            "import_id",
            postgresql_where=sa.text("import_id IS NOT NULL"),
            sqlite_where=sa.text("import_id IS NOT NULL"),
        ),
        sa.Index(
            "ix_signature_reason_reported_at",
            "reason_reported_at",
            postgresql_where=sa.text("reason_reports > 0"),
            sqlite_where=sa.text("reason_reports > 0"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    # Set for paper signatures: the upload they came in, until which they wait uncounted.
    import_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("signature_import.id", ondelete="SET NULL")
    )
    # Set when a signed-in member signed; their account page lists these.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    canonical_email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    email_domain: Mapped[str | None] = mapped_column(sa.String(253))
    name: Mapped[str] = mapped_column(sa.String(120), default="")
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
    # Over a rate limit when signed: not counted and not emailed until a moderator releases it.
    suspect: Mapped[bool] = mapped_column(default=False)
    suspect_reason: Mapped[str | None] = mapped_column(sa.String(40))
    resend_count: Mapped[int] = mapped_column(default=0)
    ip_hash: Mapped[str | None] = mapped_column(sa.String(64))
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    invalidated_at: Mapped[datetime | None]
    invalidation_reason: Mapped[str | None] = mapped_column(sa.String(200))
    # Reports of the public reason, and a moderator's decision on them.
    reason_reports: Mapped[int] = mapped_column(default=0)
    reason_reported_at: Mapped[datetime | None]
    reason_reviewed_at: Mapped[datetime | None]
    reason_hidden_at: Mapped[datetime | None]

    @property
    def counts(self) -> bool:
        """Whether this signature is part of the campaign's count."""
        return self.state == SignatureState.CONFIRMED and not self.suspect

    @property
    def public_name(self) -> str | None:
        """The name as the signer chose to show it, or None for count only."""
        return shown_name(self.name, self.visibility)

    @property
    def public_reason(self) -> str | None:
        """The reason, unless a moderator hid it."""
        return None if self.reason_hidden_at is not None else self.reason


class SignatureDelta(db.Model):
    """A change to a campaign's count, waiting for the aggregator (DESIGN.md section 3.3).

    Confirming and withdrawing append rows here instead of updating the campaign row,
    so a viral campaign's signers never queue on one row lock.
    """

    __tablename__ = "signature_delta"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    delta: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def shown_name(name: str | None, visibility: Visibility) -> str | None:
    """A name as its signer chose to show it: in full, as initials, or None (count only).

    For rows read as plain columns (exports, the API); Signature.public_name uses it too.
    """
    if not name or visibility == Visibility.COUNT_ONLY:
        return None
    return name if visibility == Visibility.FULL_NAME else initials(name)


def initials(name: str) -> str:
    """ "Ana María López" -> "A. M. L."; what a signer who chose initials shows."""
    return " ".join(f"{part[0].upper()}." for part in name.split() if part)
