"""The merged timeline (updates, milestones, goal, responses), the updates page and the feed."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import Campaign, CampaignStatus, Update, UpdateKind, utcnow
from campaigns.outcomes import updates as services
from tests.conftest import count_statements, login
from tests.outcomes.update_helpers import campaign_id, post_update, updates_of

ATOM = "{http://www.w3.org/2005/Atom}"
DAY = timedelta(days=1)


def add_update(app, slug, title, when, **fields):
    """Insert a published update straight into the table."""
    with app.app_context():
        _db.session.add(Update(
            campaign_id=campaign_id(app, slug), title=title, body=title,
            body_html=f"<p>{title}</p>", published_at=when, created_at=when, **fields,
        ))  # fmt: skip
        _db.session.commit()


def set_history(app, slug, *, milestones=None, goal_reached_at=None, response=None):
    """Stamp reached milestones ({threshold: when}), the goal, and a decision maker's response."""
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        for milestone in campaign.milestones:
            milestone.reached_at = (milestones or {}).get(milestone.threshold)
        campaign.goal_reached_at = goal_reached_at
        if response is not None:
            maker = campaign.decision_makers[0]
            maker.responded_at, maker.response, maker.response_url = response
        _db.session.commit()


@pytest.fixture
def history(app, make_user, make_campaign):
    """A campaign with updates, two reached milestones, one not reached, and a response."""
    now = utcnow()
    owner = make_user(email="olivia@example.org", name="Olivia Organizer")
    slug = make_campaign(
        owner=owner, goal=600, title="USC: turn down the pledge",
        milestones=[(100, "First hundred"), (300, ""), (500, "Five hundred")],
    )  # fmt: skip
    add_update(app, slug, "We launched", now - 10 * DAY)
    add_update(app, slug, "Deleted news", now - 6 * DAY, deleted_at=now - 5 * DAY)
    add_update(app, slug, "USC said no to the money", now - DAY, kind=UpdateKind.OUTCOME)
    set_history(
        app, slug, milestones={100: now - 9 * DAY, 300: now - 4 * DAY},
        goal_reached_at=now - 2 * DAY,
        response=(now - 3 * DAY, "We are reviewing the pledge.\n\nMore soon.",
                  "https://example.edu/statement"),
    )  # fmt: skip
    return slug


def test_timeline_merges_everything_newest_first(app, client, history):
    """Updates, reached milestones, the goal and the response, in time order; nothing else."""
    page = client.get(f"/campaigns/{history}").text.split('id="updates-heading"')[1]
    order = [
        "USC said no to the money", "Goal of 600 signatures reached", "Response from Jo Decider",
        "300 signatures", "First hundred", "We launched",
    ]  # fmt: skip
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Deleted news" not in page and "Five hundred</h3>" not in page
    assert "<p>We are reviewing the pledge.</p>" in page and "https://example.edu/statement" in page
    assert "Goal reached" in page and "Milestone" in page and "Outcome" in page
    updates_page = client.get(f"/campaigns/{history}/updates").text
    assert [updates_page.index(text) for text in order] == sorted(
        updates_page.index(text) for text in order
    )
    assert '<link rel="alternate" type="application/atom+xml"' in updates_page


def test_a_milestone_at_the_goal_is_not_shown_twice(app, make_user, make_campaign):
    """When a milestone sits at the goal, reaching the goal shows once."""
    slug = make_campaign(goal=500, milestones=[(500, "Five hundred")])
    now = utcnow()
    set_history(app, slug, milestones={500: now}, goal_reached_at=now)
    with app.test_request_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        entries = services.timeline(campaign)
    assert [(e.kind, e.title) for e in entries] == [("milestone", "Five hundred")]


def test_feed_is_valid_atom_with_absolute_links(app, client, history):
    """The feed parses, names the organizer (never their email) and links each entry."""
    response = client.get(f"/campaigns/{history}/updates.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Olivia Organizer"
    assert "olivia@example.org" not in response.text
    assert feed.find(f"{ATOM}updated").text.endswith("+00:00")
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[0] == "USC said no to the money" and "We launched" in titles
    assert "First hundred" in titles and "Deleted news" not in titles
    base = f"http://localhost/campaigns/{history}/updates#"
    ids = set()
    for entry in entries:
        assert entry.find(f"{ATOM}link").get("href").startswith(base)
        assert entry.find(f"{ATOM}updated").text and entry.find(f"{ATOM}published").text
        ids.add(entry.find(f"{ATOM}id").text)
    assert len(ids) == len(entries) and all(i.startswith("tag:localhost,") for i in ids)
    outcome = entries[0].find(f"{ATOM}content")
    assert outcome.get("type") == "html" and outcome.text == "<p>USC said no to the money</p>"
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == f"http://localhost/campaigns/{history}/updates.atom"


def test_feed_survives_markup_and_control_characters(app, client, make_user, make_campaign):
    """Ampersands, tags and characters XML cannot hold do not break the feed."""
    owner = make_user(name="A & B <co>")
    slug = make_campaign(owner=owner, title="Fish & chips <now>")
    login(client, owner.email)
    assert (
        post_update(client, slug, title="Q&A \x0b<b>", body="5 < 6 & \x01 **yes**").status_code
        == 302
    )
    feed = ET.fromstring(client.get(f"/campaigns/{slug}/updates.atom").data)
    assert feed.find(f"{ATOM}title").text == "Updates: Fish & chips <now>"
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "A & B <co>"
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Q&A <b>"
    assert "<strong>yes</strong>" in entry.find(f"{ATOM}content").text


def test_feed_and_updates_page_follow_campaign_visibility(app, client, make_campaign, login_as):
    """Drafts and hidden campaigns have no public updates page or feed; staff still see them."""
    draft = make_campaign(status=CampaignStatus.DRAFT)
    hidden = make_campaign(hidden_at=utcnow())
    for slug in (draft, hidden):
        for path in ("/updates", "/updates.atom"):
            assert client.get(f"/campaigns/{slug}{path}").status_code == 404
    from campaigns.models import Role

    login_as(Role.MODERATOR)
    assert client.get(f"/campaigns/{hidden}/updates.atom").status_code == 200
    assert client.get(f"/campaigns/{hidden}/updates").status_code == 200


def test_updates_page_pages_by_update_and_places_events(app, history):
    """Each event goes on the page of the next older update; older than all: the last page."""
    with app.test_request_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == history))
        first, page = services.timeline_page(campaign, 1, per_page=1)
        second, _ = services.timeline_page(campaign, 2, per_page=1)
        beyond, _ = services.timeline_page(campaign, 3, per_page=1)
    assert page.pages == 2
    assert [e.title for e in first] == ["USC said no to the money"]
    assert [e.title for e in second] == [
        "Goal of 600 signatures reached", "Response from Jo Decider", "300 signatures",
        "First hundred", "We launched",
    ]  # fmt: skip
    assert beyond == []


def test_updates_page_paginates_and_clamps_page_numbers(app, client, make_campaign):
    """Fifty updates a page; odd page numbers never cause a server error."""
    slug = make_campaign()
    now = utcnow()
    for n in range(52):
        add_update(app, slug, f"Update number {n:02d}", now - n * timedelta(minutes=1))
    first = client.get(f"/campaigns/{slug}/updates").text
    assert "Update number 00" in first and "Update number 49" in first
    assert "Update number 50" not in first and 'rel="next"' in first
    second = client.get(f"/campaigns/{slug}/updates?page=2").text
    assert "Update number 51" in second and "Update number 00" not in second
    for page in ("0", "-3", "abc", "99999999999999999999999"):
        assert client.get(f"/campaigns/{slug}/updates?page={page}").status_code == 200


def test_campaign_page_cost_does_not_grow_with_updates(app, client, make_campaign):
    """The timeline adds one bounded update query, however many updates and events exist."""
    quiet = make_campaign(milestones=[(10, "Ten")])
    busy = make_campaign(milestones=[(10, "Ten")])
    now = utcnow()
    for n in range(60):
        add_update(app, busy, f"Busy {n}", now - n * timedelta(minutes=1))
    set_history(app, busy, milestones={10: now - DAY}, goal_reached_at=now - DAY,
                response=(now, "Yes", None))  # fmt: skip
    counts = []
    for slug in (quiet, busy):
        client.get(f"/campaigns/{slug}")
        with count_statements(app) as statements:
            assert client.get(f"/campaigns/{slug}").status_code == 200
        counts.append(len(statements))
        touching = [s for s in statements if 'FROM "update"' in s or "FROM update" in s]
        assert len(touching) == 1 and "LIMIT" in touching[0]
    assert counts[0] == counts[1]
    page = client.get(f"/campaigns/{busy}").text
    assert page.count('class="update"') == 50 and "Busy 0" in page and "Busy 59" not in page


def test_anchors_are_unique_on_the_campaign_page(app, client, history):
    """Every entry has its own anchor id, so links can point at it."""
    page = client.get(f"/campaigns/{history}").text
    rows = updates_of(app, history)
    anchors = [f'id="update-{rows[0].id}"', f'id="update-{rows[2].id}"', 'id="timeline-goal"']
    for anchor in anchors:
        assert page.count(anchor) == 1, anchor


def test_milestones_passed_at_once_show_the_highest_first(app, make_campaign):
    """One aggregation can pass several milestones; newest first means the highest on top."""
    slug = make_campaign(goal=1000, milestones=[(100, "A hundred"), (500, "Five hundred")])
    moment = utcnow() - DAY
    set_history(app, slug, milestones={100: moment, 500: moment}, goal_reached_at=moment)
    with app.test_request_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        titles = [entry.title for entry in services.timeline(campaign)]
    assert titles[:3] == ["Goal of 1,000 signatures reached", "Five hundred", "A hundred"]
