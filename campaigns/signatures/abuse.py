"""Moderators' tools against floods: bulk invalidation and releasing suspect signatures."""

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from campaigns.core.services import record_audit
from campaigns.extensions import db
from campaigns.models import Campaign, Signature, SignatureState, User, utcnow
from campaigns.signatures.canonical import DOMAIN_ALIASES
from campaigns.signatures.counting import record_delta
from campaigns.signatures.notify import email_confirmation
from campaigns.signatures.services import SignError

NOTE_MAX = 200


@dataclass(frozen=True)
class Selection:
    """Which of a campaign's signatures a bulk action applies to; at least one filter."""

    domain: str | None = None
    ip_hash: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self, campaign: Campaign) -> list:
        """SQL conditions for this selection within the campaign."""
        if not (self.domain or self.ip_hash or self.since or self.until):
            raise SignError(_("Choose a domain, an address hash or a time window."))
        since, until = _utc(self.since), _utc(self.until)
        if since and until and since >= until:
            raise SignError(_("The start of the time window must come before its end."))
        found = [Signature.campaign_id == campaign.id]
        if self.domain:
            domain = self.domain.strip().lower()
            found.append(Signature.email_domain == DOMAIN_ALIASES.get(domain, domain))
        if self.ip_hash:
            found.append(Signature.ip_hash == self.ip_hash.strip().lower())
        if since:
            found.append(Signature.created_at >= since)
        if until:
            found.append(Signature.created_at < until)
        return found

    def describe(self) -> dict:
        """The selection as audit details."""
        return {
            "domain": self.domain,
            "ip_hash": self.ip_hash,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def _utc(moment: datetime | None) -> datetime | None:
    """A time without a zone is read as UTC, the zone every stored time is in."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def invalidate(actor: User, campaign: Campaign, selection: Selection, *, note: str = "") -> int:
    """Invalidate the selected pending and confirmed signatures; counted ones leave the count.

    Pending ones go first: a confirmation racing this call either lands before (and its
    row is then caught as confirmed, with its delta undone) or finds the row invalidated.
    """
    where = selection.conditions(campaign)
    note = (note or "").strip()[:NOTE_MAX] or None
    values = {"state": SignatureState.INVALIDATED, "invalidated_at": utcnow(),
              "invalidation_reason": note}  # fmt: skip
    pending = db.session.execute(
        sa.update(Signature)
        .where(*where, Signature.state == SignatureState.PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    confirmed = (
        db.session.execute(
            sa.update(Signature)
            .where(*where, Signature.state == SignatureState.CONFIRMED)
            .values(**values)
            .returning(Signature.suspect)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    counted = sum(1 for suspect in confirmed if not suspect)
    record_delta(campaign.id, -counted)
    total = pending + len(confirmed)
    record_audit(
        actor, "signatures.invalidated", campaign,
        invalidated=total, uncounted=counted, note=note, **selection.describe(),
    )  # fmt: skip
    return total


def release(actor: User, campaign: Campaign, selection: Selection) -> int:
    """Release suspect signatures: confirmed ones count, pending ones get their email."""
    rows = db.session.execute(
        sa.update(Signature)
        .where(
            *selection.conditions(campaign),
            Signature.suspect.is_(True),
            Signature.state.in_([SignatureState.PENDING, SignatureState.CONFIRMED]),
        )
        .values(suspect=False)
        .returning(Signature.id, Signature.state, Signature.email, Signature.name, Signature.locale)
        .execution_options(synchronize_session=False)
    ).all()
    counted = 0
    for row in rows:
        if row.state == SignatureState.CONFIRMED:
            counted += 1
        elif campaign.is_open:  # on a closed campaign the link could confirm nothing
            email_confirmation(campaign, row.id, row.email, row.name, row.locale)
    record_delta(campaign.id, counted)
    record_audit(
        actor, "signatures.released", campaign,
        released=len(rows), counted=counted, **selection.describe(),
    )  # fmt: skip
    return len(rows)
