"""Webhook verbs: organizers register, disable, enable, delete endpoints and rotate secrets;
emit() queues an event for a campaign's endpoints in the caller's transaction (an outbox).
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from campaigns.core.services import RuleError, record_audit
from campaigns.core.urls import absolute_url
from campaigns.extensions import db
from campaigns.jobs import enqueue_after_commit
from campaigns.models import (
    Campaign,
    DeliveryState,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    utcnow,
)
from campaigns.webhooks.signing import new_secret
from campaigns.webhooks.targets import TargetRefused, check_registration

PING = "ping"
EVENT_LABELS = {
    WebhookEvent.MILESTONE_REACHED: _l("A milestone or the goal is reached"),
    WebhookEvent.VICTORY_CONFIRMED: _l("A victory is confirmed"),
    WebhookEvent.UPDATE_PUBLISHED: _l("An update is published"),
    WebhookEvent.CAMPAIGN_CLOSED: _l("The campaign closes"),
}
DISABLED_ERROR = "endpoint disabled before delivery"


def may_manage(user: User | None, campaign: Campaign) -> bool:
    """The campaign's organizers manage its webhooks; admins may too."""
    return campaign.can_run_tools(user)


def endpoint_limit() -> int:
    """How many endpoints a campaign may have (WEBHOOK_MAX_ENDPOINTS)."""
    return current_app.config["WEBHOOK_MAX_ENDPOINTS"]


def _require_manager(actor: User, campaign: Campaign) -> None:
    """Refuse anyone but organizers and admins (403)."""
    if not may_manage(actor, campaign):
        raise RuleError(_("Only the campaign's organizers can manage its webhooks."), status=403)


def endpoints_of(campaign: Campaign) -> list[WebhookEndpoint]:
    """The campaign's endpoints, oldest first."""
    query = sa.select(WebhookEndpoint).where(WebhookEndpoint.campaign_id == campaign.id)
    return list(db.session.scalars(query.order_by(WebhookEndpoint.id)))


def endpoint_of(campaign: Campaign, endpoint_id: int) -> WebhookEndpoint | None:
    """The campaign's endpoint with this id (None when it is another campaign's)."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    return endpoint if endpoint is not None and endpoint.campaign_id == campaign.id else None


def _checked_events(events) -> str:
    """The chosen events as the column stores them; RuleError when none is valid."""
    chosen = [e.value for e in WebhookEvent if e.value in set(events or ())]
    if not chosen:
        raise RuleError(_("Choose at least one event."), field="events")
    return " ".join(chosen)


def register_endpoint(actor: User, campaign: Campaign, *, url: str, events) -> WebhookEndpoint:
    """Add an endpoint with a fresh secret, after the URL passes the SSRF guard."""
    _require_manager(actor, campaign)
    allow_private = current_app.config["WEBHOOK_ALLOW_PRIVATE"]
    try:
        url = check_registration(url, allow_private=allow_private)
    except TargetRefused as exc:
        raise RuleError(str(exc), field="url") from None
    chosen = _checked_events(events)
    # Lock the campaign row so two organizers adding at once cannot pass the limit together.
    db.session.execute(sa.select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
    existing = endpoints_of(campaign)
    limit = endpoint_limit()
    if len(existing) >= limit:
        message = _("A campaign can have at most %(n)d webhook endpoints.", n=limit)
        raise RuleError(message, field="url", status=409)
    if any(e.url == url for e in existing):
        raise RuleError(_("This address is registered already."), field="url", status=409)
    endpoint = WebhookEndpoint(
        campaign_id=campaign.id, created_by_id=actor.id, url=url, secret=new_secret(),
        events=chosen,
    )  # fmt: skip
    db.session.add(endpoint)
    db.session.flush()
    details = {"endpoint_id": endpoint.id, "url": url, "events": chosen}
    record_audit(actor, "webhook.created", campaign, **details)
    return endpoint


def disable_endpoint(actor: User, endpoint: WebhookEndpoint) -> None:
    """Stop sending to an endpoint; what waits for it is dropped (failed), not held back."""
    _require_manager(actor, endpoint.campaign)
    if endpoint.disabled_at is not None:
        return
    endpoint.disabled_at = utcnow()
    db.session.execute(
        sa.update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.state == DeliveryState.PENDING,
        )
        .values(state=DeliveryState.FAILED, last_error=DISABLED_ERROR)
        .execution_options(synchronize_session=False)
    )
    record_audit(actor, "webhook.disabled", endpoint.campaign, endpoint_id=endpoint.id)


def enable_endpoint(actor: User, endpoint: WebhookEndpoint) -> None:
    """Send to a disabled endpoint again, from the next event on."""
    _require_manager(actor, endpoint.campaign)
    if endpoint.disabled_at is None:
        return
    allow_private = current_app.config["WEBHOOK_ALLOW_PRIVATE"]
    try:  # the rules may have tightened since it was registered
        check_registration(endpoint.url, allow_private=allow_private)
    except TargetRefused as exc:
        raise RuleError(str(exc), status=409) from None
    endpoint.disabled_at = None
    record_audit(actor, "webhook.enabled", endpoint.campaign, endpoint_id=endpoint.id)


def delete_endpoint(actor: User, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint and its delivery log; the audit log keeps that it existed."""
    _require_manager(actor, endpoint.campaign)
    campaign = endpoint.campaign
    record_audit(actor, "webhook.deleted", campaign, endpoint_id=endpoint.id, url=endpoint.url)
    db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)


def rotate_secret(actor: User, endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new secret at once; the old one stops verifying from the next send."""
    _require_manager(actor, endpoint.campaign)
    endpoint.secret = new_secret()
    record_audit(actor, "webhook.secret_rotated", endpoint.campaign, endpoint_id=endpoint.id)
    return endpoint.secret


def send_test(actor: User, endpoint: WebhookEndpoint) -> str:
    """Queue a ping event to this one endpoint, whatever it subscribed to; its event id."""
    _require_manager(actor, endpoint.campaign)
    if endpoint.disabled_at is not None:
        raise RuleError(_("Enable the endpoint before sending it a test event."), status=409)
    data = {"message": "This is a test event from Groundswell."}
    event_id = emit(endpoint.campaign_id, PING, data, endpoint_id=endpoint.id)
    record_audit(actor, "webhook.test_sent", endpoint.campaign, endpoint_id=endpoint.id)
    return event_id


def iso(moment: datetime | None) -> str | None:
    """A moment as ISO 8601 in UTC with a Z, for payloads (None stays None)."""
    if moment is None:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _campaign_summary(campaign_id: int) -> dict:
    """The campaign part of every payload, read from the database as this transaction sees it."""
    row = db.session.execute(
        sa.select(Campaign.slug, Campaign.title, Campaign.signature_count, Campaign.status).where(
            Campaign.id == campaign_id
        )
    ).one()
    return {
        "slug": row.slug,
        "title": row.title,
        "url": absolute_url("petitions.show", slug=row.slug),
        "signature_count": row.signature_count,
        "status": str(row.status.value if hasattr(row.status, "value") else row.status),
    }


def emit(campaign_id: int, event: str, data: dict, *, endpoint_id: int | None = None) -> str | None:
    """Queue event for every enabled endpoint of the campaign subscribed to it.

    Rows go in with the caller's transaction, so an event exists exactly when the change
    that caused it commits; the delivery job is asked for after the commit. endpoint_id
    targets one endpoint whatever it subscribed to (test pings). Returns the event id, or
    None when no endpoint wants the event. data must hold no signer's personal data.
    """
    query = sa.select(WebhookEndpoint.id, WebhookEndpoint.events).where(
        WebhookEndpoint.campaign_id == campaign_id, WebhookEndpoint.disabled_at.is_(None)
    )
    if endpoint_id is not None:
        query = query.where(WebhookEndpoint.id == endpoint_id)
    rows = db.session.execute(query).all()
    targets = [r.id for r in rows if endpoint_id is not None or event in r.events.split()]
    if not targets:
        return None
    now, event_id = utcnow(), str(uuid.uuid4())
    payload = {
        "id": event_id, "event": event, "created_at": iso(now),
        "campaign": _campaign_summary(campaign_id), "data": data,
    }  # fmt: skip
    db.session.execute(
        sa.insert(WebhookDelivery),
        [
            {"endpoint_id": target, "event": event, "event_id": event_id, "payload": payload,
             "state": DeliveryState.PENDING, "attempts": 0, "next_attempt_at": now,
             "created_at": now}
            for target in targets
        ],
    )  # fmt: skip
    enqueue_after_commit("deliver_webhooks")
    return event_id
