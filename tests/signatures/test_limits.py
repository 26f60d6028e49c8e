"""Signing limits on Redis: one script call per signing that keeps limits' own counters."""

import pytest

from campaigns.extensions import limiter
from campaigns.signatures import limits
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL not set: needs Redis")


def redis_app(app_factory, **settings):
    """An app counting signing limits in Redis."""
    return app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL, **settings)


def test_scripted_counts_are_the_ones_limits_reads(app_factory):
    """After three signings, limits' own window stats see three hits on each key."""
    app = redis_app(app_factory, SIGN_LIMIT_PER_IP_PER_CAMPAIGN="5 per hour;20 per day")
    with app.test_request_context():
        for _ in range(3):
            assert limits.over_limit(7, "hash-a", "flood.test") is None
        prefix = f"{app.config['RATELIMIT_KEY_PREFIX']}:sign:"
        for item in limits._items("5 per hour;20 per day"):
            stats = limiter.limiter.get_window_stats(item, prefix + "7:hash-a")
            assert stats.remaining == item.amount - 3


def test_the_first_limit_passed_is_named(app_factory):
    """The third signing from one address on one campaign goes over "2 per hour"."""
    app = redis_app(app_factory, SIGN_LIMIT_PER_IP_PER_CAMPAIGN="2 per hour")
    with app.test_request_context():
        results = [limits.over_limit(8, "hash-b", "flood.test") for _ in range(3)]
    assert results == [None, None, limits.PER_IP_PER_CAMPAIGN]


def test_new_counters_expire_with_their_window(app_factory):
    """Each window's counter lives as long as the window, as limits' own would."""
    app = redis_app(app_factory, SIGN_LIMIT_PER_IP_PER_CAMPAIGN="5 per minute;20 per day")
    with app.test_request_context():
        limits.over_limit(10, "hash-d", None)
        prefix = f"{app.config['RATELIMIT_KEY_PREFIX']}:sign:"
        redis = limiter.storage.storage
        for item in limits._items("5 per minute;20 per day"):
            key = limiter.storage.prefixed_key(item.key_for(prefix + "10:hash-d"))
            assert 0 < redis.ttl(key) <= item.get_expiry()


def test_a_redis_that_forgot_the_script_is_taught_it_again(app_factory, caplog):
    """After SCRIPT FLUSH (a Redis restart), counting goes on in Redis without a fallback."""
    app = redis_app(app_factory, SIGN_LIMIT_PER_IP_PER_CAMPAIGN="2 per hour")
    with app.test_request_context():
        assert limits.over_limit(9, "hash-c", None) is None
        limiter.storage.storage.script_flush()
        assert limits.over_limit(9, "hash-c", None) is None
        assert limits.over_limit(9, "hash-c", None) == limits.PER_IP_PER_CAMPAIGN
    assert "fall back" not in caplog.text
