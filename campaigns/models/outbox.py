"""Outgoing email, written in the same transaction as the change that causes it."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.database import str_enum, utcnow
from campaigns.extensions import db


class OutboxState(enum.StrEnum):
    """Delivery state of an outbox row."""

    PENDING = "pending"
    # Claimed by a worker that is handing it to the mail server right now. A row left here
    # by a worker that died is never sent again automatically (at most once): the reaper
    # marks it failed after OUTBOX_SENDING_TIMEOUT_SECONDS.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # Its subject went away before delivery (an update deleted, say); never sent.
    CANCELLED = "cancelled"


DUE = "state = 'pending' AND dedupe_key IS NULL"
BULK_DUE = "state = 'pending' AND dedupe_key IS NOT NULL"
SENDING = "state = 'sending'"
KEYED = "dedupe_key IS NOT NULL"


class OutboxEmail(db.Model):
    """One email to one recipient, rendered from a template at delivery time."""

    __tablename__ = "outbox_email"
    __table_args__ = (
        # Due rows are claimed in next_attempt_at order, transactional ones (confirmations,
        # password resets: no dedupe key) before bulk ones (update emails), so a 100,000-
        # recipient update never holds back a signer's confirmation. Partial, so each index
        # holds only what waits, however many sent rows the table keeps.
        sa.Index(
            "ix_outbox_email_due", "next_attempt_at",
            postgresql_where=sa.text(DUE), sqlite_where=sa.text(DUE),
        ),
        sa.Index(
            "ix_outbox_email_bulk_due", "next_attempt_at",
            postgresql_where=sa.text(BULK_DUE), sqlite_where=sa.text(BULK_DUE),
        ),
        # The few rows a worker is sending right now; the reaper looks for stale ones.
        sa.Index(
            "ix_outbox_email_sending", "claimed_at",
            postgresql_where=sa.text(SENDING), sqlite_where=sa.text(SENDING),
        ),
        # Only bulk rows have a key; a transactional email (the signing path) adds no entry.
        sa.Index(
            "uq_outbox_email_dedupe_key", "dedupe_key", unique=True,
            postgresql_where=sa.text(KEYED), sqlite_where=sa.text(KEYED),
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    recipient: Mapped[str] = mapped_column(sa.String(254), index=True)
    template: Mapped[str] = mapped_column(sa.String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    state: Mapped[OutboxState] = mapped_column(str_enum(OutboxState), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # Bulk emails name what they are ("update:<id>:<signature id>"): queueing the same one
    # twice is refused by the unique index, so a retried fan-out adds nothing.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120))
