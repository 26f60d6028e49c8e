"""Rate limits on the API: per client address on public endpoints, per key on keyed ones.

Each limit is one bucket shared by every endpoint it decorates (Flask-Limiter's shared
limits), so a client cannot multiply its allowance by spreading over endpoints.
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


# Decorators, applied right under the route so a refused request costs no parsing.
per_ip = limiter.shared_limit(ip_limit, scope="api-v1-ip")
per_key = limiter.shared_limit(key_limit, scope="api-v1-key", key_func=key_identity)
signing = limiter.limit(sign_limit)
