"""Forgotten passwords, resets, password changes and account deletion."""

from sqlalchemy import select

from campaigns.auth import tokens
from campaigns.extensions import db
from campaigns.models import AuditEvent, User
from tests.conftest import PASSWORD, login
from tests.conftest import outbox_rows as emails

NEW = "another good passphrase here"


def reset_path(app):
    """The path of the newest reset link in the outbox."""
    return emails(app, "reset_password")[-1].payload["link"].removeprefix("http://localhost")


def test_forgot_password_same_answer_for_unknown_address(app, client, make_user):
    """Known or unknown, the page is the same; only a real account gets an email."""
    make_user("ana@example.org")
    known = client.post("/password/forgot", data={"email": "ana@example.org"})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert b"If ana@example.org belongs to an account" in known.data
    assert [r.recipient for r in emails(app)] == ["ana@example.org"]


def test_reset_link_sets_password_once(app, client, make_user):
    """The link changes the password, then stops working."""
    make_user("ana@example.org", verified=False)
    client.post("/password/forgot", data={"email": "ana@example.org"})
    path = reset_path(app)
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW, "confirm": NEW})
    assert response.headers["Location"] == "/login"
    assert login(client, "ana@example.org", NEW).status_code == 302
    client.post("/logout")
    reused = client.post(path, data={"password": PASSWORD, "confirm": PASSWORD})
    assert reused.headers["Location"] == "/password/forgot"
    assert login(client, "ana@example.org", PASSWORD).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User)).email_verified
    assert [r.template for r in emails(app)] == ["reset_password", "password_changed"]


def test_reset_link_expires(app, client, make_user):
    """An old link is refused."""
    make_user("ana@example.org")
    client.post("/password/forgot", data={"email": "ana@example.org"})
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    assert client.get(reset_path(app)).headers["Location"] == "/password/forgot"


def test_reset_token_from_another_purpose_is_refused(app, make_user):
    """A verification token cannot be used as a reset token."""
    user = make_user("ana@example.org")
    with app.test_request_context():
        verify = tokens.make_verify_token(db.session.get(User, user.id))
        assert tokens.read_reset_token(verify) is None


def test_reset_rejects_weak_password(app, client, make_user):
    """The same rules apply on reset."""
    make_user("ana@example.org")
    client.post("/password/forgot", data={"email": "ana@example.org"})
    response = client.post(
        reset_path(app), data={"password": "qwertyuiop", "confirm": "qwertyuiop"}
    )
    assert response.status_code == 200 and b"too common" in response.data


def test_change_password_logs_out_other_sessions(app, make_user):
    """After a change, this browser stays in and every other session is out."""
    make_user("ana@example.org")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "ana@example.org")
    login(elsewhere, "ana@example.org")
    data = {"change-current_password": PASSWORD, "change-password": NEW, "change-confirm": NEW}
    response = here.post("/account/password", data=data)
    assert response.status_code == 302
    assert here.get("/account/").status_code == 200
    assert elsewhere.get("/account/").status_code == 302
    assert [r.template for r in emails(app)] == ["password_changed"]


def test_change_password_needs_current_password(client, login_as):
    """A wrong current password changes nothing and says why."""
    login_as()
    data = {
        "change-current_password": "wrong wrong wrong",
        "change-password": NEW,
        "change-confirm": NEW,
    }
    response = client.post("/account/password", data=data)
    assert response.status_code == 400
    assert b"Your current password was not right." in response.data


def test_profile_update(app, client, login_as):
    """Name and language are saved on the account."""
    user = login_as()
    response = client.post(
        "/account/profile", data={"profile-display_name": "Renamed", "profile-locale": "fr"}
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.display_name, saved.locale) == ("Renamed", "fr")
    bad = client.post("/account/profile", data={"profile-display_name": "", "profile-locale": "xx"})
    assert bad.status_code == 400


def test_delete_account(app, client, login_as):
    """Deleting needs the password, logs out and leaves an audit event."""
    user = login_as()
    wrong = client.post("/account/delete", data={"delete-password": "not my password"})
    assert wrong.status_code == 400
    response = client.post("/account/delete", data={"delete-password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id) is None
        event = db.session.scalar(select(AuditEvent))
        assert (event.action, event.target_id) == ("account.deleted", str(user.id))
    assert [r.template for r in emails(app)] == ["account_deleted"]
