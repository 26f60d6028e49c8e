"""Canonical email addresses: one signature per person, however they spell their address."""

from campaigns.core.emails import normalize_email

# Providers that deliver "a.n.a+petitions@" to "ana@": dots and +tags are ignored.
IGNORE_DOTS_AND_TAGS = frozenset({"gmail.com"})
# Providers that ignore +tags but not dots.
IGNORE_TAGS = frozenset(
    {
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "fastmail.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
    }
)
# Other names for the same mailboxes.
DOMAIN_ALIASES = {"googlemail.com": "gmail.com", "protonmail.ch": "protonmail.com"}


def canonical_email(address: str) -> str:
    """The address that identifies a person: validated, trimmed, lower-cased, aliases folded.

    Raises ValueError with a readable message when the address is not valid.
    Idempotent: canonical_email(canonical_email(a)) == canonical_email(a).
    """
    normalized = normalize_email(address)
    local, _, domain = normalized.rpartition("@")
    domain = DOMAIN_ALIASES.get(domain, domain)
    if domain in IGNORE_DOTS_AND_TAGS or domain in IGNORE_TAGS:
        # "a.+x" is valid but "a." is not: drop the dot the tag leaves, so the result
        # stays a valid address (and canonicalizing it again changes nothing).
        untagged = local.split("+", 1)[0].rstrip(".")
        local = untagged or local
    if domain in IGNORE_DOTS_AND_TAGS:
        local = local.replace(".", "") or local
    return f"{local}@{domain}"


def email_domain(canonical: str) -> str:
    """The domain part of a canonical address."""
    return canonical.rpartition("@")[2]
