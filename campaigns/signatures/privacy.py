"""Keyed hashes of IP addresses: enough to spot a flood, never enough to recover the address."""

import hashlib
import hmac

from flask import current_app

IP_HASH_LABEL = b"groundswell.ip-hash"


def _key() -> bytes:
    """IP_HASH_SECRET, or a key derived from SECRET_KEY for this one purpose."""
    secret = current_app.config.get("IP_HASH_SECRET")
    if secret:
        return secret.encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), IP_HASH_LABEL, "sha256").digest()


def hash_ip(address: str | None) -> str | None:
    """HMAC-SHA256 of the address, hex, truncated to 32 characters (128 bits)."""
    if not address:
        return None
    return hmac.new(_key(), address.encode(), hashlib.sha256).hexdigest()[:32]
