"""Read-side lookups for the webhook pages and the dashboard panel."""

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from campaigns.extensions import db
from campaigns.models import Campaign, WebhookDelivery, WebhookEndpoint

PER_PAGE = 50


def latest_deliveries(campaign: Campaign, limit: int = 10) -> list[WebhookDelivery]:
    """The campaign's most recent deliveries, across its endpoints, newest first."""
    query = (
        sa.select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookEndpoint.campaign_id == campaign.id)
        .options(contains_eager(WebhookDelivery.endpoint))
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def deliveries_page(endpoint: WebhookEndpoint, page: int):
    """One page of an endpoint's delivery log, newest first."""
    query = (
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    )
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
