"""Flask-Limiter, bound so that only the routes that declare a limit pay for one."""

from flask import Flask

from campaigns.extensions import limiter


def init_limiter(app: Flask) -> None:
    """Bind Flask-Limiter; drop its every-request hook when no limit applies everywhere.

    Every limit here decorates its route, and a decorated view checks its own limit when
    it runs. The hook Flask-Limiter adds before every request would only find nothing to
    check, at about 7% of a sign request's CPU (profiled under the sign benchmark).
    Limits meant for every request (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION) keep it.
    """
    limiter.init_app(app)
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when RATELIMIT_ENABLED is off
        hooks.remove(limiter._check_request_limit)
