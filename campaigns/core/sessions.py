"""Signed-cookie sessions that stay out of responses meant for shared caches."""

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface


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
