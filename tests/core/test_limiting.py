"""Rate limits are checked by the routes that declare them, not by a hook on every request."""

from campaigns.extensions import limiter


def test_no_every_request_hook_without_limits_for_every_request(app_factory):
    """No default or application limit: Flask-Limiter's before_request hook is gone."""
    app = app_factory(RATELIMIT_ENABLED=True)
    assert limiter._check_request_limit not in app.before_request_funcs[None]


def test_a_decorated_limit_still_answers_429(app_factory):
    """The login form's per-address limit holds without the hook."""
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_IP="2 per minute")
    client = app.test_client()
    data = {"email": "nobody@example.org", "password": "x" * 12}
    codes = [client.post("/login", data=data).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_default_limit_keeps_the_hook_and_applies_everywhere(app_factory):
    """RATELIMIT_DEFAULT limits every route, so the hook stays to enforce it."""
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    assert limiter._check_request_limit in app.before_request_funcs[None]
    client = app.test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]
