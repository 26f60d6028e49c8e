"""The victory lifecycle: declare, queue, confirm or decline, mark directly, revoke."""

import pytest
from sqlalchemy import select

from campaigns.core.services import RuleError
from campaigns.extensions import db as _db
from campaigns.mail.messages import render_parts
from campaigns.models import (
    Campaign,
    CampaignStatus,
    ClaimState,
    OutboxEmail,
    Role,
    UpdateKind,
    User,
    VictoryClaim,
    utcnow,
)
from campaigns.outcomes import victories
from tests.conftest import login, outbox_rows
from tests.outcomes.victory_helpers import (
    EVIDENCE,
    SUMMARY,
    add_claim,
    audit_actions,
    audit_event,
    campaign_row,
    claims_of,
    declare,
    decline,
    jobs_submitted,
    mark,
    outcome_updates,
    revoke,
)

SIGN = {"name": "Sam Signer", "email": "sam@example.org", "country": "GB"}


@pytest.fixture
def team(make_user):
    """An owner (French-speaking), a co-organizer and an admin."""
    owner = make_user("owner@example.org")
    co = make_user("co@example.org")
    admin = make_user("admin@example.org", role=Role.ADMIN)
    return owner, co, admin


@pytest.fixture
def open_campaign(make_campaign, team):
    """An open campaign with 598 signatures, run by the team."""
    owner, co, _admin = team
    return make_campaign(
        owner=owner, co_organizers=[co], signature_count=598, title="USC: refuse the pledge"
    )


def test_declare_confirm_lifecycle(app, client, team, open_campaign):
    """Declared, queued, confirmed: a closed victory, an emailed outcome update, audit events."""
    _owner, co, admin = team
    slug = open_campaign
    login(client, co.email)
    response = declare(client, slug)
    assert response.status_code == 302
    [claim] = claims_of(app, slug)
    assert claim.state == ClaimState.PENDING and claim.declared_by_id == co.id
    assert campaign_row(app, slug).victory_declared_by_id == co.id
    page = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    assert "Victory claim waiting for review." in page
    assert "Declare victory</a>" not in page

    client.post("/logout")
    login(client, admin.email)
    queue = client.get("/admin/victories").get_data(as_text=True)
    assert SUMMARY in queue and EVIDENCE in queue and "598" in queue and co.display_name in queue
    assert client.post(f"/admin/victories/{claim.id}/confirm").status_code == 302

    campaign = campaign_row(app, slug)
    assert campaign.status == CampaignStatus.VICTORY
    assert campaign.closed_at is not None and campaign.victory_confirmed_by_id == admin.id
    assert campaign.victory_signature_count == 598
    assert (campaign.victory_summary, campaign.victory_evidence_url) == (SUMMARY, EVIDENCE)
    assert claims_of(app, slug)[0].state == ClaimState.CONFIRMED
    [update] = outcome_updates(app, slug)
    assert update.kind == UpdateKind.OUTCOME and update.author_id == admin.id
    assert update.title == "Victory: USC: refuse the pledge"
    assert update.emailed_at is not None and update.published_at is not None
    assert SUMMARY in update.body_html and f'href="{EVIDENCE}"' in update.body_html
    assert "send_update_emails" in jobs_submitted(app)
    assert sorted(r.recipient for r in outbox_rows(app, "victory_confirmed")) == [
        "co@example.org",
        "owner@example.org",
    ]
    assert audit_actions(app, slug) == ["victory.declared", "victory.confirmed"]
    assert client.post(f"/campaigns/{slug}/sign", data=SIGN).status_code == 409
    assert "Victory!" in client.get(f"/campaigns/{slug}").get_data(as_text=True)


def test_decline_shows_reason_and_allows_declaring_again(app, client, team, open_campaign):
    """A declined claim's reason reaches the organizers by email and on the page."""
    owner, _co, admin = team
    slug = open_campaign
    login(client, owner.email)
    declare(client, slug)
    [claim] = claims_of(app, slug)
    client.post("/logout")
    login(client, admin.email)
    assert decline(client, claim.id, "The article is about another school.").status_code == 302
    declined = claims_of(app, slug)[0]
    assert declined.state == ClaimState.DECLINED and declined.decided_by_id == admin.id
    assert declined.decline_reason == "The article is about another school."
    campaign = campaign_row(app, slug)
    assert campaign.status == CampaignStatus.OPEN and campaign.victory_declared_at is None
    emails = outbox_rows(app, "victory_declined")
    assert len(emails) == 2
    assert emails[0].payload["reason"] == "The article is about another school."
    assert audit_actions(app, slug)[-1] == "victory.declined"

    client.post("/logout")
    login(client, owner.email)
    page = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    assert "Victory claim declined." in page and "The article is about another school." in page
    assert declare(client, slug, summary="They announced it on Monday.").status_code == 302
    page = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    assert "The article is about another school." not in page
    assert [c.state for c in claims_of(app, slug)] == [ClaimState.DECLINED, ClaimState.PENDING]


def test_decline_needs_a_reason(app, client, team, open_campaign):
    """No reason, no decline: 422 and the claim still waits."""
    owner, _co, admin = team
    claim_id = add_claim(app, open_campaign, owner)
    login(client, admin.email)
    response = decline(client, claim_id, "   ")
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    assert claims_of(app, open_campaign)[0].state == ClaimState.PENDING


def test_one_pending_claim_at_a_time(app, client, team, open_campaign):
    """A second declaration while one waits is refused, and so is an admin's direct mark."""
    owner, co, admin = team
    login(client, owner.email)
    assert declare(client, open_campaign).status_code == 302
    client.post("/logout")
    login(client, co.email)
    second = declare(client, open_campaign)
    assert second.status_code == 409
    assert "already waiting for review" in second.get_data(as_text=True)
    client.post("/logout")
    login(client, admin.email)
    marked = mark(client, open_campaign)
    assert marked.status_code == 409
    assert "confirm or decline it there" in marked.get_data(as_text=True)
    assert len(claims_of(app, open_campaign)) == 1
    assert campaign_row(app, open_campaign).status == CampaignStatus.OPEN


def test_the_database_refuses_a_second_pending_claim(app, db, team, open_campaign):
    """Two declarations racing past the check: the partial unique index turns one into 409."""
    owner, _co, _admin = team
    add_claim(app, open_campaign, owner)
    campaign = campaign_row(app, open_campaign)
    claim = VictoryClaim(
        campaign_id=campaign.id, summary=SUMMARY, evidence_url=EVIDENCE, declared_by_id=owner.id
    )
    with pytest.raises(RuleError) as refused:
        victories._add_pending(claim)
    assert refused.value.status == 409
    assert db.session.query(VictoryClaim).count() == 1


def test_direct_mark_confirms_without_a_claim(app, client, team, open_campaign):
    """An admin marks a victory directly: a direct confirmed claim, update, emails, audit."""
    _owner, _co, admin = team
    login(client, admin.email)
    assert client.get(f"/admin/campaigns/{open_campaign}/victory").status_code == 200
    assert mark(client, open_campaign).status_code == 302
    [claim] = claims_of(app, open_campaign)
    assert claim.direct and claim.state == ClaimState.CONFIRMED and claim.decided_by_id == admin.id
    campaign = campaign_row(app, open_campaign)
    assert campaign.status == CampaignStatus.VICTORY and campaign.victory_signature_count == 598
    assert campaign.victory_declared_at is None
    assert len(outcome_updates(app, open_campaign)) == 1
    assert len(outbox_rows(app, "victory_confirmed")) == 2
    assert "send_update_emails" in jobs_submitted(app)
    assert audit_actions(app, open_campaign) == ["victory.marked"]
    assert mark(client, open_campaign).status_code == 409  # already a victory


def test_revoke_closes_and_removes_from_victories(app, client, team, open_campaign):
    """A revoked victory: closed (not reopened), off /victories and the home count, audited."""
    owner, _co, admin = team
    login(client, admin.email)
    mark(client, open_campaign)
    assert "USC: refuse the pledge" in client.get("/victories").get_data(as_text=True)
    response = revoke(client, open_campaign, "The university reversed its decision.")
    assert response.status_code == 302
    campaign = campaign_row(app, open_campaign)
    assert campaign.status == CampaignStatus.CLOSED and campaign.closed_at is not None
    assert campaign.victory_confirmed_at is None and campaign.victory_confirmed_by_id is None
    assert campaign.victory_signature_count is None and campaign.victory_summary is None
    [claim] = claims_of(app, open_campaign)
    assert claim.state == ClaimState.REVOKED and claim.revoked_by_id == admin.id
    assert claim.revoke_reason == "The university reversed its decision."
    event = audit_event(app, "victory.revoked")
    assert event.details["summary"] == SUMMARY and event.details["claim_id"] == claim.id
    assert "USC: refuse the pledge" not in client.get("/victories").get_data(as_text=True)
    assert "<dd>0</dd>" in client.get("/").get_data(as_text=True)
    assert len(outcome_updates(app, open_campaign)) == 1  # history stays
    assert revoke(client, open_campaign).status_code == 409
    client.post("/logout")
    login(client, owner.email)
    page = client.get(f"/campaigns/{open_campaign}").get_data(as_text=True)
    assert "Victory revoked." in page and "The university reversed its decision." in page
    assert declare(client, open_campaign).status_code == 302  # closed campaigns may declare


def test_revoke_needs_a_reason(app, client, team, make_campaign):
    """An empty reason leaves the victory in place."""
    _owner, _co, admin = team
    slug = make_campaign(status=CampaignStatus.VICTORY, victory_confirmed_at=utcnow())
    login(client, admin.email)
    assert revoke(client, slug, "").status_code == 422
    assert campaign_row(app, slug).status == CampaignStatus.VICTORY


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"summary": ""}, "This field is required."),
        ({"summary": "x" * 2001}, "Field cannot be longer than 2000 characters."),
        ({"evidence_url": ""}, "This field is required."),
        ({"evidence_url": "javascript:alert(1)"}, "starting with http:// or https://"),
        ({"evidence_url": "ftp://example.org/file"}, "starting with http:// or https://"),
        ({"evidence_url": "not a link"}, "starting with http:// or https://"),
        ({"evidence_url": "https://"}, "starting with http:// or https://"),
        ({"evidence_url": "https://example.org/" + "a" * 490}, "Field cannot be longer than 500"),
    ],
)
def test_declare_validation(app, client, team, open_campaign, fields, message):
    """Bad summaries and links are refused with a message (422), and nothing is queued."""
    owner, _co, _admin = team
    login(client, owner.email)
    response = declare(client, open_campaign, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert claims_of(app, open_campaign) == []


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"status": CampaignStatus.DRAFT}, 409),
        ({"status": CampaignStatus.PENDING_REVIEW}, 409),
        ({"status": CampaignStatus.VICTORY}, 409),
        ({"status": CampaignStatus.OPEN, "hidden_at": utcnow()}, 404),
    ],
)
def test_declare_only_on_campaigns_that_ran(app, client, team, make_campaign, fields, code):
    """Drafts, campaigns in review and victories cannot be declared; hidden ones are not seen."""
    owner, _co, _admin = team
    slug = make_campaign(owner=owner, **fields)
    login(client, owner.email)
    assert declare(client, slug).status_code == code
    assert claims_of(app, slug) == []


def test_declare_on_a_closed_campaign(app, client, team, make_campaign):
    """A closed campaign may still win: the decision maker often acts after the deadline."""
    owner, _co, _admin = team
    slug = make_campaign(owner=owner, status=CampaignStatus.CLOSED)
    login(client, owner.email)
    assert client.get(f"/campaigns/{slug}/victory").status_code == 200
    assert declare(client, slug).status_code == 302


def test_confirm_twice_and_hidden_campaigns_are_refused(app, client, team, open_campaign):
    """A decided claim cannot be decided again; a hidden campaign cannot win."""
    owner, _co, admin = team
    claim_id = add_claim(app, open_campaign, owner)
    login(client, admin.email)
    assert client.post(f"/admin/victories/{claim_id}/confirm").status_code == 302
    again = client.post(f"/admin/victories/{claim_id}/confirm")
    assert again.status_code == 409 and "already decided" in again.get_data(as_text=True)
    assert decline(client, claim_id).status_code == 409
    assert len(outcome_updates(app, open_campaign)) == 1

    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == open_campaign))
        campaign.status, campaign.hidden_at = CampaignStatus.OPEN, utcnow()
        _db.session.commit()
    hidden_claim = add_claim(app, open_campaign, owner)
    refused = client.post(f"/admin/victories/{hidden_claim}/confirm")
    assert refused.status_code == 409
    assert claims_of(app, open_campaign)[-1].state == ClaimState.PENDING


def test_services_refuse_non_admins(app, db, team, open_campaign):
    """The services check the actor too, not only the routes; only organizers declare."""
    owner, co, admin = team
    claim_id = add_claim(app, open_campaign, owner)
    claim = db.session.get(VictoryClaim, claim_id)
    actor = db.session.merge(co)
    for call in (
        lambda: victories.confirm_victory(actor, claim),
        lambda: victories.decline_victory(actor, claim, reason="No."),
        lambda: victories.mark_victory(actor, claim.campaign, summary="S", evidence_url=EVIDENCE),
        lambda: victories.revoke_victory(actor, claim.campaign, reason="No."),
    ):
        with pytest.raises(RuleError) as refused:
            call()
        assert refused.value.status == 403
    with pytest.raises(RuleError) as refused:
        victories.declare_victory(
            db.session.merge(admin), claim.campaign, summary=SUMMARY, evidence_url=EVIDENCE
        )
    assert refused.value.status == 403


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_organizer_emails_render(app, client, make_user, make_campaign, locale):
    """The confirmed and declined emails render in the organizer's language, with the reason."""
    owner = make_user("lea@example.org")
    with app.app_context():
        _db.session.get(User, owner.id).locale = locale
        _db.session.commit()
    slug = make_campaign(owner=owner, title="Protect farmworker women")
    admin = make_user(role=Role.ADMIN)
    claim_id = add_claim(app, slug, owner)
    login(client, admin.email)
    decline(client, claim_id, "Link is broken.")
    mark(client, slug)
    with app.app_context():
        rows = _db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
        rendered = {row.template: render_parts(row) for row in rows}
    subject, text, html = rendered["victory_declined"]
    assert "Link is broken." in text and "Link is broken." in html
    assert "Protect farmworker women" in text
    subject, text, html = rendered["victory_confirmed"]
    assert SUMMARY in text and f"/campaigns/{slug}" in text and f"/campaigns/{slug}" in html
    if locale == "en":
        assert subject == "Your campaign's victory is confirmed"


def test_two_admins_deciding_at_once_confirm_only_once(app, team, open_campaign):
    """An admin acting on a queue page loaded before another's confirmation gets a 409.

    Each app context has its own session: the first loads the claim as pending, the
    second confirms and commits, then the first tries. The service rereads under the
    campaign's row lock, so the stale copy cannot confirm (or decline) a second time.
    """
    owner, _co, admin = team
    claim_id = add_claim(app, open_campaign, owner)
    with app.app_context():
        stale = _db.session.get(VictoryClaim, claim_id)
        first_admin = _db.session.get(User, admin.id)
        assert stale.is_pending and stale.campaign.status == CampaignStatus.OPEN
        with app.app_context():
            other = _db.session.get(VictoryClaim, claim_id)
            victories.confirm_victory(_db.session.get(User, admin.id), other)
            _db.session.commit()
            _db.session.remove()
        for late in (
            lambda: victories.confirm_victory(first_admin, stale),
            lambda: victories.decline_victory(first_admin, stale, reason="Too late."),
        ):
            with pytest.raises(RuleError) as refused:
                late()
            assert refused.value.status == 409
        _db.session.rollback()
    assert len(outcome_updates(app, open_campaign)) == 1
    assert claims_of(app, open_campaign)[0].state == ClaimState.CONFIRMED
