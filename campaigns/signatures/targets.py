"""The campaign as signing sees it, kept per process for guests' sign requests.

A viral campaign's sign requests all read the same campaign row. For guests, each process
keeps the few fields signing needs for COUNT_CACHE_SECONDS (at most the aggregation
interval), sparing a query per signature. A campaign closed or hidden in that window may
take a guest signature for a second longer; it stays pending, because confirming checks
the campaign's state in the database. Members always read the row itself.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort

from campaigns.extensions import db
from campaigns.models import Campaign, CampaignStatus
from campaigns.models.campaign import PUBLISHED
from campaigns.signatures.process_cache import cached


@dataclass(frozen=True)
class SigningTarget:
    """What signing reads of a campaign; the same predicates as Campaign's."""

    id: int
    slug: str
    title: str
    status: CampaignStatus
    hidden_at: datetime | None
    country: str | None

    @property
    def is_hidden(self) -> bool:
        """Hidden pending review, or rejected as libellous or spam."""
        return self.hidden_at is not None

    @property
    def is_open(self) -> bool:
        """Only open campaigns that are not hidden take signatures."""
        return self.status == CampaignStatus.OPEN and not self.is_hidden

    @property
    def is_published(self) -> bool:
        """Approved: open, closed or won."""
        return self.status in PUBLISHED


def _load(slug: str) -> SigningTarget | None:
    """The campaign's signing fields, or None when the public may not see it."""
    row = db.session.execute(
        sa.select(
            Campaign.id, Campaign.slug, Campaign.title, Campaign.status,
            Campaign.hidden_at, Campaign.country,
        ).where(Campaign.slug == slug)
    ).first()  # fmt: skip
    target = SigningTarget(*row) if row is not None else None
    if target is None or target.is_hidden or not target.is_published:
        return None
    return target


def guest_target(slug: str) -> SigningTarget:
    """The campaign for a guest's sign request, from this process's cache while fresh; 404s."""
    target = cached("signing_targets", slug, _load)
    if target is None:
        abort(404)
    return target
