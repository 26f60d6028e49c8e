"""Locale selection: the user's saved choice, then the session's, then Accept-Language."""

import functools

from babel import Locale
from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

from campaigns.extensions import babel


@functools.cache
def _parsed(code: str) -> Locale:
    """The Babel locale for a language code, parsed once per process.

    Flask-Babel parses whatever the selector returns on every request, unless it is a Locale
    already; the codes come from LANGUAGES, so this holds a handful of objects.
    """
    return Locale.parse(code)


def select_locale() -> Locale | None:
    """Pick the locale for this request; outside requests (CLI, jobs) use the default."""
    if not has_request_context():
        return None
    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.locale in languages:
        return _parsed(current_user.locale)
    if session.get("locale") in languages:
        return _parsed(session["locale"])
    code = request.accept_languages.best_match(list(languages))
    return _parsed(code) if code else None


def init_babel(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector and the package's catalogs."""
    babel.init_app(app, locale_selector=select_locale)
