"""Starting a campaign step by step, the rules each step enforces, preview and submission."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import CampaignRevision, CampaignStatus, Category, Role, utcnow
from tests.conftest import get_campaign


@pytest.fixture
def organizer(login_as, make_category):
    """A verified member, logged in, with one category to choose from."""
    make_category("Workplace")
    return login_as()


def start(client, app, title="Academy: expel Harvey Weinstein", **extra):
    """Post step 1 and return the new campaign's slug."""
    with app.app_context():
        cat = _db.session.scalar(select(Category.id))
    data = {"title": title, "category": cat, "country": "US", "next": "1", **extra}
    response = client.post("/campaigns/new", data=data)
    assert response.status_code == 302, response.text
    return response.headers["Location"].split("/")[2]


def fill(client, slug):
    """Complete every remaining step of a draft."""
    makers = {
        "makers-0-name": "Board of Governors", "makers-0-title": "",
        "makers-0-organization": "Academy of Motion Picture Arts and Sciences",
        "makers-1-name": "Dawn Hudson", "makers-1-title": "Chief Executive",
        "makers-1-organization": "Academy", "next": "1",
    }  # fmt: skip
    assert client.post(f"/campaigns/{slug}/edit/decision-makers", data=makers).status_code == 302
    story = {"summary": "Revoke his membership.", "body": "Dozens of women **spoke**.", "next": "1"}
    assert client.post(f"/campaigns/{slug}/edit/story", data=story).status_code == 302
    goal = {
        "goal": "100000", "milestones-0-threshold": "1000", "milestones-0-label": "First thousand",
        "milestones-1-threshold": "10000", "milestones-1-label": "Ten thousand", "next": "1",
    }  # fmt: skip
    response = client.post(f"/campaigns/{slug}/edit/goal", data=goal)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/campaigns/{slug}/preview"


def test_the_wizard_builds_a_draft_and_submits_it(app, client, organizer):
    """Each step saves; the preview shows the page; submitting sends it to review."""
    slug = start(client, app)
    assert slug == "academy-expel-harvey-weinstein"
    fill(client, slug)
    preview = client.get(f"/campaigns/{slug}/preview")
    assert preview.status_code == 200
    assert "Dawn Hudson" in preview.text and "<strong>spoke</strong>" in preview.text
    assert client.post(f"/campaigns/{slug}/submit").status_code == 302
    campaign = get_campaign(app, slug)
    assert campaign.status == CampaignStatus.PENDING_REVIEW
    assert [m.name for m in campaign.decision_makers] == ["Board of Governors", "Dawn Hudson"]
    assert [m.threshold for m in campaign.milestones] == [1000, 10000]
    assert campaign.goal == 100000 and campaign.submitted_at is not None
    assert "dawn hudson" in campaign.search_text
    assert "Waiting for review" in client.get(f"/campaigns/{slug}").text


def test_an_incomplete_draft_cannot_be_submitted(app, client, organizer):
    """Submission lists what is missing and changes nothing."""
    slug = start(client, app)
    response = client.post(f"/campaigns/{slug}/submit", follow_redirects=True)
    assert "Add at least one decision maker" in response.text
    assert get_campaign(app, slug).status == CampaignStatus.DRAFT


def test_slugs_are_unique_and_reserved_words_avoided(app, client, organizer):
    """Two campaigns with one title get different slugs; 'new' never becomes a slug."""
    assert start(client, app, title="Stop this now") == "stop-this-now"
    assert start(client, app, title="Stop this now") == "stop-this-now-2"
    assert start(client, app, title="New!!") == "new-campaign"
    assert start(client, app, title="हिंदी अभियान") == "campaign"


def test_unverified_members_cannot_start(client, login_as, make_category):
    """Starting needs a confirmed email address."""
    make_category()
    login_as(verified=False)
    assert client.get("/campaigns/new").status_code == 403


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        ("basics", {"title": "x" * 121, "country": "US"}, "120"),
        ("basics", {"title": "A good title", "country": "XX"}, "Choose a country"),
        ("decision-makers", {"makers-0-name": ""}, "Name at least one decision maker"),
        ("story", {"summary": "s" * 301, "body": "b"}, "300"),
        ("goal", {"goal": "0"}, "between 1 and"),
        ("goal", {"goal": "10", "milestones-0-threshold": "5", "milestones-0-label": "a",
                  "milestones-1-threshold": "3", "milestones-1-label": "b"}, "must increase"),
        ("goal", {"goal": "10", "milestones-0-threshold": "5", "milestones-0-label": ""},
         "label"),
        ("goal", {"goal": "10", "deadline": "2000-01-01"}, "in the future"),
    ],
)  # fmt: skip
def test_each_step_refuses_bad_input_with_a_message(app, client, organizer, step, data, message):
    """Invalid input re-renders the step with a 422 and the reason."""
    slug = start(client, app)
    if step == "basics":
        data = {**data, "category": get_campaign(app, slug).category_id}
    response = client.post(f"/campaigns/{slug}/edit/{step}", data={**data, "save": "1"})
    assert response.status_code == 422
    assert message in response.text, re.findall(r"<li>[^<]*</li>", response.text)


def test_deadline_at_most_a_year_out(app, client, organizer):
    """A deadline more than a year away is refused; within the year it is kept."""
    slug = start(client, app)
    far = (utcnow() + timedelta(days=400)).date().isoformat()
    near = (utcnow() + timedelta(days=30)).date()
    response = client.post(f"/campaigns/{slug}/edit/goal", data={"goal": "10", "deadline": far})
    assert response.status_code == 422 and "at most a year" in response.text
    data = {"goal": "10", "deadline": near.isoformat()}
    assert client.post(f"/campaigns/{slug}/edit/goal", data=data).status_code == 302
    assert get_campaign(app, slug).deadline.date() == near


def test_adding_rows_keeps_what_was_typed(app, client, organizer):
    """'Add another' shows one more row and keeps the values already entered."""
    slug = start(client, app)
    data = {"makers-0-name": "Dean Smith", "add": "1"}
    response = client.post(f"/campaigns/{slug}/edit/decision-makers", data=data)
    assert response.status_code == 200
    assert 'value="Dean Smith"' in response.text and "makers-1-name" in response.text


def test_open_campaigns_lock_title_and_decision_makers(app, client, login_as, make_campaign):
    """After opening, the title and decision makers stay as signers saw them."""
    owner = login_as()
    slug = make_campaign(owner=owner, title="Original title", signature_count=50)
    campaign = get_campaign(app, slug)
    data = {"title": "Changed", "category": campaign.category_id, "country": "GB"}
    response = client.post(f"/campaigns/{slug}/edit/basics", data=data)
    assert response.status_code == 302  # the locked title is ignored, the rest saved
    assert get_campaign(app, slug).title == "Original title"
    makers = {"makers-0-name": "Someone else"}
    client.post(f"/campaigns/{slug}/edit/decision-makers", data=makers)
    assert [m.name for m in get_campaign(app, slug).decision_makers] == ["Jo Decider"]


def test_open_campaign_goal_never_below_the_count(app, client, login_as, make_campaign):
    """The goal can rise; it cannot go below the signatures already counted."""
    owner = login_as()
    slug = make_campaign(owner=owner, goal=1000, signature_count=600)
    response = client.post(f"/campaigns/{slug}/edit/goal", data={"goal": "500"})
    assert response.status_code == 422 and "600" in response.text
    assert client.post(f"/campaigns/{slug}/edit/goal", data={"goal": "5000"}).status_code == 302
    assert get_campaign(app, slug).goal == 5000


def test_a_goal_raised_past_the_count_can_be_reached_again(app, client, login_as, make_campaign):
    """Raising a reached goal clears its stamp, so the new goal is stamped and announced."""
    from campaigns.models import utcnow

    owner = login_as()
    slug = make_campaign(owner=owner, goal=500, signature_count=600, goal_reached_at=utcnow())
    assert client.post(f"/campaigns/{slug}/edit/goal", data={"goal": "600"}).status_code == 302
    assert get_campaign(app, slug).goal_reached_at is not None  # 600 is reached already
    assert client.post(f"/campaigns/{slug}/edit/goal", data={"goal": "5000"}).status_code == 302
    assert get_campaign(app, slug).goal_reached_at is None


def test_body_edits_after_opening_are_kept_as_revisions(app, client, login_as, make_campaign):
    """Every change to an open campaign's text is stored for moderators."""
    owner = login_as()
    slug = make_campaign(owner=owner)
    data = {"summary": "New summary", "body": "New body text"}
    assert client.post(f"/campaigns/{slug}/edit/story", data=data).status_code == 302
    assert client.post(f"/campaigns/{slug}/edit/story", data=data).status_code == 302
    with app.app_context():
        revisions = _db.session.scalars(select(CampaignRevision)).all()
        assert [(r.summary, r.body, r.editor_id) for r in revisions] == [
            ("New summary", "New body text", owner.id)
        ]


@pytest.mark.parametrize(
    "status", [CampaignStatus.PENDING_REVIEW, CampaignStatus.CLOSED, CampaignStatus.REJECTED]
)
def test_campaigns_in_review_or_finished_are_not_editable(
    app, client, login_as, make_campaign, status
):
    """The editor refuses campaigns that are not drafts or open."""
    owner = login_as()
    slug = make_campaign(owner=owner, status=status)
    response = client.post(f"/campaigns/{slug}/edit/story", data={"summary": "x", "body": "y"})
    assert response.status_code == 302
    assert get_campaign(app, slug).summary != "x"


def test_withdrawing_from_review_returns_to_draft(app, client, login_as, make_campaign):
    """An organizer can take a campaign back from review."""
    owner = login_as()
    slug = make_campaign(owner=owner, status=CampaignStatus.PENDING_REVIEW)
    assert client.post(f"/campaigns/{slug}/withdraw").status_code == 302
    assert get_campaign(app, slug).status == CampaignStatus.DRAFT
    assert client.post(f"/campaigns/{slug}/withdraw").status_code == 409


def test_unknown_step_is_404(app, client, login_as, make_campaign):
    """Only the four steps exist."""
    owner = login_as()
    slug = make_campaign(owner=owner, status=CampaignStatus.DRAFT)
    assert client.get(f"/campaigns/{slug}/edit/nonsense").status_code == 404
    for step in ("basics", "decision-makers", "story", "goal"):
        assert client.get(f"/campaigns/{slug}/edit/{step}").status_code == 200


def test_cover_upload_replace_and_remove(app, client, login_as, make_campaign):
    """A cover is stored re-encoded; replacing or removing it deletes the old file."""
    import io

    from PIL import Image

    from campaigns.petitions.covers import covers_folder

    def png():
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
        buffer.seek(0)
        return buffer

    owner = login_as()
    slug = make_campaign(owner=owner, status=CampaignStatus.DRAFT)
    data = {"summary": "S", "body": "B", "cover_alt": "A red square"}
    response = client.post(
        f"/campaigns/{slug}/edit/story", data={**data, "cover": (png(), "photo.png")}
    )
    assert response.status_code == 302
    first = get_campaign(app, slug).cover_image
    with app.app_context():
        folder = covers_folder()
    assert (folder / first).exists()
    client.post(f"/campaigns/{slug}/edit/story", data={**data, "cover": (png(), "again.png")})
    second = get_campaign(app, slug).cover_image
    assert second != first and not (folder / first).exists() and (folder / second).exists()
    bad = {**data, "cover": (io.BytesIO(b"<svg onload=alert(1)>"), "x.png")}
    response = client.post(f"/campaigns/{slug}/edit/story", data=bad)
    assert response.status_code == 422 and "JPEG, PNG or WebP" in response.text
    assert get_campaign(app, slug).cover_image == second
    client.post(f"/campaigns/{slug}/edit/story", data={**data, "remove_cover": "y"})
    assert get_campaign(app, slug).cover_image is None and not (folder / second).exists()


def test_review_fixes_against_500s_and_swaps(app, client, login_as, make_campaign, make_user):
    """Ten milestones reopen fine; huge ids are 404s; a claimed campaign cannot be taken back."""
    owner = login_as()
    slug = make_campaign(owner=owner, status=CampaignStatus.DRAFT)
    data = {"goal": "1000"}
    for n in range(10):
        data[f"milestones-{n}-threshold"], data[f"milestones-{n}-label"] = str(n + 1), f"m{n}"
    assert client.post(f"/campaigns/{slug}/edit/goal", data=data).status_code == 302
    assert client.get(f"/campaigns/{slug}/edit/goal").status_code == 200
    huge = "99999999999999999999"
    assert client.post(f"/campaigns/{slug}/invitations/{huge}/revoke").status_code == 404
    basics = {"title": "A good title", "category": huge, "country": "GB"}
    assert client.post(f"/campaigns/{slug}/edit/basics", data=basics).status_code == 422
    claimed = make_campaign(
        owner=owner, status=CampaignStatus.PENDING_REVIEW,
        claimed_by_id=make_user(role=Role.MODERATOR).id, claimed_at=utcnow(),
    )  # fmt: skip
    assert client.post(f"/campaigns/{claimed}/withdraw").status_code == 409
    assert client.get("/campaigns?_external=1&_anchor=x&page=1").status_code == 200


def test_new_milestones_on_open_campaigns_lie_ahead(app, client, login_as, make_campaign):
    """A milestone below the count would never be reached; it is refused."""
    owner = login_as()
    slug = make_campaign(owner=owner, signature_count=500)
    data = {"goal": "1000", "milestones-0-threshold": "100", "milestones-0-label": "Old news"}
    response = client.post(f"/campaigns/{slug}/edit/goal", data=data)
    assert response.status_code == 422 and "above the 500" in response.text


def test_a_slug_taken_between_check_and_insert_gets_a_suffix(
    app, client, organizer, make_campaign, monkeypatch
):
    """Two organizers racing for one title both get a campaign."""
    from campaigns.petitions import services

    make_campaign(slug="race")
    monkeypatch.setattr(services, "unique_slug", lambda title: "race")
    slug = start(client, app, title="Race to the top")
    assert slug.startswith("race-") and len(slug) == len("race-") + 6
