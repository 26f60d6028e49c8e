"""Pages, error pages, CSRF, security headers and languages."""

import pytest
from flask import Blueprint, abort

from campaigns.extensions import db
from campaigns.models import User
from tests.conftest import PASSWORD, login


def test_home_lists_open_campaigns_and_victories(client):
    """The home page renders its sections and the layout's landmarks."""
    page = client.get("/")
    assert page.status_code == 200
    for marker in (
        b'<main id="main"',
        b'class="skip-link"',
        b"<nav",
        b"<footer",
        b"Open campaigns",
    ):
        assert marker in page.data


def test_health(client):
    """The health check reaches the database."""
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_security_headers(client):
    """Every response closes framing, sniffing and third-party scripts."""
    headers = client.get("/").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("method", "path", "code", "text"),
    [
        ("GET", "/no-such-page", 404, b"Page not found"),
        ("GET", "/logout", 405, b"Method not allowed"),
        ("PUT", "/login", 405, b"Method not allowed"),
        ("GET", "/admin/users/abc/role", 404, b"Page not found"),
    ],
)
def test_error_pages_in_site_style(client, method, path, code, text):
    """Errors render in the layout, with the status code."""
    response = client.open(path, method=method)
    assert response.status_code == code
    assert text in response.data and b'<main id="main"' in response.data


def test_405_keeps_allow_header(client):
    """The styled 405 still says which methods work."""
    assert "POST" in client.get("/logout").headers["Allow"]


def test_413_for_oversized_body(app_factory):
    """Bodies over MAX_CONTENT_LENGTH get a styled 413."""
    client = app_factory(MAX_CONTENT_LENGTH=1000).test_client()
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 5000})
    assert response.status_code == 413 and b"Too large" in response.data


def test_500_page_rolls_back(app_factory):
    """An unexpected error shows the 500 page, without a traceback, and saves nothing."""
    app = app_factory()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    boom = Blueprint("boom", __name__)

    @boom.get("/boom")
    def explode():
        """Add a row, then fail before committing."""
        db.session.add(User(email="x@example.org", display_name="x", password_hash="x"))
        db.session.flush()
        raise RuntimeError("kaboom")

    @boom.get("/forbidden")
    def forbidden():
        """Refuse."""
        abort(403)

    app.register_blueprint(boom)
    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data and b"kaboom" not in response.data
    assert client.get("/forbidden").status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_missing_or_wrong_csrf_token_is_400(app_factory, make_user):
    """With CSRF on, forms without a valid token are refused with an explanation."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    make_user("ana@example.org")
    client = app.test_client()
    missing = login(client, "ana@example.org")
    wrong = login(client, "ana@example.org", csrf_token="forged")
    for response in (missing, wrong):
        assert response.status_code == 400
        assert b"security token" in response.data
    assert client.post("/logout").status_code == 400
    assert client.post("/language", data={"lang-language": "fr"}).status_code == 400


def test_csrf_token_from_the_page_works(app_factory, make_user):
    """The token the form renders is accepted."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    make_user("ana@example.org")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert login(client, "ana@example.org", csrf_token=token).status_code == 302


def test_accept_language_picks_french(client):
    """Without a saved choice, the browser's languages decide."""
    page = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert b'<html lang="fr">' in page.data
    assert b"Campagnes en cours" in page.data


def test_switcher_overrides_accept_language(client):
    """The language switcher wins over the browser for anonymous visitors."""
    response = client.post("/language", data={"lang-language": "fr", "lang-next": "/login"})
    assert response.headers["Location"] == "/login"
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert b'<html lang="fr">' in page.data


def test_switcher_refuses_unknown_language_and_open_redirect(client):
    """A made-up language changes nothing; an outside `next` goes home."""
    response = client.post("/language", data={"lang-language": "xx", "lang-next": "//evil.example"})
    assert response.headers["Location"] == "/"
    assert b'<html lang="en">' in client.get("/").data


def test_saved_user_locale_wins(app, client, make_user):
    """A signed-in user's saved language beats the browser's."""
    make_user("ana@example.org")
    login(client, "ana@example.org")
    client.post("/language", data={"lang-language": "fr", "lang-next": "/"})
    with app.app_context():
        assert db.session.scalar(db.select(User.locale)) == "fr"
    other_browser = app.test_client()
    login(other_browser, "ana@example.org", PASSWORD)
    page = other_browser.get("/", headers={"Accept-Language": "en"})
    assert b'<html lang="fr">' in page.data
