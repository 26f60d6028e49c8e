"""Victory claims: declared by organizers, decided by admins, kept as history."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.database import str_enum, utcnow
from campaigns.extensions import db
from campaigns.models.campaign import Campaign
from campaigns.models.user import User


class ClaimState(enum.StrEnum):
    """Where a victory claim stands."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    REVOKED = "revoked"


class VictoryClaim(db.Model):
    """One declaration of victory and what admins decided about it.

    The confirmed victory is also written onto the campaign (victory_* columns), which is
    what listings read; claims keep every declaration, decline and revocation.
    A claim an admin marks directly has no declaring organizer (direct=True).
    """

    __tablename__ = "victory_claim"
    __table_args__ = (
        # At most one claim per campaign waits for an admin.
        sa.Index(
            "uq_victory_claim_pending",
            "campaign_id",
            unique=True,
            postgresql_where=sa.text("state = 'pending'"),
            sqlite_where=sa.text("state = 'pending'"),
        ),
        sa.Index("ix_victory_claim_state_declared_at", "state", "declared_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[ClaimState] = mapped_column(str_enum(ClaimState), default=ClaimState.PENDING)
    direct: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[str] = mapped_column(sa.Text)
    evidence_url: Mapped[str] = mapped_column(sa.String(500))
    declared_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)

    campaign: Mapped[Campaign] = relationship()
    declared_by: Mapped[User | None] = relationship(foreign_keys=[declared_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def is_pending(self) -> bool:
        """Whether it still waits for an admin."""
        return self.state == ClaimState.PENDING
