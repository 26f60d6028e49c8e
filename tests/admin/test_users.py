"""User management: find accounts, disable and enable them; a disabled account is locked out."""

import re

import pytest
from sqlalchemy import select

from campaigns.auth import tokens
from campaigns.extensions import db
from campaigns.models import AuditEvent, Role, User, utcnow
from tests.conftest import login, outbox_rows

DISABLED = b"This account is disabled."
NO_MATCH = b"That email and password do not match an account."


@pytest.fixture
def admin(app, make_user):
    """A logged-in admin's client; client.user is the account."""
    user = make_user("boss@example.org", role=Role.ADMIN, name="Boss")
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    client.user = user
    return client


def account(app, user_id) -> User:
    """The account as stored now, detached."""
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def events(app, action) -> list[AuditEvent]:
    """Audit events of one action, oldest first, detached."""
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        db.session.expunge_all()
        return rows


def test_search_by_email_or_name_any_case(admin, make_user):
    """q matches part of the email address or of the display name, in any case."""
    make_user("carla@example.org", name="Carla Jones")
    make_user("dev@other.test", name="Devon Smith")
    make_user("100%_sure@example.org", name="Percy")
    html = admin.get("/admin/users", query_string={"q": "JONES"}).get_data(as_text=True)
    assert "carla@example.org" in html and "dev@other.test" not in html
    html = admin.get("/admin/users", query_string={"q": "other.TEST"}).get_data(as_text=True)
    assert "dev@other.test" in html and "carla@example.org" not in html
    # % and _ are taken literally, not as wildcards.
    html = admin.get("/admin/users", query_string={"q": "0%_s"}).get_data(as_text=True)
    assert "100%_sure@example.org" in html and "carla@example.org" not in html
    html = admin.get("/admin/users", query_string={"q": "%"}).get_data(as_text=True)
    assert "100%_sure@example.org" in html and "carla@example.org" not in html
    html = admin.get("/admin/users", query_string={"q": "zzz"}).get_data(as_text=True)
    assert "No account matches." in html


def test_search_too_long_is_a_400(admin):
    """An over-long query is refused with a message, not a 500."""
    response = admin.get("/admin/users", query_string={"q": "x" * 300})
    assert response.status_code == 400


def test_disable_ends_sessions_and_login_and_enable_restores(app, admin, make_user):
    """The disabled user's session ends at once, login fails; enabling lets them in again."""
    target = make_user("target@example.org")
    theirs = app.test_client()
    assert login(theirs, target.email).status_code == 302
    assert theirs.get("/account/").status_code == 200
    response = admin.post(
        f"/admin/users/{target.id}/disable", data={f"d{target.id}-reason": "Spam"}
    )
    assert response.status_code == 303
    stored = account(app, target.id)
    assert stored.is_disabled and stored.login_token != target.login_token
    response = theirs.get("/account/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    refused = login(app.test_client(), target.email)
    assert refused.status_code == 403 and DISABLED in refused.data
    # A wrong password gets the usual answer: it reveals nothing about the account.
    wrong = login(app.test_client(), target.email, "not the right password at all")
    assert wrong.status_code == 200 and NO_MATCH in wrong.data and DISABLED not in wrong.data
    (event,) = events(app, "user.disabled")
    assert (event.actor_id, event.target_id, event.details) == (
        admin.user.id, str(target.id), {"reason": "Spam"}
    )  # fmt: skip
    html = admin.get("/admin/users").get_data(as_text=True)
    assert "Disabled" in html and f"/admin/users/{target.id}/enable" in html

    assert admin.post(f"/admin/users/{target.id}/enable").status_code == 303
    assert not account(app, target.id).is_disabled
    assert login(theirs, target.email).status_code == 302
    assert theirs.get("/account/").status_code == 200
    assert [e.actor_id for e in events(app, "user.enabled")] == [admin.user.id]


def test_disable_ends_remember_me(app, admin, make_user):
    """A remember-me cookie stops working once the account is disabled."""
    target = make_user("target@example.org")
    theirs = app.test_client()
    assert login(theirs, target.email, remember="y").status_code == 302
    remember = theirs.get_cookie("remember_token").value

    def with_remember_cookie_only():
        """A new browser session holding only the remember-me cookie."""
        browser = app.test_client()
        browser.set_cookie("remember_token", remember)
        return browser.get("/account/")

    assert with_remember_cookie_only().status_code == 200
    admin.post(f"/admin/users/{target.id}/disable")
    response = with_remember_cookie_only()
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_loader_refuses_a_disabled_account_even_with_its_token(app, make_user):
    """Belt and braces: a disabled account whose token was not rotated still gets no session."""
    target = make_user("target@example.org")
    theirs = app.test_client()
    assert login(theirs, target.email).status_code == 302
    with app.app_context():
        db.session.get(User, target.id).disabled_at = utcnow()
        db.session.commit()
    assert theirs.get("/account/").status_code == 302


def test_password_reset_does_not_reopen_a_disabled_account(app, admin, client, make_user):
    """No reset link is sent to a disabled account, and one sent before no longer works."""
    target = make_user("target@example.org")
    with app.app_context():
        token = tokens.make_reset_token(db.session.get(User, target.id))
    admin.post(f"/admin/users/{target.id}/disable")
    client.post("/password/forgot", data={"email": target.email})
    assert outbox_rows(app, "reset_password") == []
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 302 and "/password/forgot" in response.headers["Location"]
    data = {"password": "a brand new long password", "confirm": "a brand new long password"}
    response = client.post(f"/password/reset/{token}", data=data)
    assert response.status_code == 302 and "/password/forgot" in response.headers["Location"]
    assert account(app, target.id).password_hash == target.password_hash
    assert client.get("/account/").status_code == 302


def test_admin_cannot_disable_self(app, admin):
    """Disabling one's own account is refused; the admin stays in."""
    response = admin.post(f"/admin/users/{admin.user.id}/disable")
    assert response.status_code == 403
    assert b"You cannot disable your own account." in response.data
    assert not account(app, admin.user.id).is_disabled
    assert admin.get("/admin/").status_code == 200
    assert events(app, "user.disabled") == []


def test_disable_twice_and_enable_an_active_account_are_409(app, admin, make_user):
    """Each change applies to the state it expects; repeating it is a conflict, not a 500."""
    target = make_user("target@example.org")
    assert admin.post(f"/admin/users/{target.id}/enable").status_code == 409
    assert admin.post(f"/admin/users/{target.id}/disable").status_code == 303
    first = account(app, target.id).disabled_at
    response = admin.post(f"/admin/users/{target.id}/disable")
    assert response.status_code == 409 and b"already disabled" in response.data
    assert account(app, target.id).disabled_at == first
    assert len(events(app, "user.disabled")) == 1


def test_bad_disable_requests(app, admin, make_user):
    """An over-long reason is a 400 with the message; an unknown account is a 404."""
    target = make_user("target@example.org")
    response = admin.post(
        f"/admin/users/{target.id}/disable", data={f"d{target.id}-reason": "x" * 501}
    )
    assert response.status_code == 400
    assert b"500 characters" in response.data
    assert not account(app, target.id).is_disabled
    assert admin.post("/admin/users/99999/disable").status_code == 404
    assert admin.post("/admin/users/99999/enable").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 302), (Role.MEMBER, 403), (Role.MODERATOR, 403)]
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/users?q=target"),
        ("POST", "/admin/users/{id}/disable"),
        ("POST", "/admin/users/{id}/enable"),
    ],
)
def test_only_admins_manage_accounts(
    app, client, login_as, make_user, role, expected, method, path
):
    """Anonymous visitors are sent to log in; members and moderators are refused."""
    target = make_user("target@example.org")
    if role is not None:
        login_as(role)
    response = client.open(path.format(id=target.id), method=method)
    assert response.status_code == expected
    if role is None:
        assert "/login" in response.headers["Location"]
    assert not account(app, target.id).is_disabled


def test_disable_form_works_with_csrf_on(app_factory, make_user):
    """With CSRF on, the disable form as rendered on the accounts page works."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    make_user("boss@example.org", role=Role.ADMIN)
    target = make_user("target@example.org")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    login(client, "boss@example.org", csrf_token=token)
    page = client.get("/admin/users").get_data(as_text=True)
    name = f"d{target.id}-csrf_token"
    csrf = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/admin/users/{target.id}/disable", data={name: csrf, f"d{target.id}-reason": "Spam"}
    )
    assert response.status_code == 303
    assert account(app, target.id).is_disabled
