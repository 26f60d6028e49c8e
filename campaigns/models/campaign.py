"""Campaigns, their decision makers, organizers and milestones."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.database import str_enum, utcnow
from campaigns.extensions import db
from campaigns.models.category import Category
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
    PRIVATE_PERSON = "private_person"
    LIBELLOUS = "libellous"
    SPAM = "spam"

    @property
    def hides(self) -> bool:
        """Libellous and spam campaigns are hidden from everyone but staff."""
        return self in (RejectionReason.LIBELLOUS, RejectionReason.SPAM)


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
        sa.Index("ix_campaign_status_trending_count", "status", "trending_count"),
        sa.Index("ix_campaign_status_signature_count", "status", "signature_count"),
        sa.Index("ix_campaign_status_deadline", "status", "deadline"),
        sa.Index(
            "ix_campaign_search",
            sa.text("to_tsvector('simple', search_text)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        sa.CheckConstraint("signature_count >= 0", name="signature_count_nonnegative"),
        sa.CheckConstraint("goal > 0", name="goal_positive"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    # Casefolded title, summary, body and decision makers: what search matches against.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    category_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("category.id", ondelete="RESTRICT"), index=True
    )
    # ISO 3166 alpha-2 code; NULL means the campaign is global.
    country: Mapped[str | None] = mapped_column(sa.String(2), index=True)
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    goal: Mapped[int | None]
    deadline: Mapped[datetime | None]
    status: Mapped[CampaignStatus] = mapped_column(
        str_enum(CampaignStatus), default=CampaignStatus.DRAFT
    )
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # Confirmed signatures, kept by the count aggregator alone (signatures.counting).
    signature_count: Mapped[int] = mapped_column(default=0)
    count_updated_at: Mapped[datetime | None]
    goal_reached_at: Mapped[datetime | None]
    # Confirmed signatures in the last 24 hours, refreshed by the trending job.
    trending_count: Mapped[int] = mapped_column(default=0)
    cover_image: Mapped[str | None] = mapped_column(sa.String(64))
    cover_alt: Mapped[str | None] = mapped_column(sa.String(200))
    featured_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_note: Mapped[str | None] = mapped_column(sa.String(500))
    claimed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None]
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
    # The confirmed count when the victory was confirmed (what /victories shows).
    victory_signature_count: Mapped[int | None]
    # Keep the campaign's title out of email subjects and sender names (shared inboxes).
    discreet_email: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    category: Mapped["Category | None"] = relationship()
    co_organizers: Mapped[list[User]] = relationship(secondary=campaign_organizer)
    decision_makers: Mapped[list["DecisionMaker"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="DecisionMaker.position"
    )
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="Milestone.threshold"
    )

    @property
    def is_open(self) -> bool:
        """Only open campaigns that are not hidden take signatures."""
        return self.status == CampaignStatus.OPEN and self.hidden_at is None

    @property
    def is_published(self) -> bool:
        """Whether the campaign has been approved (open, closed or won)."""
        return self.status in PUBLISHED

    @property
    def is_hidden(self) -> bool:
        """Hidden pending review, or rejected as libellous or spam."""
        return self.hidden_at is not None

    def is_owner(self, user: User | None) -> bool:
        """Whether the user owns this campaign."""
        return _signed_in(user) and self.owner_id == user.id

    def is_organizer(self, user: User | None) -> bool:
        """Whether the user owns or co-organizes this campaign."""
        if not _signed_in(user):
            return False
        return self.owner_id == user.id or any(u.id == user.id for u in self.co_organizers)

    def can_view(self, user: User | None) -> bool:
        """Staff see everything; organizers see their own; the public sees published pages."""
        if _signed_in(user) and user.has_role(Role.MODERATOR):
            return True
        if self.is_hidden:
            return False
        return self.is_published or self.is_organizer(user)

    def can_edit(self, user: User | None) -> bool:
        """Organizers edit drafts fully and open campaigns in part (see petitions.services)."""
        return self.status in EDITABLE and self.is_organizer(user) and not self.is_hidden

    def can_run_tools(self, user: User | None) -> bool:
        """Organizers, and admins, use its organizer tools: dashboard, exports, imports, hooks.

        The same rule reads its signatures over the API with a key (the key's owner).
        """
        return self.is_organizer(user) or (_signed_in(user) and user.has_role(Role.ADMIN))

    def can_close(self, user: User | None) -> bool:
        """The owner or an admin closes an open campaign."""
        if self.status != CampaignStatus.OPEN:
            return False
        return self.is_owner(user) or (_signed_in(user) and user.has_role(Role.ADMIN))

    @property
    def next_milestone(self) -> int | None:
        """The smallest milestone or goal still ahead of the count."""
        ahead = [m.threshold for m in self.milestones if m.threshold > self.signature_count]
        if self.goal and self.goal > self.signature_count:
            ahead.append(self.goal)
        return min(ahead, default=None)

    @property
    def progress_percent(self) -> int:
        """The count as a whole percentage of the goal, capped at 100."""
        if not self.goal:
            return 0
        return min(100, self.signature_count * 100 // self.goal)

    def __repr__(self) -> str:
        return f"<Campaign {self.slug} {self.status}>"


PUBLISHED = frozenset({CampaignStatus.OPEN, CampaignStatus.CLOSED, CampaignStatus.VICTORY})
EDITABLE = frozenset({CampaignStatus.DRAFT, CampaignStatus.OPEN})


def _signed_in(user: User | None) -> bool:
    """Whether user is a real, signed-in account (not None or the anonymous user)."""
    return user is not None and bool(getattr(user, "is_authenticated", False))


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
    # A recorded response: when the decision maker responded, what they said or a link to it.
    response: Mapped[str | None] = mapped_column(sa.Text)
    response_url: Mapped[str | None] = mapped_column(sa.String(500))
    responded_at: Mapped[datetime | None]
    response_recorded_at: Mapped[datetime | None]
    response_recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    @property
    def has_responded(self) -> bool:
        """Whether a response from this decision maker was recorded."""
        return self.responded_at is not None

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
