"""Flask-Login wiring: sessions name a revocable login token, not the user id."""

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campaigns.extensions import db, login_manager
from campaigns.models import User


@login_manager.user_loader
def load_user(login_token: str) -> User | None:
    """Find the account whose current login token the session carries; never a disabled one."""
    # Disabling rotates the token already; refusing disabled accounts here as well means a
    # token restored from a backup or set by hand still cannot bring a disabled account back.
    return db.session.scalar(
        select(User).where(User.login_token == login_token, User.disabled_at.is_(None))
    )


def init_login(app: Flask) -> None:
    """Bind Flask-Login with the log-in page and its message."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
