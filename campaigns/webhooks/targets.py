"""Where webhooks may go: the URL rules and the SSRF guard.

A webhook makes this server send a request to an address an organizer typed, so an
address inside our own network (the database, a cloud metadata service at
169.254.169.254, an admin port on loopback) must never be a target. The URL is checked
when it is registered, and again before every send: the host is resolved, every address
it resolves to is checked, and the connection is made to a checked address (transport.py),
so DNS cannot answer differently between the check and the connection (rebinding).
WEBHOOK_ALLOW_PRIVATE lifts the address rules and allows plain http, for development and
tests on one machine.

The URL is stored normalized (IDNA host, percent-encoded path and query), so what is
stored, shown and sent are the same ASCII string. A refusal never names an address our
resolver returned: it may know internal names an organizer must not map (the server log
has it); only an address the organizer typed themselves is shown back.
"""

import ipaddress
import logging
import re
import socket
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from flask_babel import gettext as _

URL_MAX = 2048
# Addresses tried per send; a name with more is cut to these (all are still checked).
MAX_ADDRESSES = 3
NAT64 = ipaddress.ip_network("64:ff9b::/96")
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){LABEL}(?:\.{LABEL})*$")
# In a path or query: an existing %XX escape, or a character to percent-encode. Unreserved
# and reserved characters (RFC 3986) stay as typed: encoding a reserved one changes meaning.
TO_ENCODE = re.compile(r"%[0-9A-Fa-f]{2}|[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]")
log = logging.getLogger(__name__)
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

    @property
    def url(self) -> str:
        """The normalized URL: what is stored, and exactly what is requested."""
        return f"{self.scheme}://{self.host_header}{self.path}"


def _ip(value: str):
    """The address in value, or None when it is a name."""
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _not_a_url() -> TargetRefused:
    """The error for anything that is not a usable web address."""
    return TargetRefused(_("This is not a web address we can send to."))


def _encode(part: str) -> str:
    """part percent-encoded as UTF-8, keeping existing %XX escapes and reserved characters."""

    def one(match) -> str:
        text = match.group()
        return text if len(text) == 3 else quote(text.encode("utf-8"), safe="")

    return TO_ENCODE.sub(one, part)


def _unusable_character(url: str) -> bool:
    """Whitespace, control or invisible formatting characters anywhere in url.

    Spaces are refused rather than encoded: inside a pasted address they are nearly always
    a copy mistake. Invisible format characters (bidi overrides, zero-width) would make the
    address shown on the page differ from the one we send to.
    """
    return any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in url)


def _ascii_host(host: str, *, allow_private: bool) -> str:
    """A host name IDNA-encoded and lower-cased; TargetRefused when it is not a valid one."""
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise _not_a_url() from None
    single_label = "." not in host and host != "localhost"
    if not HOSTNAME.match(host) or (single_label and not allow_private):
        raise _not_a_url()
    return host


def parse_target(url: str, *, allow_private: bool) -> Target:
    """Check a URL's shape and normalize it: https (http only with private targets allowed),
    a host, no login; the host IDNA-encoded, the path and query percent-encoded.

    A fragment is dropped: it is never sent in an HTTP request, so it means nothing to the
    receiver, and keeping it would store an address that differs from what is requested.
    """
    url = (url or "").strip()
    if not url:
        raise TargetRefused(_("Give the address of your webhook receiver."))
    if len(url) > URL_MAX or _unusable_character(url):
        raise _not_a_url()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _not_a_url() from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme.lower() not in schemes:
        raise TargetRefused(_("Webhook addresses must start with https://."))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(_("Leave the user name and password out of the address."))
    host = (parts.hostname or "").rstrip(".")
    literal = _ip(host) is not None
    if not literal:
        host = _ascii_host(host, allow_private=allow_private)
    scheme = parts.scheme.lower()
    try:
        path = _encode(parts.path or "/") + (f"?{_encode(parts.query)}" if parts.query else "")
    except UnicodeError:  # a lone surrogate: not text that can be sent
        raise _not_a_url() from None
    target = Target(scheme, host, port or (443 if scheme == "https" else 80), path, literal)
    if len(target.url) > URL_MAX:
        raise _not_a_url()
    return target


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


def refusal(target: Target, address: str, kind: str) -> TargetRefused:
    """The error for a target at a forbidden address, and a server-log line naming it.

    An address the organizer typed is shown back; an address our resolver answered is not
    (split-horizon DNS: naming it would let an organizer map our internal names).
    """
    log.warning("webhook target %s refused: %s is a %s address", target.host, address, kind)
    if target.literal:
        message = _(
            "%(address)s is a non-public address: webhooks are sent to public addresses only.",
            address=target.host,
        )
    else:
        message = _(
            "%(host)s resolves to a non-public address: webhooks are sent to public addresses"
            " only.",
            host=target.host,
        )
    return TargetRefused(message)


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
        raise refusal(target, target.host, "loopback")
    else:
        addresses = resolve(target.host, target.port)
    if not addresses:
        raise OSError(f"{target.host} has no address")
    for address in addresses:
        kind = address_problem(address, allow_private=allow_private)
        if kind:
            raise refusal(target, address, kind)
    return addresses[:MAX_ADDRESSES]


def check_registration(url: str, *, allow_private: bool) -> str:
    """The normalized URL (see parse_target), if it may be registered; TargetRefused otherwise.

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
    return target.url
