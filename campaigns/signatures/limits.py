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
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from campaigns.extensions import limiter

log = logging.getLogger(__name__)
FALLBACK_SECONDS = 30
# Reasons stored on a suspect signature: which limit it went over.
PER_IP_PER_CAMPAIGN = "ip_campaign"
PER_IP = "ip"
PER_DOMAIN_PER_CAMPAIGN = "domain_campaign"
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


def _hit(name: str, key: str) -> bool:
    """Count one signing against every window of a limit; False when any is exceeded."""
    items = _items(current_app.config[SETTINGS[name]])
    key = f"{current_app.config['RATELIMIT_KEY_PREFIX']}:sign:{key}"
    state = _fallback()
    if time.monotonic() >= state.until:
        try:
            return all([limiter.limiter.hit(item, key) for item in items])
        except Exception as exc:  # the storage's own errors vary: redis, socket, timeout
            log.warning(
                "Rate limit storage unreachable (%s); signing limits fall back to this process",
                exc,
            )
            state.until = time.monotonic() + FALLBACK_SECONDS
    return all([state.limiter.hit(item, key) for item in items])


def over_limit(campaign_id: int, ip_hash: str | None, domain: str | None) -> str | None:
    """Count this signing against the limits; the first limit it goes over, or None."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return None
    checks = []
    if ip_hash:
        checks += [(PER_IP_PER_CAMPAIGN, f"{campaign_id}:{ip_hash}"), (PER_IP, ip_hash)]
    if domain and domain not in current_app.config["SIGN_LIMIT_EXEMPT_DOMAINS"]:
        checks.append((PER_DOMAIN_PER_CAMPAIGN, f"{campaign_id}:{domain}"))
    exceeded = [name for name, key in checks if not _hit(name, key)]
    return exceeded[0] if exceeded else None
