"""Per-request work done once per process: sync checks, session serializers, locales, headers."""

import gc

from flask import session
from flask_babel import get_locale

from campaigns.core.i18n import select_locale
from campaigns.core.sessions import CacheableSessionInterface


def test_flask_asks_once_whether_a_function_is_synchronous(app):
    """The answer for a registered function is remembered; a plain function is its own."""

    def view():
        """A plain view."""

    assert app.ensure_sync(view) is view
    assert view in app._synchronous
    assert app.ensure_sync(view) is view


def test_a_function_made_per_request_is_not_kept(app):
    """after_this_request's closures are new each time: remembering them must not keep them."""

    def closure():
        """Made for one request."""

    app.ensure_sync(closure)
    assert closure in app._synchronous
    before = len(app._synchronous)
    del closure
    gc.collect()
    assert len(app._synchronous) == before - 1


def test_session_serializer_is_built_once_per_set_of_keys(app):
    """The same keys give the same serializer; a new key a new one, old cookies refused."""
    interface = app.session_interface
    assert isinstance(interface, CacheableSessionInterface)
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    cookie = first.dumps({"locale": "fr"})
    fallbacks = app.config["SECRET_KEY_FALLBACKS"]
    app.secret_key = "a-new-secret"
    try:
        rotated = interface.get_signing_serializer(app)
        assert rotated is not first
        with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
            assert "locale" not in session  # signed with the old key only
        app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
        with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
            assert session["locale"] == "fr"  # the old key still opens it while it is a fallback
    finally:
        app.secret_key = "test-secret"
        app.config["SECRET_KEY_FALLBACKS"] = fallbacks


def test_locales_are_parsed_once_and_shared(app):
    """Every request choosing French gets the one parsed Locale; unknown languages the default."""
    french = {"Accept-Language": "fr-FR,fr;q=0.9"}
    with app.test_request_context(headers=french):
        first = select_locale()
        assert str(get_locale()) == "fr"
    with app.test_request_context(headers=french):
        assert select_locale() is first
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert select_locale() is None and str(get_locale()) == "en"


def test_security_headers_are_added_once(client):
    """Each header appears exactly once (the widget's own policy: tests/embed)."""
    headers = client.get("/").headers
    for name in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert len(headers.getlist(name)) == 1
    assert len(headers.getlist("Content-Security-Policy")) == 1
