"""Signed-cookie sessions that stay out of responses meant for shared caches."""

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager


def sessionless(view):
    """Mark a view whose response is the same for everyone, so it must not vary by cookie."""
    view.sessionless = True
    return view


class CacheableSessionInterface(SecureCookieSessionInterface):
    """The usual session, never saved on sessionless views.

    Flask-Login reads the session after every request, which would add "Vary: Cookie" and
    stop proxies and browsers from sharing a cacheable response such as count.json.
    """

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
