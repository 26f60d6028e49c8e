"""What the API reads: the site's own queries, paged for JSON, with the same visibility rules."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from campaigns.extensions import db
from campaigns.models import Campaign, Signature, SignatureSource, Update
from campaigns.models.signature import shown_name
from campaigns.outcomes import victory_queries
from campaigns.petitions import discovery
from campaigns.petitions.queries import campaign_for_viewer
from campaigns.signatures.counting import counted_in


def public_campaign(slug: str, *, full: bool = True) -> Campaign:
    """A campaign the public may see (published, not hidden), or 404.

    full loads what the campaign's own answer shows (makers, milestones, category) up front.
    """
    return campaign_for_viewer(slug, None, page=full)


def campaigns_page(*, page: int, per_page: int, **filters) -> Pagination:
    """One page of the public list, searched and filtered as on /campaigns."""
    return discovery.list_campaigns(page=page, per_page=per_page, **filters)


def updates_page(campaign: Campaign, *, page: int, per_page: int) -> Pagination:
    """One page of a campaign's published, undeleted updates, newest first."""
    query = (
        sa.select(Update)
        .where(
            Update.campaign_id == campaign.id,
            Update.published_at.is_not(None),
            Update.deleted_at.is_(None),
        )
        .order_by(Update.published_at.desc(), Update.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def victories_page(*, page: int, per_page: int) -> Pagination:
    """One page of confirmed victories the public may see, newest first."""
    query = victory_queries.victories_query().options(selectinload(Campaign.category))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


@dataclass(frozen=True)
class OrganizerSignature:
    """A confirmed signature as organizers read it: never the email or the raw name."""

    id: int
    public_name: str | None
    country: str
    postcode: str | None
    reason: str | None
    source: SignatureSource
    confirmed_at: datetime


def confirmed_signatures(
    campaign_id: int, *, after: tuple[datetime, int] | None, limit: int
) -> list[OrganizerSignature]:
    """Counted signatures in confirmation order, from just after the cursor.

    The same rows and fields as the organizers' CSV export (signatures.export): confirmed,
    not suspect; a reason a moderator hid is left out.
    """
    query = sa.select(
        Signature.id, Signature.name, Signature.visibility, Signature.country,
        Signature.postcode, Signature.reason, Signature.reason_hidden_at, Signature.source,
        Signature.confirmed_at,
    ).where(
        *counted_in(campaign_id),
        Signature.confirmed_at.is_not(None),  # always set on confirming; the cursor needs it
    )  # fmt: skip
    if after is not None:
        moment, last_id = after
        query = query.where(
            sa.or_(
                Signature.confirmed_at > moment,
                sa.and_(Signature.confirmed_at == moment, Signature.id > last_id),
            )
        )
    rows = db.session.execute(
        query.order_by(Signature.confirmed_at, Signature.id).limit(limit)
    ).all()
    return [
        OrganizerSignature(
            id=row.id,
            public_name=shown_name(row.name, row.visibility),
            country=row.country,
            postcode=row.postcode,
            reason=None if row.reason_hidden_at is not None else row.reason,
            source=row.source,
            confirmed_at=row.confirmed_at,
        )
        for row in rows
    ]
