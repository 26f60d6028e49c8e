"""Where webhooks may go: the URL rules and the SSRF guard.

A webhook makes this server send a request to an address an organizer typed, so an
address inside our own network (the database, a cloud metadata service at
169.254.169.254, an admin port on loopback) must never be a target. The URL is checked
when it is registered, and again before every send: the host is resolved, every address
it resolves to is checked, and the connection is made to a checked address (transport.py),
so DNS cannot answer differently between the check and the connection (rebinding).
WEBHOOK_ALLOW_PRIVATE lifts the address rules and allows plain http, for development and
tests on one machine.
"""

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

URL_MAX = 2048
# Addresses tried per send; a name with more is cut to these (all are still checked).
MAX_ADDRESSES = 3
NAT64 = ipaddress.ip_network("64:ff9b::/96")
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){LABEL}(?:\.{LABEL})*$")
KIND_LABELS = {
    "unspecified": _l("unspecified"),
    "loopback": _l("loopback"),
    "link-local": _l("link-local"),
    "multicast": _l("multicast"),
    "private": _l("private"),
    "reserved": _l("reserved"),
    "site-local": _l("site-local"),
    "non-public": _l("non-public"),
}
# Refused even when private targets are allowed: nothing answers HTTP there.
ALWAYS_REFUSED = (("unspecified", "is_unspecified"), ("multicast", "is_multicast"))
PRIVATE_KINDS = (
    ("loopback", "is_loopback"),
    ("link-local", "is_link_local"),
    ("reserved", "is_reserved"),
    ("private", "is_private"),
    ("site-local", "is_site_local"),
)


class TargetRefused(ValueError):
    """A webhook URL or address that must not be contacted; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL taken apart: where to connect and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    literal: bool

    @property
    def host_header(self) -> str:
        """The Host header: the name as typed, with the port unless it is the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _ip(value: str):
    """The address in value, or None when it is a name."""
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def parse_target(url: str, *, allow_private: bool) -> Target:
    """Check a URL's shape: https (http only with private targets allowed), a host, no login."""
    url = (url or "").strip()
    if not url:
        raise TargetRefused(_("Give the address of your webhook receiver."))
    if len(url) > URL_MAX or any(c.isspace() or ord(c) < 32 for c in url):
        raise TargetRefused(_("This is not a web address we can send to."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused(_("This is not a web address we can send to.")) from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme.lower() not in schemes:
        raise TargetRefused(_("Webhook addresses must start with https://."))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(_("Leave the user name and password out of the address."))
    host = (parts.hostname or "").rstrip(".")
    literal = _ip(host) is not None
    if not literal:
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise TargetRefused(_("This is not a web address we can send to.")) from None
        single_label = "." not in host and host != "localhost"
        if not HOSTNAME.match(host) or (single_label and not allow_private):
            raise TargetRefused(_("This is not a web address we can send to."))
    scheme = parts.scheme.lower()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port or (443 if scheme == "https" else 80), path, literal)


def _embedded_ipv4(address):
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4, Teredo), or None."""
    if address.version != 6:
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    return address.teredo[1] if address.teredo else None


def address_problem(value: str, *, allow_private: bool) -> str | None:
    """What kind of forbidden address value is ("loopback", "private"...), or None if public."""
    address = _ip(value.split("%", 1)[0])
    if address is None:
        return "non-public"
    # The embedded IPv4 address first: it is where the packets would really go.
    for candidate in filter(None, (_embedded_ipv4(address), address)):
        for kind, flag in ALWAYS_REFUSED:
            if getattr(candidate, flag):
                return kind
        if allow_private:
            continue
        for kind, flag in PRIVATE_KINDS:
            if getattr(candidate, flag, False):
                return kind
        if not candidate.is_global:
            return "non-public"
    return None


def refusal(value: str, kind: str) -> TargetRefused:
    """The error for an address of a forbidden kind."""
    return TargetRefused(
        _(
            "%(address)s is a %(kind)s address: webhooks are sent to public addresses only.",
            address=value,
            kind=KIND_LABELS[kind],
        )
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address host resolves to, in the resolver's order (tests replace this)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def checked_addresses(target: Target, *, allow_private: bool) -> list[str]:
    """Resolve the target and check every address; the ones to connect to, in order.

    One bad address refuses the whole name: a name that also points inside our network
    is never sent to, whichever address a connection would have picked. OSError when the
    name does not resolve.
    """
    if target.literal:
        addresses = [target.host]
    elif target.host == "localhost" and not allow_private:
        raise refusal(target.host, "loopback")
    else:
        addresses = resolve(target.host, target.port)
    if not addresses:
        raise OSError(f"{target.host} has no address")
    for address in addresses:
        kind = address_problem(address, allow_private=allow_private)
        if kind:
            raise refusal(address, kind)
    return addresses[:MAX_ADDRESSES]


def check_registration(url: str, *, allow_private: bool) -> str:
    """The URL, trimmed, if it may be registered; TargetRefused otherwise.

    A name that does not resolve yet is accepted (the receiver may not be deployed yet);
    every send checks again.
    """
    target = parse_target(url, allow_private=allow_private)
    try:
        checked_addresses(target, allow_private=allow_private)
    except TargetRefused:
        raise
    except OSError:
        pass
    return url.strip()
