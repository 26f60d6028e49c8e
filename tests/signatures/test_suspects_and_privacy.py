"""Suspect signatures over the limits, and the keyed hashes that stand in for IP addresses."""

import hashlib
import hmac

from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import Signature, SignatureState
from campaigns.signatures import services
from campaigns.signatures.privacy import hash_ip
from campaigns.signatures.services import Outcome
from tests.conftest import outbox_rows
from tests.signatures.test_services import (
    IP_A,
    IP_B,
    IP_C,
    confirm_emails,
    deltas,
    run,
    sign,
    sign_member,
    signature,
    signatures,
)

# --- Suspects and limits -----------------------------------------------------------------


def limited_app(app_factory, **limits):
    """An app with signing limits on; created last, so it owns Flask-Limiter's storage."""
    return app_factory(RATELIMIT_ENABLED=True, **limits)


def test_third_signing_from_one_address_is_suspect(app_factory, make_campaign):
    """Over the per-IP-per-campaign limit: accepted in appearance, no email, never counted."""
    slug = make_campaign()
    app = limited_app(app_factory, SIGN_LIMIT_PER_IP_PER_CAMPAIGN="2 per hour")
    results = [sign(app, slug, f"s{n}@example.org", ip_hash=IP_A) for n in range(3)]
    assert [r.suspect for r in results] == [False, False, True]
    assert all(r.created for r in results)
    held = signature(app, results[2].signature_id)
    assert held.suspect and held.suspect_reason == "ip_campaign"
    assert [e.recipient for e in confirm_emails(app)] == ["s0@example.org", "s1@example.org"]
    assert run(app, services.confirm, held.id) == Outcome.HELD
    assert signature(app, held.id).state == SignatureState.PENDING and deltas(app) == []
    # Another address is not held, nor is the same address on another campaign.
    assert not sign(app, slug, "other@example.org", ip_hash=IP_B).suspect
    assert not sign(app, make_campaign(), "s9@example.org", ip_hash=IP_A).suspect


def test_suspect_member_signature_is_confirmed_but_not_counted(
    app_factory, make_campaign, make_user
):
    """Members are limited too: the row is confirmed but held out of the count."""
    slug = make_campaign()
    users = [make_user() for _ in range(2)]
    app = limited_app(app_factory, SIGN_LIMIT_PER_IP_PER_CAMPAIGN="1 per hour")
    first, second = (sign_member(app, slug, user, ip_hash=IP_A) for user in users)
    assert not first.suspect and second.suspect and second.confirmed
    assert deltas(app) == [1]
    assert run(app, services.withdraw, second.signature_id) == Outcome.DONE
    assert deltas(app) == [1]


def test_per_domain_limit_spares_exempt_domains(app_factory, make_campaign):
    """Many signers from one small domain are held; big providers are exempt."""
    slug = make_campaign()
    app = limited_app(
        app_factory,
        SIGN_LIMIT_PER_DOMAIN_PER_CAMPAIGN="2 per hour",
        SIGN_LIMIT_EXEMPT_DOMAINS=frozenset({"gmail.com", "bigmail.example"}),
    )
    ips = iter(f"{n:032x}" for n in range(1, 100))
    small = [sign(app, slug, f"s{n}@corp.example", ip_hash=next(ips)).suspect for n in range(3)]
    gmail = [sign(app, slug, f"g{n}@googlemail.com", ip_hash=next(ips)).suspect for n in range(4)]
    big = [sign(app, slug, f"b{n}@bigmail.example", ip_hash=next(ips)).suspect for n in range(4)]
    assert small == [False, False, True] and not any(gmail) and not any(big)
    held = [s for s in signatures(app) if s.suspect]
    assert [s.suspect_reason for s in held] == ["domain_campaign"]


def test_limits_off_means_nobody_is_suspect(app, make_campaign):
    """The test default (limits off) holds nobody back, however many sign from one address."""
    slug = make_campaign()
    assert not any(sign(app, slug, f"s{n}@example.org", ip_hash=IP_C).suspect for n in range(12))


# --- IP addresses ------------------------------------------------------------------------


def test_ip_hash_is_a_keyed_hmac(app_factory):
    """HMAC-SHA256 under IP_HASH_SECRET: stable, secret-dependent, never the address itself."""
    app = app_factory(IP_HASH_SECRET="pepper")
    other = app_factory(IP_HASH_SECRET="salt")
    with app.app_context():
        digest = hash_ip("203.0.113.7")
        expected = hmac.new(b"pepper", b"203.0.113.7", hashlib.sha256).hexdigest()[:32]
        assert digest == expected == hash_ip("203.0.113.7")
        assert digest != hashlib.sha256(b"203.0.113.7").hexdigest()[:32]
        assert "203" not in digest and hash_ip("203.0.113.8") != digest
        assert hash_ip(None) is None and hash_ip("") is None
    with other.app_context():
        assert hash_ip("203.0.113.7") != digest


def test_ip_hash_without_its_own_secret_derives_one_from_secret_key(app):
    """Without IP_HASH_SECRET the key is derived from SECRET_KEY, not SECRET_KEY itself."""
    with app.app_context():
        assert app.config["IP_HASH_SECRET"] is None
        plain = hmac.new(app.config["SECRET_KEY"].encode(), b"198.51.100.1", hashlib.sha256)
        digest = hash_ip("198.51.100.1")
        assert len(digest) == 32 and digest != plain.hexdigest()[:32]


def test_signing_over_http_stores_only_the_keyed_hash_of_the_address(app, make_campaign):
    """The request's address reaches the row as hash_ip(address), and nowhere in clear."""
    slug = make_campaign()
    response = app.test_client().post(
        f"/campaigns/{slug}/sign",
        data={"name": "Ana", "email": "ana@example.org", "country": "GB"},
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
    )
    assert response.status_code == 303
    [row] = signatures(app)
    with app.app_context():
        assert row.ip_hash == hash_ip("203.0.113.77")
        values = db.session.execute(select(Signature.__table__)).one()
    assert not any("203.0.113" in str(value) for value in values)
    assert all("203.0.113" not in str(e.payload) for e in outbox_rows(app))


def test_ipv6_addresses_hash_by_their_slash_64(app):
    """One IPv6 subscriber rotating through its /64 keeps one hash; other networks differ."""
    from campaigns.signatures.privacy import hash_ip

    with app.app_context():
        same = {hash_ip("2001:db8:1:2::1"), hash_ip("2001:db8:1:2:ffff::9")}
        assert len(same) == 1
        assert hash_ip("2001:db8:1:3::1") not in same
        assert hash_ip("::ffff:192.0.2.7") == hash_ip("192.0.2.7")
        assert hash_ip("192.0.2.7") != hash_ip("192.0.2.8")
