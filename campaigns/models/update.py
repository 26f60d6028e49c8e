"""Campaign updates: news, decision-maker responses, outcomes, milestones."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.database import str_enum, utcnow
from campaigns.extensions import db
from campaigns.models.user import User


class UpdateKind(enum.StrEnum):
    """What an update reports."""

    NEWS = "news"
    RESPONSE = "response"
    OUTCOME = "outcome"
    MILESTONE = "milestone"


class Update(db.Model):
    """A post on a campaign, optionally emailed to signers who consented."""

    __tablename__ = "update"
    __table_args__ = (
        sa.Index("ix_update_campaign_id_published_at", "campaign_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[UpdateKind] = mapped_column(str_enum(UpdateKind), default=UpdateKind.NEWS)
    title: Mapped[str] = mapped_column(sa.String(160))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    # Deleted updates leave the timeline and feeds; the row stays for the audit trail.
    deleted_at: Mapped[datetime | None]
    # When the organizer asked for it to be emailed to consenting signers (the weekly cap
    # counts these). The fan-out job then queues one outbox row per recipient in signature-id
    # order, committing email_cursor with each batch so a retried job resumes where it stopped.
    emailed_at: Mapped[datetime | None]
    email_cursor: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    email_queued_at: Mapped[datetime | None]
    email_recipients: Mapped[int] = mapped_column(default=0, server_default="0")

    author: Mapped[User | None] = relationship()

    @property
    def is_deleted(self) -> bool:
        """Whether an organizer or admin deleted it."""
        return self.deleted_at is not None

    @property
    def signers_emailed(self) -> bool:
        """Whether this update was (or is being) sent to consenting signers."""
        return self.emailed_at is not None
