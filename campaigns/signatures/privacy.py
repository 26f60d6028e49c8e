"""Keyed hashes of IP addresses: enough to spot a flood, never enough to recover the address."""

import functools
import hashlib
import hmac
import ipaddress

from flask import current_app

IP_HASH_LABEL = b"groundswell.ip-hash"


def _key() -> bytes:
    """IP_HASH_SECRET, or a key derived from SECRET_KEY for this one purpose."""
    secret = current_app.config.get("IP_HASH_SECRET")
    if secret:
        return secret.encode()
    return _derived(current_app.config["SECRET_KEY"])


@functools.lru_cache(maxsize=8)
def _derived(secret_key: str) -> bytes:
    """The IP hash key derived from a SECRET_KEY, computed once per key and process."""
    return hmac.new(secret_key.encode(), IP_HASH_LABEL, "sha256").digest()


def _subscriber(address: str) -> str:
    """The part of an address that names one subscriber: IPv4 whole, IPv6 its /64.

    An IPv6 subscriber is usually given a whole /64 and can rotate through it at will,
    so limits and flood statistics keyed on the full address would be trivial to evade.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)


def hash_ip(address: str | None) -> str | None:
    """HMAC-SHA256 of the subscriber's address, hex, truncated to 32 characters (128 bits)."""
    if not address:
        return None
    return hmac.new(_key(), _subscriber(address).encode(), hashlib.sha256).hexdigest()[:32]
