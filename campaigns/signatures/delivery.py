"""The printable delivery document: what a campaign asks, how many signed, and who chose to show it.

Handed to the decision maker, so it carries names only as each signer chose to show them,
and never an email address. Streamed like the CSV export: a million signers never sit in memory.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from campaigns.core.services import RuleError, record_audit
from campaigns.extensions import db
from campaigns.models import Campaign, Signature, User, Visibility, utcnow
from campaigns.models.signature import shown_name
from campaigns.petitions.countries import country_name
from campaigns.signatures.counting import counted_in
from campaigns.signatures.export import CHUNK, may_export


@dataclass(frozen=True)
class DeliveryDocument:
    """Everything the page shows above the names, as plain values read before the commit."""

    campaign_id: int
    slug: str
    title: str
    language: str
    summary: str
    body_html: str
    decision_makers: tuple[tuple[str, str | None, str | None], ...]
    total: int
    named: int
    generated_at: datetime

    @property
    def unnamed(self) -> int:
        """Signers counted without their name on the page."""
        return self.total - self.named


def _shows_name() -> tuple:
    """Signers who chose initials or their full name, and left a name to show."""
    return (Signature.visibility != Visibility.COUNT_ONLY, Signature.name != "")


def start_document(actor: User, campaign: Campaign) -> DeliveryDocument:
    """Check the actor may make the document, count the signers and record it in the audit log."""
    if not may_export(actor, campaign):
        raise RuleError(
            _("Only the campaign's organizers can make its delivery document."), status=403
        )
    if not campaign.is_published:
        raise RuleError(_("A campaign has a delivery document once it is published."), status=409)
    named = sa.and_(*_shows_name())
    total, shown = db.session.execute(
        sa.select(sa.func.count(Signature.id), sa.func.count(Signature.id).filter(named)).where(
            *counted_in(campaign.id)
        )
    ).one()
    record_audit(
        actor, "signatures.delivery_document", campaign,
        campaign_id=campaign.id, rows=total, named=shown,
    )  # fmt: skip
    makers = tuple((m.name, m.title, m.organization) for m in campaign.decision_makers)
    return DeliveryDocument(
        campaign_id=campaign.id, slug=campaign.slug, title=campaign.title,
        language=campaign.language, summary=campaign.summary, body_html=campaign.body_html,
        decision_makers=makers, total=total, named=shown, generated_at=utcnow(),
    )  # fmt: skip


def signers(campaign_id: int) -> Iterator[tuple[str, str]]:
    """(name as shown, country name) of each counted signer who chose to be named, oldest first.

    Takes a plain id: it runs while the response streams, after the request committed.
    """
    rows = db.session.execute(
        sa.select(Signature.name, Signature.visibility, Signature.country)
        .where(*counted_in(campaign_id), *_shows_name())
        .order_by(Signature.confirmed_at, Signature.id)
        .execution_options(yield_per=CHUNK)
    )
    for chunk in rows.partitions():
        for name, visibility, country in chunk:
            yield shown_name(name, visibility), country_name(country)


def buffered(pieces: Iterator[str], size: int = 64 * 1024) -> Iterator[str]:
    """Join a template's many small pieces into chunks, so the server writes few, large ones."""
    parts, length = [], 0
    for piece in pieces:
        parts.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(parts)
            parts, length = [], 0
    if parts:
        yield "".join(parts)
