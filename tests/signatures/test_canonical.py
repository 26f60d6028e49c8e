"""Canonical email addresses: one signature per person, however they spell their address."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from campaigns.signatures.canonical import IGNORE_TAGS, canonical_email, email_domain

# Characters RFC 5322 allows unquoted in a local part ("atext"), minus "+", added on its own.
ATEXT = "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*/=?^_`{|}~-"
PROVIDERS = [
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
    "protonmail.ch",
    "example.org",
    "yahoo.com",
    "mail.example.co.uk",
]

atoms = st.text(alphabet=ATEXT + "+", min_size=1, max_size=8)
locals_ = st.lists(atoms, min_size=1, max_size=4).map(".".join)
labels = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
domains = st.one_of(
    st.sampled_from(PROVIDERS),
    st.builds(lambda a, b: f"{a}.{b}", labels, st.sampled_from(["com", "org", "net", "fr"])),
)
addresses = st.builds(lambda local, domain: f"{local}@{domain}", locals_, domains)
unicode_locals = st.text(
    alphabet=st.characters(categories=["Ll", "Lu", "Nd"]), min_size=1, max_size=10
)

QUICK = settings(max_examples=300, deadline=None, database=None)


def canonical_or_none(address: str) -> str | None:
    """The canonical form, or None when the address is refused."""
    try:
        return canonical_email(address)
    except ValueError:
        return None


@QUICK
@given(addresses)
@example("a.+x@outlook.com")
@example("A.B+x@GoogleMail.com")
def test_canonical_is_idempotent(address):
    """Canonicalizing a canonical address changes nothing (and never refuses it)."""
    canonical = canonical_or_none(address)
    if canonical is not None:
        assert canonical_email(canonical) == canonical


@QUICK
@given(st.builds(lambda local, domain: f"{local}@{domain}", unicode_locals, domains))
def test_canonical_is_idempotent_for_international_addresses(address):
    """Non-ASCII local parts are normalized once and stay put."""
    canonical = canonical_or_none(address)
    if canonical is not None:
        assert canonical_email(canonical) == canonical


@QUICK
@given(addresses, st.randoms(use_true_random=False))
def test_canonical_ignores_case_and_surrounding_space(address, rnd):
    """Upper-casing the address, or any of its letters, gives the same canonical form."""
    canonical = canonical_or_none(address)
    mixed = "".join(c.upper() if rnd.random() < 0.5 else c for c in address)
    assert canonical_or_none(address.upper()) == canonical
    assert canonical_or_none(f"  {mixed}\t") == canonical


@QUICK
@given(
    st.lists(labels, min_size=1, max_size=4),
    st.one_of(st.none(), labels),
    st.sampled_from(["gmail.com", "googlemail.com", "GMail.com"]),
)
def test_gmail_ignores_dots_tags_and_the_googlemail_alias(parts, tag, domain):
    """Gmail delivers a.n.a+x@googlemail.com to ana@gmail.com: one person, one canonical."""
    address = ".".join(parts) + (f"+{tag}" if tag else "") + f"@{domain}"
    assert canonical_email(address) == "".join(parts) + "@gmail.com"


@QUICK
@given(
    st.lists(labels, min_size=1, max_size=4),
    labels,
    st.sampled_from(sorted(IGNORE_TAGS)),
)
def test_tag_only_providers_drop_tags_but_keep_dots(parts, tag, domain):
    """Outlook and friends ignore +tags but not dots."""
    local = ".".join(parts)
    assert canonical_email(f"{local}+{tag}@{domain}") == f"{local}@{domain}"
    assert canonical_email(f"{local}@{domain}") == f"{local}@{domain}"


@QUICK
@given(
    st.lists(labels, min_size=2, max_size=4), labels, st.sampled_from(["example.org", "yahoo.com"])
)
def test_other_providers_keep_dots_and_tags(parts, tag, domain):
    """Unknown providers may treat dots and +tags as different mailboxes: both are kept."""
    local = ".".join(parts)
    assert canonical_email(f"{local}+{tag}@{domain}") == f"{local}+{tag}@{domain}"
    assert canonical_email(f"{local}@{domain}") != canonical_email("".join(parts) + f"@{domain}")


def test_known_spellings():
    """A few spellings written out, so a reader sees the rules at a glance."""
    assert canonical_email(" A.N.A+petitions@GoogleMail.com ") == "ana@gmail.com"
    assert canonical_email("Jo.Smith+x@Outlook.com") == "jo.smith@outlook.com"
    assert canonical_email("jo.smith+x@example.org") == "jo.smith+x@example.org"
    assert canonical_email("x@protonmail.ch") == "x@protonmail.com"
    # A bare tag is the whole mailbox name; stripping it would leave nothing.
    assert canonical_email("+news@gmail.com") == "+news@gmail.com"
    assert email_domain(canonical_email("a.b@GoogleMail.com")) == "gmail.com"


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ",
        "ana",
        "ana@",
        "@example.org",
        "ana@@example.org",
        "a..b@example.org",
        ".ana@example.org",
        "ana.@example.org",
        "ana@localhost",
        "ana@example",
        "an a@example.org",
        "ana@exa mple.org",
        "ana@-example.org",
        "<ana@example.org>",
        "ana@example.org\nbcc@example.org",
        "x" * 250 + "@example.org",
    ],
)
def test_invalid_addresses_raise_value_error(address):
    """Anything that is not a usable address is refused with a readable ValueError."""
    with pytest.raises(ValueError, match=r"\w"):
        canonical_email(address)


@QUICK
@given(st.text(max_size=30).filter(lambda s: "@" not in s))
def test_text_without_an_at_sign_is_refused(text):
    """No @, no address: always ValueError, never another exception."""
    with pytest.raises(ValueError):
        canonical_email(text)
