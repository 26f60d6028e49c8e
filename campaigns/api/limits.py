"""Rate limits on the API: per client address on public endpoints, per key on keyed ones.

Each limit is one bucket shared by every endpoint it decorates (Flask-Limiter's shared
limits), on /api/v1 and the OSDI view alike, so a client cannot multiply its allowance by
spreading over endpoints or over the two APIs.
"""

import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address

from campaigns.extensions import limiter


def ip_limit() -> str:
    """Requests per client address on the public endpoints (API_LIMIT_PER_IP)."""
    return current_app.config["API_LIMIT_PER_IP"]


def key_limit() -> str:
    """Requests per API key on the keyed endpoints (API_LIMIT_PER_KEY)."""
    return current_app.config["API_LIMIT_PER_KEY"]


def sign_limit() -> str:
    """Signatures per client address through the API (API_SIGN_LIMIT_PER_IP)."""
    return current_app.config["API_SIGN_LIMIT_PER_IP"]


def key_identity() -> str:
    """The bucket of a keyed request: a digest of the key sent, never the key itself."""
    header = request.headers.get("Authorization") or ""
    if not header.strip():
        return "ip:" + (get_remote_address() or "unknown")
    return "key:" + hashlib.sha256(header.strip().encode()).hexdigest()[:32]


# Decorators, applied right under the route so a refused request costs no parsing. The
# scopes name the buckets: both APIs must use these decorators, never limits of their own.
per_ip = limiter.shared_limit(ip_limit, scope="api-ip")
per_key = limiter.shared_limit(key_limit, scope="api-key", key_func=key_identity)
signing = limiter.limit(sign_limit)
