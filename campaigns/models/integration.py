"""Organizer integrations: API keys, paper-signature imports and webhooks (issue 6)."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.database import str_enum, utcnow
from campaigns.extensions import db
from campaigns.models.campaign import Campaign
from campaigns.models.user import User


class ApiKey(db.Model):
    """An organizer's key for reading their own campaigns over the API.

    Only a SHA-256 of the key is kept (the key is random and long, so a slow hash adds
    nothing); the prefix lets the owner tell keys apart on the account page.
    """

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        """Whether the key still opens the API."""
        return self.revoked_at is None


class ImportState(enum.StrEnum):
    """A paper-signature import: checked and waiting, counted, or thrown away."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISCARDED = "discarded"


class SignatureImport(db.Model):
    """One uploaded CSV of signatures gathered on paper, with its per-row report.

    Its accepted rows wait as pending signatures (source "import", import_id set) and
    count only once an organizer confirms the import.
    """

    __tablename__ = "signature_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    state: Mapped[ImportState] = mapped_column(str_enum(ImportState), default=ImportState.PENDING)
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_accepted: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    # [{"line": 7, "name": "...", "status": "accepted" | "rejected", "reason": "..."}]
    report: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class WebhookEvent(enum.StrEnum):
    """What a webhook endpoint can subscribe to."""

    MILESTONE_REACHED = "milestone.reached"
    VICTORY_CONFIRMED = "victory.confirmed"
    UPDATE_PUBLISHED = "update.published"
    CAMPAIGN_CLOSED = "campaign.closed"


class WebhookEndpoint(db.Model):
    """An HTTPS address an organizer registered for a campaign's events."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(sa.String(2048))
    # The HMAC-SHA256 key; kept (not hashed) because every delivery is signed with it.
    secret: Mapped[str] = mapped_column(sa.String(80))
    # Space-separated WebhookEvent values.
    events: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def event_list(self) -> list[str]:
        """The subscribed events, as a list."""
        return self.events.split()


class DeliveryState(enum.StrEnum):
    """A webhook delivery: waiting (first try or a retry), done, or given up."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookDelivery(db.Model):
    """One event sent (or to be sent) to one endpoint: the delivery log's row."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.Index("ix_webhook_delivery_endpoint_id_created_at", "endpoint_id", "created_at"),
        sa.Index(
            "ix_webhook_delivery_due",
            "next_attempt_at",
            postgresql_where=sa.text("state = 'pending'"),
            sqlite_where=sa.text("state = 'pending'"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    endpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(sa.String(40))
    # Unique per event, so receivers can drop a retried duplicate.
    event_id: Mapped[str] = mapped_column(sa.String(36))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    state: Mapped[DeliveryState] = mapped_column(
        str_enum(DeliveryState), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship()
