"""Events are queued in the transaction of the change, at each hook point, for subscribers only."""

import json
from datetime import timedelta

from sqlalchemy import select

from campaigns.extensions import db
from campaigns.jobs.tasks import TASKS
from campaigns.models import Campaign, CampaignStatus, Role, User, VictoryClaim, utcnow
from campaigns.outcomes import victories
from campaigns.webhooks.services import emit
from tests.conftest import login
from tests.outcomes.victory_helpers import EVIDENCE, SUMMARY, add_claim
from tests.signatures.test_counting import add_deltas, aggregate, campaign_id
from tests.webhooks.conftest import add_endpoint, deliveries

HOOK = "https://hooks.example.org/groundswell"
CAMPAIGN_KEYS = {"slug", "title", "url", "signature_count", "status"}


def events_of(app) -> list[tuple[str, dict]]:
    """(event, data) of every queued delivery, oldest first."""
    return [(row.event, row.payload["data"]) for row in deliveries(app)]


def test_milestones_and_the_goal_are_emitted_once(app, make_campaign):
    """The aggregator's stamp emits milestone.reached per threshold, exactly once."""
    slug = make_campaign(goal=5, milestones=[(2, "Two")])
    add_endpoint(app, slug, HOOK, events="milestone.reached")
    add_endpoint(app, slug, HOOK + "/updates", events="update.published")  # not subscribed
    cid = campaign_id(app, slug)
    add_deltas(app, (cid, 2))
    aggregate(app)
    assert events_of(app) == [
        ("milestone.reached", {"threshold": 2, "label": "Two", "goal": False})
    ]
    add_deltas(app, (cid, -1))
    aggregate(app)
    add_deltas(app, (cid, 4))
    aggregate(app)
    assert events_of(app)[1:] == [
        ("milestone.reached", {"threshold": 5, "label": "", "goal": True})
    ]
    payload = deliveries(app)[-1].payload
    assert payload["campaign"]["signature_count"] == 5  # the count that passed the goal
    assert set(payload) == {"id", "event", "created_at", "campaign", "data"}
    assert set(payload["campaign"]) == CAMPAIGN_KEYS


def test_a_published_update_is_emitted(app, client, make_campaign, make_user):
    """Posting an update emits update.published with its public fields and link."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    add_endpoint(app, slug, HOOK)
    login(client, owner.email)
    data = {"title": "Board meeting on Friday", "body": "Come along.", "kind": "news"}
    assert client.post(f"/campaigns/{slug}/updates/new", data=data).status_code == 302
    [(event, data)] = events_of(app)
    assert event == "update.published"
    update = data["update"]
    assert update["title"] == "Board meeting on Friday" and update["kind"] == "news"
    assert update["url"] == f"http://localhost/campaigns/{slug}/updates#update-{update['id']}"
    assert update["published_at"].endswith("Z")
    assert "deliver_webhooks" in app.extensions["groundswell_jobs"].submitted


def confirm(app, slug, owner, admin) -> None:
    """An admin confirms a claim through the service, committed."""
    claim_id = add_claim(app, slug, owner)
    with app.app_context():
        actor = db.session.get(User, admin.id)
        victories.confirm_victory(actor, db.session.get(VictoryClaim, claim_id))
        db.session.commit()


def test_a_confirmed_victory_emits_victory_update_and_closed(app, make_campaign, make_user):
    """Confirming a victory on an open campaign: victory.confirmed, the outcome update, closed."""
    owner, admin = make_user(), make_user(role=Role.ADMIN)
    slug = make_campaign(owner=owner)
    add_endpoint(app, slug, HOOK)
    confirm(app, slug, owner, admin)
    events = dict(events_of(app))
    assert list(events) == ["victory.confirmed", "update.published", "campaign.closed"]
    victory = events["victory.confirmed"]
    assert victory["summary"] == SUMMARY and victory["evidence_url"] == EVIDENCE
    assert victory["confirmed_at"].endswith("Z") and victory["signature_count"] == 0
    assert events["update.published"]["update"]["kind"] == "outcome"
    assert events["campaign.closed"]["reason"] == "victory"
    assert deliveries(app)[0].payload["campaign"]["status"] == "victory"


def test_a_victory_on_a_closed_campaign_does_not_close_it_again(app, make_campaign, make_user):
    """A campaign closed before its victory: no second campaign.closed."""
    owner, admin = make_user(), make_user(role=Role.ADMIN)
    earlier = utcnow() - timedelta(days=3)
    slug = make_campaign(owner=owner, status=CampaignStatus.CLOSED, closed_at=earlier)
    add_endpoint(app, slug, HOOK)
    confirm(app, slug, owner, admin)
    assert [event for event, _ in events_of(app)] == ["victory.confirmed", "update.published"]


def test_closing_by_hand_is_emitted(app, client, make_campaign, make_user):
    """The owner closing the campaign emits campaign.closed, reason "closed"."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    add_endpoint(app, slug, HOOK, events="campaign.closed")
    login(client, owner.email)
    assert client.post(f"/campaigns/{slug}/close").status_code == 302
    [(event, data)] = events_of(app)
    assert event == "campaign.closed" and data["reason"] == "closed"
    assert data["closed_at"].endswith("Z")
    assert deliveries(app)[0].payload["campaign"]["status"] == "closed"


def test_the_deadline_job_emits_closed(app, make_campaign):
    """close_expired closes a campaign past its deadline and emits campaign.closed."""
    slug = make_campaign(deadline=utcnow() - timedelta(minutes=1))
    other = make_campaign(deadline=utcnow() + timedelta(days=1))
    add_endpoint(app, slug, HOOK)
    add_endpoint(app, other, HOOK)
    with app.app_context():
        assert TASKS["close_expired"]() == [slug]
    assert events_of(app) == [("campaign.closed", events_of(app)[0][1])]
    assert events_of(app)[0][1]["reason"] == "deadline"


def test_disabled_and_unsubscribed_endpoints_get_no_rows(app, make_campaign):
    """Only enabled endpoints subscribed to the event get a delivery."""
    slug = make_campaign()
    add_endpoint(app, slug, HOOK, events="campaign.closed", disabled_at=utcnow())
    add_endpoint(app, slug, HOOK + "/2", events="update.published")
    wanted = add_endpoint(app, slug, HOOK + "/3", events="update.published campaign.closed")
    with app.app_context():
        cid = db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        event_id = emit(cid, "campaign.closed", {"reason": "closed"})
        db.session.commit()
    [row] = deliveries(app)
    assert row.endpoint_id == wanted and row.event_id == event_id


def test_a_rolled_back_change_sends_nothing(app, make_campaign):
    """The outbox row goes with its transaction: rolled back, nothing is queued or asked for."""
    slug = make_campaign()
    add_endpoint(app, slug, HOOK)
    with app.app_context():
        cid = db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        assert emit(cid, "campaign.closed", {"reason": "closed"}) is not None
        db.session.rollback()
    assert deliveries(app) == []
    assert "deliver_webhooks" not in app.extensions["groundswell_jobs"].submitted


def test_no_endpoint_means_no_work(app, make_campaign):
    """A campaign without endpoints: emit writes nothing and asks for no job."""
    slug = make_campaign()
    with app.app_context():
        cid = db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        assert emit(cid, "campaign.closed", {}) is None
        db.session.commit()
    assert deliveries(app) == []
    assert "deliver_webhooks" not in app.extensions["groundswell_jobs"].submitted


def test_payloads_carry_no_signer_data(app, client, make_campaign):
    """A signer's name and email never reach a payload, whatever the event."""
    slug = make_campaign(goal=1)
    add_endpoint(app, slug, HOOK)
    sign = {"name": "Priya Signer", "email": "priya@example.org", "country": "GB"}
    client.post(f"/campaigns/{slug}/sign", data=sign)
    add_deltas(app, (campaign_id(app, slug), 1))
    aggregate(app)
    text = json.dumps([row.payload for row in deliveries(app)])
    assert deliveries(app) and "priya" not in text.lower() and "Signer" not in text
