"""The audit log viewer: admins only, filtered by actor, action, campaign and days."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import AuditEvent, Campaign, Role
from tests.conftest import login

DAY1 = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
DAY2 = datetime(2025, 3, 2, 23, 59, 59, tzinfo=UTC)
DAY3 = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def add_event(app, actor, action, target_type, target_id, when, **details) -> None:
    """Record an audit event directly, at a given time."""
    with app.app_context():
        db.session.add(
            AuditEvent(
                actor_id=actor.id if actor else None,
                action=action,
                target_type=target_type,
                target_id=str(target_id),
                details=details,
                created_at=when,
            )
        )
        db.session.commit()


def campaign_id(app, slug) -> int:
    """The id of the campaign with this slug."""
    with app.app_context():
        return db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))


def shown(html: str) -> list[str]:
    """The notes of the events listed, in order (each test event carries a note)."""
    return re.findall(r"<dt>note</dt>\s*<dd>(\w+)</dd>", html)


@pytest.fixture
def log(app, client, login_as, make_user, make_campaign):
    """An admin logged in, and events by two moderators on two campaigns over three days."""
    admin = login_as(Role.ADMIN, name="Boss")
    alice = make_user("Alice.Mod@example.org", role=Role.MODERATOR)
    bob = make_user("bob@moderators.test", role=Role.MODERATOR)
    first, second = make_campaign(slug="first-campaign"), make_campaign(slug="second-campaign")
    one, two = campaign_id(app, first), campaign_id(app, second)
    add_event(app, alice, "campaign.hidden", "campaign", one, DAY1, note="a1")
    add_event(app, bob, "campaign.approved", "campaign", two, DAY2, note="b2")
    add_event(app, alice, "signature.reason_hidden", "signature", 77, DAY2, note="a3",
              campaign_id=one)  # fmt: skip
    add_event(app, bob, "update.posted", "update", 5, DAY3, note="b4", campaign_id=two)
    add_event(app, None, "campaign.count_repaired", "campaign", one, DAY3, note="s5")
    return {"admin": admin, "one": one, "two": two}


def test_unfiltered_log_newest_first(client, log):
    """Every event is listed, newest first, in a captioned table; system events say so."""
    response = client.get("/admin/audit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shown(html) == ["s5", "b4", "a3", "b2", "a1"]
    assert "<caption>5 events, newest first</caption>" in html
    assert "system" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "alice.mod@example.org"}, ["a3", "a1"]),
        ({"actor": "ALICE"}, ["a3", "a1"]),
        ({"actor": "moderators.test"}, ["b4", "b2"]),
        ({"actor": "nobody"}, []),
        ({"action": "campaign.approved"}, ["b2"]),
        ({"campaign": "first-campaign"}, ["s5", "a3", "a1"]),
        ({"campaign": "second-campaign"}, ["b4", "b2"]),
        ({"date_from": "2025-03-02"}, ["s5", "b4", "a3", "b2"]),
        ({"date_to": "2025-03-02"}, ["a3", "b2", "a1"]),
        ({"date_from": "2025-03-02", "date_to": "2025-03-02"}, ["a3", "b2"]),
        ({"actor": "alice", "campaign": "first-campaign", "date_from": "2025-03-02"}, ["a3"]),
        ({"actor": "bob", "action": "update.posted", "campaign": "second-campaign"}, ["b4"]),
        ({"actor": "", "action": "", "campaign": "", "date_from": "", "date_to": ""},
         ["s5", "b4", "a3", "b2", "a1"]),
    ],
)  # fmt: skip
def test_filters(client, log, query, expected):
    """Each filter alone and combined: campaign covers events naming it in their details."""
    response = client.get("/admin/audit", query_string=query)
    assert response.status_code == 200
    assert shown(response.get_data(as_text=True)) == expected


def test_action_choices_are_the_actions_recorded(client, log):
    """The action filter offers the actions present, and refuses others."""
    html = client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="update.posted">update.posted</option>' in html
    response = client.get("/admin/audit", query_string={"action": "no.such_action"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2025-02-30"}, "Not a valid date value."),
        ({"date_to": "yesterday"}, "Not a valid date value."),
        ({"date_from": "2025-03-03", "date_to": "2025-03-01"}, "on or after the first day"),
        ({"campaign": "no-such-campaign"}, "No campaign has this address."),
        ({"page": "zero"}, "Page:"),
    ],
)
def test_bad_filters_are_a_400_with_a_message(client, log, query, message):
    """Bad dates, a reversed period or an unknown campaign answer 400 with the reason."""
    response = client.get("/admin/audit", query_string=query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_last_possible_day_is_not_a_500(client, log):
    """The day after 9999-12-31 does not exist; the filter still answers."""
    response = client.get("/admin/audit", query_string={"date_to": "9999-12-31"})
    assert response.status_code == 200
    assert len(shown(response.get_data(as_text=True))) == 5


def test_pages_keep_the_filters(app, client, log):
    """With more than a page of matches, the next page link carries the filters."""
    with app.app_context():
        for n in range(55):
            db.session.add(
                AuditEvent(actor_id=log["admin"].id, action="user.role_changed",
                           target_type="user", target_id=str(n), details={"note": f"r{n}"})
            )  # fmt: skip
        db.session.commit()
    query = {"actor": log["admin"].email, "action": "user.role_changed"}
    html = client.get("/admin/audit", query_string=query).get_data(as_text=True)
    assert "55 events" in html
    link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "actor=" in link and "action=user.role_changed" in link and "page=2" in link
    second = client.get(link).get_data(as_text=True)
    assert len(shown(second)) == 5 and "Page 2 of 2" in second


def test_targets_are_named_and_linked(client, log):
    """Campaign targets show their title linked to the review page; details are listed."""
    html = client.get("/admin/audit", query_string={"action": "update.posted"}).get_data(
        as_text=True
    )
    assert 'href="/moderation/campaigns/second-campaign">Test campaign' in html
    assert "<dt>campaign_id</dt>" in html


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 302), (Role.MEMBER, 403), (Role.MODERATOR, 403)]
)
def test_only_admins_read_the_audit_log(app, make_user, role, expected):
    """Moderators no longer reach the audit log; members never did."""
    client = app.test_client()
    if role is not None:
        user = make_user(role=role)
        assert login(client, user.email).status_code == 302
    response = client.get("/admin/audit")
    assert response.status_code == expected
    if role is None:
        assert "/login" in response.headers["Location"]
