"""Registration and email verification."""

import re

import pytest
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import User
from tests.conftest import PASSWORD, register
from tests.conftest import outbox_rows as outbox


def test_register_creates_unverified_user_and_queues_verification(app, client):
    """A new account is unverified and its verification email waits in the outbox."""
    response = register(client, email="  New@Example.ORG ")
    assert response.status_code == 200
    assert b"Check your email" in response.data
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@example.org"))
        assert user is not None and not user.email_verified
        assert user.password_hash.startswith("$argon2")
    [row] = outbox(app)
    assert (row.recipient, row.template) == ("new@example.org", "verify_email")
    assert row.payload["link"].startswith("http://localhost/verify/")
    assert app.extensions["groundswell_jobs"].submitted == ["deliver_outbox"]


def test_register_existing_email_answers_the_same_and_warns_owner(app, client, make_user):
    """No account enumeration: same page, and the real owner is told by email."""
    make_user("taken@example.org")
    response = register(client, email="taken@example.org")
    assert response.status_code == 200
    assert b"Check your email" in response.data
    [row] = outbox(app)
    assert row.template == "already_registered"
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": ""}, b"This field is required"),
        ({"email": "not-an-email"}, b"Enter a valid email address"),
        ({"email": "a" * 250 + "@example.org"}, b"Field cannot be longer than 254 characters"),
        ({"name": ""}, b"This field is required"),
        ({"name": "x" * 81}, b"Field cannot be longer than 80 characters"),
        ({"password": "short"}, b"Use at least 10 characters"),
        ({"password": "password123"}, b"too common"),
        ({"password": "x" * 300}, b"Field cannot be longer than 256 characters"),
        ({"confirm": "something else entirely"}, b"The passwords do not match"),
    ],
)
def test_register_rejects_bad_input_with_field_errors(app, client, fields, message):
    """Each bad field is answered with its own message and no account is made."""
    response = register(client, **fields)
    assert response.status_code == 200
    assert message in response.data
    assert b'aria-invalid="true"' in response.data
    assert outbox(app) == []


def test_verification_link_needs_a_post(app, client):
    """Opening the link (as a mail scanner would) changes nothing; the button verifies."""
    register(client)
    [row] = outbox(app)
    path = re.sub(r"^http://localhost", "", row.payload["link"])
    page = client.get(path)
    assert page.status_code == 200 and b"Confirm my email address" in page.data
    with app.app_context():
        assert not db.session.scalar(select(User)).email_verified
    response = client.post(path)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User)).email_verified
    assert client.post(path).status_code == 302  # a second click is harmless


def test_forged_verification_link_is_refused(app, client, make_user):
    """A made-up token verifies nothing."""
    make_user("someone@example.org", verified=False)
    response = client.post("/verify/not-a-real-token", follow_redirects=True)
    assert b"invalid or has expired" in response.data
    with app.app_context():
        assert not db.session.scalar(select(User)).email_verified


def test_expired_verification_link_is_refused(app, client):
    """Links stop working after VERIFY_TOKEN_MAX_AGE."""
    register(client)
    [row] = outbox(app)
    app.config["VERIFY_TOKEN_MAX_AGE"] = -1
    path = row.payload["link"].removeprefix("http://localhost")
    client.post(path)
    with app.app_context():
        assert not db.session.scalar(select(User)).email_verified


def test_resend_verification(app, client, make_user):
    """An unverified user can ask for another link."""
    user = make_user("late@example.org", verified=False)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    response = client.post("/account/verification", follow_redirects=True)
    assert b"We sent a new link" in response.data
    assert [r.template for r in outbox(app)] == ["verify_email"]
