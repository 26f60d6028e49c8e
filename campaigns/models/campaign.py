"""Campaigns, their decision makers, organizers and milestones."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.database import str_enum, utcnow
from campaigns.extensions import db
from campaigns.models.user import Role, User


class CampaignStatus(enum.StrEnum):
    """Where a campaign is in its lifecycle (DESIGN.md section 2)."""

    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    OPEN = "open"
    CLOSED = "closed"
    VICTORY = "victory"
    REJECTED = "rejected"


class RejectionReason(enum.StrEnum):
    """Why moderation turned a campaign down."""

    DUPLICATE = "duplicate"
    OFF_TOPIC = "off_topic"
    NO_DECISION_MAKER = "no_decision_maker"
    LIBELLOUS = "libellous"
    SPAM = "spam"


class Scope(enum.StrEnum):
    """How far a campaign reaches."""

    LOCAL = "local"
    NATIONAL = "national"
    INTERNATIONAL = "international"


campaign_organizer = sa.Table(
    "campaign_organizer",
    db.metadata,
    sa.Column("campaign_id", sa.ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Campaign(db.Model):
    """A petition addressed to one or more decision makers."""

    __tablename__ = "campaign"
    __table_args__ = (
        sa.Index("ix_campaign_status_published_at", "status", "published_at"),
        sa.CheckConstraint("signature_count >= 0", name="signature_count_nonnegative"),
        sa.CheckConstraint("goal > 0", name="goal_positive"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    summary: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    category: Mapped[str] = mapped_column(sa.String(40), index=True)
    country: Mapped[str | None] = mapped_column(sa.String(2), index=True)
    scope: Mapped[Scope] = mapped_column(str_enum(Scope), default=Scope.NATIONAL)
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    goal: Mapped[int]
    deadline: Mapped[datetime | None]
    status: Mapped[CampaignStatus] = mapped_column(
        str_enum(CampaignStatus), default=CampaignStatus.DRAFT
    )
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    signature_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    rejection_reason: Mapped[RejectionReason | None] = mapped_column(str_enum(RejectionReason))
    rejection_note: Mapped[str | None] = mapped_column(sa.Text)
    victory_declared_at: Mapped[datetime | None]
    victory_declared_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    victory_confirmed_at: Mapped[datetime | None]
    victory_confirmed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    victory_summary: Mapped[str | None] = mapped_column(sa.Text)
    victory_evidence_url: Mapped[str | None] = mapped_column(sa.String(500))

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    co_organizers: Mapped[list[User]] = relationship(secondary=campaign_organizer)
    decision_makers: Mapped[list["DecisionMaker"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="DecisionMaker.position"
    )
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="Milestone.threshold"
    )

    @property
    def is_open(self) -> bool:
        """Only open campaigns take signatures."""
        return self.status == CampaignStatus.OPEN

    def is_organizer(self, user: User | None) -> bool:
        """Whether the user owns or co-organizes this campaign."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return self.owner_id == user.id or any(u.id == user.id for u in self.co_organizers)

    def can_edit(self, user: User | None) -> bool:
        """Organizers edit their campaigns; moderators and admins may edit any."""
        if self.is_organizer(user):
            return True
        return bool(user and user.is_authenticated and user.has_role(Role.MODERATOR))

    def __repr__(self) -> str:
        return f"<Campaign {self.slug} {self.status}>"


class DecisionMaker(db.Model):
    """The person or body a campaign asks to act; may record a response."""

    __tablename__ = "decision_maker"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(160))
    title: Mapped[str | None] = mapped_column(sa.String(160))
    organization: Mapped[str | None] = mapped_column(sa.String(160))
    response: Mapped[str | None] = mapped_column(sa.Text)
    responded_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship(back_populates="decision_makers")


class Milestone(db.Model):
    """A signature threshold; reached_at is stamped exactly once by the aggregator."""

    __tablename__ = "milestone"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "threshold"),
        sa.CheckConstraint("threshold > 0", name="threshold_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    threshold: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(160))
    reached_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship(back_populates="milestones")
