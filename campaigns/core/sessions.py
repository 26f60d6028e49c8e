"""Signed-cookie sessions that stay out of responses meant for shared caches."""

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from itsdangerous import URLSafeTimedSerializer


def sessionless(view):
    """Mark a view whose response is the same for everyone, so it must not vary by cookie."""
    view.sessionless = True
    return view


class CacheableSessionInterface(SecureCookieSessionInterface):
    """The usual session, never saved on sessionless views.

    Flask-Login reads the session after every request, which would add "Vary: Cookie" and
    stop proxies and browsers from sharing a cacheable response such as count.json.
    """

    def __init__(self):
        """No serializer built yet."""
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, built once per set of keys instead of on every request."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def save_session(self, app: Flask, session, response) -> None:
        """Save as usual unless the view promised not to depend on the visitor."""
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if getattr(view, "sessionless", False):
            return
        super().save_session(app, session, response)


class GuestQuietLoginManager(LoginManager):
    """Flask-Login, minus a cookie rewrite on every guest's first POST.

    Session protection marks a session whose client identifier changed as not fresh. With
    no one logged in there is nothing to protect, but the mark still modified the session,
    so a guest's sign POST re-signed and re-sent the session cookie (6% of its CPU).
    """

    def _session_protection_failed(self) -> bool:
        """Protect sessions someone is logged in to; leave guests' sessions untouched."""
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()
