"""Signing limits: over a limit, a signature is accepted in appearance but held as suspect.

The counters live in Flask-Limiter's storage (Redis with REDIS_URL, memory otherwise).
When that storage fails, counting carries on in this process and the log says so; the
shared storage is tried again after FALLBACK_SECONDS.
"""

import functools
import logging
import time

from flask import current_app
from limits import parse_many
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import FixedWindowRateLimiter

from campaigns.extensions import limiter

log = logging.getLogger(__name__)
FALLBACK_SECONDS = 30
# Reasons stored on a suspect signature: which limit it went over.
PER_IP_PER_CAMPAIGN = "ip_campaign"
PER_IP = "ip"
PER_DOMAIN_PER_CAMPAIGN = "domain_campaign"
# limits' fixed-window increment (incrby, and expire when the key is new) over every key at
# once, so one signing is one EVALSHA however many windows it counts against.
INCR_EXPIRE_ALL = """
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call("incrby", key, 1)
  if count == 1 then
    redis.call("expire", key, ARGV[i])
  end
  counts[i] = count
end
return counts
"""
SETTINGS = {
    PER_IP_PER_CAMPAIGN: "SIGN_LIMIT_PER_IP_PER_CAMPAIGN",
    PER_IP: "SIGN_LIMIT_PER_IP",
    PER_DOMAIN_PER_CAMPAIGN: "SIGN_LIMIT_PER_DOMAIN_PER_CAMPAIGN",
}


class _Fallback:
    """A per-process limiter used while the shared storage is unreachable."""

    def __init__(self):
        """Start with the shared storage presumed healthy."""
        self.limiter = FixedWindowRateLimiter(MemoryStorage())
        self.until = 0.0
        self.script = None  # INCR_EXPIRE_ALL, registered with the shared storage's client


def _fallback() -> _Fallback:
    """This app's fallback state, made once per app."""
    state = current_app.extensions.get("groundswell_sign_limits")
    if state is None:
        state = current_app.extensions["groundswell_sign_limits"] = _Fallback()
    return state


@functools.cache
def _items(limit: str) -> tuple:
    """The windows of a limit string such as "10 per minute;100 per hour", parsed once."""
    return tuple(parse_many(limit))


def _counted_in_redis(state: _Fallback, entries: list[tuple]) -> list[bool] | None:
    """Count every window in one Redis round trip, or None when the storage is not Redis.

    limits' own fixed-window hit is one EVALSHA per window: three or more round trips per
    signature. INCR_EXPIRE_ALL does the same increments on the same keys in one call, so
    the counters are exactly the ones limits itself reads and writes (pinned limits
    version). redis-py loads the script again if Redis restarted and forgot it.
    """
    storage, strategy = limiter.storage, limiter.limiter
    if not isinstance(storage, RedisStorage) or not isinstance(strategy, FixedWindowRateLimiter):
        return None
    if state.script is None:
        state.script = storage.storage.register_script(INCR_EXPIRE_ALL)
    keys = [storage.prefixed_key(item.key_for(key)) for item, key in entries]
    counts = state.script(keys=keys, args=[item.get_expiry() for item, _ in entries])
    return [int(count) <= item.amount for (item, _), count in zip(entries, counts, strict=True)]


def _count(entries: list[tuple]) -> list[bool]:
    """Count one signing against each (window, key); whether each is still within its limit."""
    state = _fallback()
    if time.monotonic() >= state.until:
        try:
            within = _counted_in_redis(state, entries)
            return within if within is not None else [limiter.limiter.hit(i, k) for i, k in entries]
        except Exception as exc:  # the storage's own errors vary: redis, socket, timeout
            log.warning(
                "Rate limit storage unreachable (%s); signing limits fall back to this process",
                exc,
            )
            state.until = time.monotonic() + FALLBACK_SECONDS
    return [state.limiter.hit(item, key) for item, key in entries]


def over_limit(campaign_id: int, ip_hash: str | None, domain: str | None) -> str | None:
    """Count this signing against the limits; the first limit it goes over, or None."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return None
    checks = []
    if ip_hash:
        checks += [(PER_IP_PER_CAMPAIGN, f"{campaign_id}:{ip_hash}"), (PER_IP, ip_hash)]
    if domain and domain not in current_app.config["SIGN_LIMIT_EXEMPT_DOMAINS"]:
        checks.append((PER_DOMAIN_PER_CAMPAIGN, f"{campaign_id}:{domain}"))
    prefix = f"{current_app.config['RATELIMIT_KEY_PREFIX']}:sign:"
    entries, names = [], []
    for name, key in checks:
        for item in _items(current_app.config[SETTINGS[name]]):
            entries.append((item, prefix + key))
            names.append(name)
    exceeded = [name for name, within in zip(names, _count(entries), strict=True) if not within]
    return exceeded[0] if exceeded else None
