"""Locale selection: the user's saved choice, then the session's, then Accept-Language."""

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

from campaigns.extensions import babel


def select_locale() -> str | None:
    """Pick the locale for this request; outside requests (CLI, jobs) use the default."""
    if not has_request_context():
        return None
    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(list(languages))


def init_babel(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector and the package's catalogs."""
    babel.init_app(app, locale_selector=select_locale)
