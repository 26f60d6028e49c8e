"""Route-level authorisation."""

import functools

from flask import abort
from flask_login import current_user, login_required

from campaigns.models import Role


def role_required(role: Role):
    """Let through signed-in users holding at least `role`; others get 403 (or the log-in page)."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
