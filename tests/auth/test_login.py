"""Logging in and out, safe redirects, session cookies and rate limits."""

import pytest

from campaigns.models import Role
from tests.conftest import PASSWORD, login


def test_login_and_logout(client, make_user):
    """A right password logs in; logging out takes a POST."""
    make_user("ana@example.org", name="Ana")
    response = login(client, "ANA@example.org")
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/account/").status_code == 302


def test_wrong_password_and_unknown_account_look_the_same(client, make_user):
    """The error does not reveal whether the account exists."""
    make_user("ana@example.org")
    wrong = login(client, "ana@example.org", "not the right one at all")
    unknown = login(client, "nobody@example.org", "not the right one at all")
    assert wrong.status_code == unknown.status_code == 200
    message = b"That email and password do not match an account."
    assert message in wrong.data and message in unknown.data


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account/", "/account/"),
        ("/admin/audit?page=2", "/admin/audit?page=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_next_is_followed_only_within_the_site(client, make_user, target, expected):
    """Open redirects are refused."""
    make_user("ana@example.org")
    response = login(client, "ana@example.org", next=target)
    assert response.headers["Location"] == expected


def test_session_cookie_flags(app_factory, make_user):
    """Cookies are HttpOnly and SameSite=Lax, and Secure in production."""
    app = app_factory(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    make_user("ana@example.org")
    client = app.test_client()
    response = login(client, "ana@example.org", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    remember = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session, remember):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_production_config_makes_cookies_secure():
    """GROUNDSWELL_ENV=production turns Secure on by default."""
    from campaigns.config import from_environment

    config = from_environment(
        "/tmp/gs-instance", {"GROUNDSWELL_ENV": "production", "SECRET_KEY": "k"}
    )
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]


def test_login_rate_limited_per_account(app_factory, make_user):
    """Guessing one account's password from many addresses still hits a limit."""
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="3 per minute")
    make_user("target@example.org")
    client = app.test_client()
    codes = []
    for n in range(5):
        environ = {"REMOTE_ADDR": f"10.0.0.{n + 1}"}
        response = client.post(
            "/login",
            data={"email": "target@example.org", "password": "wrong guess number x"},
            environ_base=environ,
        )
        codes.append(response.status_code)
    assert codes == [200, 200, 200, 429, 429]
    assert b"Too many requests" in response.data
    other = client.post(
        "/login", data={"email": "other@example.org", "password": PASSWORD}, environ_base=environ
    )
    assert other.status_code == 200


def test_login_rate_limited_per_ip(app_factory):
    """One address trying many accounts is limited too."""
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_IP="3 per minute")
    client = app.test_client()
    codes = [
        client.post("/login", data={"email": f"u{n}@example.org", "password": "x" * 12}).status_code
        for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert client.get("/login").status_code == 200  # reading the form is not limited


def test_already_logged_in_user_skips_the_form(client, login_as):
    """Visiting /login while logged in goes home."""
    login_as(Role.MEMBER)
    assert client.get("/login").status_code == 302
