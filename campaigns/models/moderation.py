"""What moderation keeps: body revisions, co-organizer invitations and reports."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.database import str_enum, utcnow
from campaigns.extensions import db
from campaigns.models.campaign import Campaign
from campaigns.models.user import User


class CampaignRevision(db.Model):
    """The summary and body as they stood after an edit to a published campaign."""

    __tablename__ = "campaign_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    summary: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text)

    editor: Mapped[User | None] = relationship()


class CampaignInvitation(db.Model):
    """An invitation to co-organize, sent by the owner to an email address."""

    __tablename__ = "campaign_invitation"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship()

    @property
    def is_pending(self) -> bool:
        """Neither accepted nor revoked yet."""
        return self.accepted_at is None and self.revoked_at is None


class ReportReason(enum.StrEnum):
    """Why someone reported a campaign."""

    SPAM = "spam"
    LIBELLOUS = "libellous"
    PRIVATE_PERSON = "private_person"
    HARASSMENT = "harassment"
    MISLEADING = "misleading"
    OTHER = "other"


class ReportResolution(enum.StrEnum):
    """What a moderator did with a report."""

    DISMISSED = "dismissed"
    HIDDEN = "hidden"


class CampaignReport(db.Model):
    """A report from anyone (signed in or not) that a campaign breaks the rules."""

    __tablename__ = "campaign_report"
    __table_args__ = (
        sa.Index("ix_campaign_report_resolved_at_created_at", "resolved_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[ReportReason] = mapped_column(str_enum(ReportReason))
    details: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    resolution: Mapped[ReportResolution | None] = mapped_column(str_enum(ReportResolution))

    campaign: Mapped[Campaign] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
