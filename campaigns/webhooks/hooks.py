"""The events, as the rest of the code raises them: one call at each place a change happens.

Each runs in the transaction of the change (see services.emit), so an event is sent
exactly when its change commits. Payloads carry campaign facts that are public anyway,
never a signer's name or email.
"""

import sqlalchemy as sa

from campaigns.core.urls import absolute_url
from campaigns.extensions import db
from campaigns.models import Campaign, Update, WebhookEvent
from campaigns.webhooks.services import emit, iso


def milestones_reached(campaign_id: int, passed: list[tuple[int, str]]) -> None:
    """One milestone.reached per threshold passed (the goal has an empty label)."""
    goal = db.session.scalar(sa.select(Campaign.goal).where(Campaign.id == campaign_id))
    for threshold, label in passed:
        data = {"threshold": threshold, "label": label, "goal": threshold == goal and not label}
        emit(campaign_id, WebhookEvent.MILESTONE_REACHED.value, data)


def update_published(campaign: Campaign, update: Update) -> None:
    """update.published, with the update's public fields and link."""
    link = absolute_url("updates.index", slug=campaign.slug) + f"#update-{update.id}"
    data = {
        "update": {
            "id": update.id, "title": update.title, "kind": update.kind.value, "url": link,
            "published_at": iso(update.published_at),
        }
    }  # fmt: skip
    emit(campaign.id, WebhookEvent.UPDATE_PUBLISHED.value, data)


def campaign_closed(campaign: Campaign, reason: str) -> None:
    """campaign.closed; reason is "closed" (by hand), "deadline" or "victory"."""
    data = {"reason": reason, "closed_at": iso(campaign.closed_at)}
    emit(campaign.id, WebhookEvent.CAMPAIGN_CLOSED.value, data)


def victory_confirmed(campaign: Campaign, update: Update, *, closed: bool) -> None:
    """victory.confirmed; the outcome update posted with it; campaign.closed if it was open.

    The outcome update is a published update like any other, so update.published
    subscribers get it too (data.update.kind is "outcome").
    """
    data = {
        "summary": campaign.victory_summary, "evidence_url": campaign.victory_evidence_url,
        "confirmed_at": iso(campaign.victory_confirmed_at),
        "signature_count": campaign.victory_signature_count,
    }  # fmt: skip
    emit(campaign.id, WebhookEvent.VICTORY_CONFIRMED.value, data)
    update_published(campaign, update)
    if closed:
        campaign_closed(campaign, "victory")
