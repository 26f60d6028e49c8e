"""Abuse and edge cases: CSRF on real pages, NUL bytes, floods, races, deleted owners."""

import re

import pytest
from sqlalchemy import select

from campaigns.auth import services
from campaigns.extensions import db
from campaigns.models import AuditEvent, Campaign, OutboxEmail, Role, User
from tests.conftest import PASSWORD, login


def csrf_from(html: str, name: str = "csrf_token") -> str:
    """The value of a hidden CSRF input in a rendered page."""
    return re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]+)"', html).group(1)


def test_admin_changes_role_through_the_real_page(app_factory, make_user):
    """With CSRF on, the form as rendered on /admin/users works."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    make_user("boss@example.org", role=Role.ADMIN)
    other = make_user("other@example.org")
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    login(client, "boss@example.org", csrf_token=token)
    page = client.get("/admin/users").get_data(as_text=True)
    prefix = f"u{other.id}-"
    data = {prefix + "csrf_token": csrf_from(page, prefix + "csrf_token"), prefix + "role": "admin"}
    response = client.post(f"/admin/users/{other.id}/role", data=data)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, other.id).role == Role.ADMIN


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/register", {"email": "a@example.org", "display_name": "A\x00B", "password": PASSWORD}),
        ("/login", {"email": "a@example.org", "password": "x\x00y"}),
        ("/login?next=/\x00", {"email": "a@example.org", "password": PASSWORD}),
    ],
)
def test_nul_bytes_are_a_400(client, path, data):
    """PostgreSQL cannot store NUL; it is refused before it gets that far."""
    assert client.post(path, data=data).status_code == 400


def test_nul_bytes_in_json_bodies_and_url_values_are_a_400(client, make_campaign):
    """Flask-WTF reads JSON bodies too, and slugs come from the path: both are checked."""
    slug = make_campaign()
    body = {"name": "A\x00B", "email": "a@example.org", "country": "GB", "extra": [{"x": "\x00"}]}
    assert client.post(f"/campaigns/{slug}/sign", json=body).status_code == 400
    assert client.get("/campaigns/a%00b/count.json").status_code == 400
    assert client.post("/campaigns/a%00b/sign", data={"name": "A"}).status_code == 400


def test_register_race_is_not_a_500(app, client, make_user, monkeypatch):
    """If the address is taken between lookup and insert, the answer is the usual one."""
    make_user("race@example.org")
    monkeypatch.setattr(services, "find_user", lambda email: None)
    data = {"email": "race@example.org", "display_name": "R", "password": PASSWORD}
    response = client.post("/register", data={**data, "confirm": PASSWORD})
    assert response.status_code == 200 and b"Check your email" in response.data
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_reset_emails_to_one_address_are_throttled(app, client, make_user):
    """Rotating IP addresses cannot flood one inbox: three reset emails an hour at most."""
    make_user("victim@example.org")
    for n in range(6):
        client.post(
            "/password/forgot",
            data={"email": "victim@example.org"},
            environ_base={"REMOTE_ADDR": f"10.1.0.{n}"},
        )
    with app.app_context():
        count = db.session.scalar(select(db.func.count(OutboxEmail.id)))
    assert count == 3


@pytest.mark.parametrize("path", ["/register", "/password/forgot"])
def test_email_sending_forms_are_limited_per_ip(app_factory, path):
    """Forms that send email are rate limited per address."""
    app = app_factory(RATELIMIT_ENABLED=True, FORM_LIMIT_PER_IP="2 per minute")
    client = app.test_client()
    codes = [client.post(path, data={"email": f"x{n}@example.org"}).status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_remember_me_logs_in_a_new_browser_session(app, make_user):
    """The remember cookie alone restores the login, and survives a password change."""
    make_user("ana@example.org")
    client = app.test_client()
    login(client, "ana@example.org", remember="y")
    new = "a different long passphrase"
    data = {"change-current_password": PASSWORD, "change-password": new, "change-confirm": new}
    assert client.post("/account/password", data=data).status_code == 302
    remember = client.get_cookie("remember_token")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/account/").status_code == 200


def test_deleting_an_owner_keeps_campaigns_without_them(app, client, login_as):
    """Campaigns stay; their owner becomes empty; a new account never inherits them."""
    user = login_as()
    with app.app_context():
        db.session.add(
            Campaign(
                slug="c",
                title="T",
                summary="S",
                body="B",
                body_html="B",
                goal=5,
                owner_id=user.id,
            )
        )
        db.session.commit()
    client.post("/account/delete", data={"delete-password": PASSWORD})
    data = {"email": "new@example.org", "display_name": "N", "password": PASSWORD}
    client.post("/register", data={**data, "confirm": PASSWORD})
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        newcomer = db.session.scalar(select(User))
        assert campaign.owner_id is None
        assert newcomer.id != user.id
        assert db.session.scalar(select(AuditEvent.action)) == "account.deleted"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/account/profile", {"profile-display_name": "X", "profile-locale": "en"}),
        ("/account/password", {}),
        ("/account/delete", {}),
        ("/account/verification", {}),
    ],
)
def test_account_actions_need_login(client, path, data):
    """Anonymous posts to account actions are sent to log in and change nothing."""
    response = client.post(path, data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_mailbox_only_for_this_machine(client):
    """The dev mailbox holds live links, so other machines get a 404."""
    assert client.get("/dev/mailbox").status_code == 200
    remote = client.get("/dev/mailbox", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 404
