"""Moderators against floods: busiest address hashes and domains, bulk invalidate and release."""

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Role,
    Signature,
    SignatureState,
    utcnow,
)
from campaigns.signatures import counting
from campaigns.signatures import moderation_queries as queries
from campaigns.signatures.services import confirm
from tests.conftest import USING_POSTGRES, get_campaign, outbox_rows
from tests.signatures.moderation_helpers import (
    add_signatures,
    aggregate_and_check,
    audits,
    deltas,
    states,
)

CONFIRMED, PENDING = SignatureState.CONFIRMED, SignatureState.PENDING
IP_A, IP_B, IP_C, IP_D = ("a" * 32, "b" * 32, "c" * 32, "d" * 32)


@pytest.fixture
def staff(login_as):
    """The client, logged in as a moderator."""
    return login_as(Role.MODERATOR)


def test_busiest_lists_are_counted_and_ordered(app, client, staff, make_campaign):
    """Last hour only, this campaign only, busiest first, with suspect and confirmed counts."""
    slug, other = make_campaign(), make_campaign()
    old = utcnow() - timedelta(hours=2)
    add_signatures(
        app, slug,
        {"n": 3, "ip_hash": IP_A, "email_domain": "flood.test"},
        {"n": 2, "ip_hash": IP_A, "email_domain": "flood.test", "suspect": True},
        {"n": 1, "ip_hash": IP_A, "email_domain": "mail.test", "state": PENDING},
        {"n": 2, "ip_hash": IP_B, "email_domain": "mail.test"},
        {"n": 4, "ip_hash": IP_C, "email_domain": "old.test", "created_at": old},
    )  # fmt: skip
    add_signatures(app, other, {"n": 9, "ip_hash": IP_D, "email_domain": "other.test"})
    with app.test_request_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        since = utcnow() - timedelta(hours=1)
        ips = queries.busiest_ip_hashes(campaign, since)
        domains = queries.busiest_domains(campaign, since)
        assert [(b.key, b.total, b.suspect, b.confirmed) for b in ips] == [
            (IP_A, 6, 2, 5),
            (IP_B, 2, 0, 2),
        ]
        assert [(b.key, b.total, b.suspect, b.confirmed) for b in domains] == [
            ("flood.test", 5, 2, 5),
            ("mail.test", 3, 0, 2),
        ]
        wider = queries.busiest_ip_hashes(campaign, utcnow() - timedelta(hours=3))
        assert [b.key for b in wider] == [IP_A, IP_C, IP_B]
    page = client.get(f"/moderation/campaigns/{slug}/signatures")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index(IP_A) < html.index(IP_B) and IP_C not in html and IP_D not in html
    assert html.index("flood.test") < html.index("mail.test") and "other.test" not in html
    wider = client.get(f"/moderation/campaigns/{slug}/signatures?hours=3").get_data(as_text=True)
    assert wider.index(IP_A) < wider.index(IP_C) < wider.index(IP_B)


def test_busiest_lists_stop_at_twenty(app, client, staff, make_campaign):
    """At most 20 rows each, whatever the flood."""
    slug = make_campaign()
    add_signatures(app, slug, *({"ip_hash": f"{n:032x}"} for n in range(25)))
    with app.test_request_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        assert len(queries.busiest_ip_hashes(campaign, utcnow() - timedelta(hours=1))) == 20


def test_page_shows_counts_but_never_signers(app, client, staff, make_campaign):
    """Count, pending deltas and suspect totals appear; emails and names never do."""
    slug = make_campaign()
    add_signatures(
        app, slug,
        {"n": 2, "ip_hash": IP_A, "email_domain": "flood.test", "suspect": True, "state": PENDING},
        {"n": 1, "ip_hash": IP_A, "email_domain": "flood.test", "suspect": True},
        {"n": 4, "ip_hash": IP_B, "email_domain": "mail.test"},
    )  # fmt: skip
    with app.app_context():
        counting.record_delta(get_campaign(app, slug).id, -1)
        db.session.commit()
    html = client.get(f"/moderation/campaigns/{slug}/signatures").get_data(as_text=True)
    assert "3 in all: 1 confirmed, 2 awaiting confirmation" in html
    assert "-1 waiting to be counted" in html
    assert re.search(r"signer\d", html) is None and "@flood.test" not in html
    assert "Signer Number" not in html


@pytest.mark.parametrize("hours", ["0", "73", "abc", "-1", "1.5", "%2B5", "99999999999999999999"])
def test_bad_hours_are_refused(client, staff, make_campaign, hours):
    """The window is a whole number of hours from 1 to 72."""
    slug = make_campaign()
    response = client.get(f"/moderation/campaigns/{slug}/signatures?hours={hours}")
    assert response.status_code == 400
    assert "from 1 to 72" in response.get_data(as_text=True)


def test_widest_window_and_unknown_campaign(client, staff, make_campaign):
    """72 hours is allowed; an unknown slug is a 404."""
    slug = make_campaign(status=CampaignStatus.CLOSED)
    assert client.get(f"/moderation/campaigns/{slug}/signatures?hours=72").status_code == 200
    assert client.get("/moderation/campaigns/nope/signatures").status_code == 404
    assert client.post("/moderation/campaigns/nope/signatures/release").status_code == 404


@pytest.mark.parametrize("path", ["", "/invalidate", "/release"])
def test_only_moderators_may_use_the_tools(app, client, login_as, make_campaign, path):
    """Anonymous visitors go to the log-in page, members get 403, admins pass."""
    slug = make_campaign()
    ids = add_signatures(app, slug, {"n": 2, "email_domain": "flood.test"})
    url = f"/moderation/campaigns/{slug}/signatures{path}"
    send = client.get if not path else client.post
    anonymous = send(url, data={"domain": "flood.test"})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login_as(Role.MEMBER)
    assert send(url, data={"domain": "flood.test"}).status_code == 403
    assert states(app, ids) == [CONFIRMED, CONFIRMED]
    client.post("/logout")
    login_as(Role.ADMIN)
    assert send(url, data={"domain": "flood.test"}).status_code in (200, 303)


def test_invalidate_by_domain(app, client, staff, make_campaign):
    """Only the domain's pending and confirmed rows; one audit; the count corrects."""
    slug, other = make_campaign(), make_campaign()
    hit = add_signatures(
        app, slug,
        {"n": 2, "email_domain": "flood.test"},
        {"n": 1, "email_domain": "flood.test", "suspect": True},
        {"n": 1, "email_domain": "flood.test", "state": PENDING},
    )  # fmt: skip
    spared = add_signatures(
        app, slug,
        {"n": 1, "email_domain": "flood.test", "state": SignatureState.WITHDRAWN},
        {"n": 3, "email_domain": "mail.test"},
    )  # fmt: skip
    elsewhere = add_signatures(app, other, {"n": 2, "email_domain": "flood.test"})
    assert get_campaign(app, slug).signature_count == 5
    response = client.post(
        f"/moderation/campaigns/{slug}/signatures/invalidate",
        data={"domain": " Flood.TEST ", "note": "bot flood"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/moderation/campaigns/{slug}/signatures")
    assert "4 signatures invalidated." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert set(states(app, hit)) == {SignatureState.INVALIDATED}
    assert states(app, spared) == [SignatureState.WITHDRAWN] + [CONFIRMED] * 3
    assert states(app, elsewhere) == [CONFIRMED, CONFIRMED]
    (details,) = audits(app, "signatures.invalidated")
    assert details["domain"] == "flood.test" and details["note"] == "bot flood"
    assert details["invalidated"] == 4 and details["uncounted"] == 2
    assert deltas(app) == [-2]
    assert aggregate_and_check(app, slug) == 3
    assert get_campaign(app, other).signature_count == 2


def test_invalidate_by_ip_hash(app, client, staff, make_campaign):
    """Only that address hash's rows, suspect ones not subtracted twice."""
    slug = make_campaign()
    hit = add_signatures(
        app, slug, {"n": 3, "ip_hash": IP_A}, {"n": 2, "ip_hash": IP_A, "suspect": True}
    )
    spared = add_signatures(app, slug, {"n": 2, "ip_hash": IP_B}, {"n": 1, "ip_hash": None})
    response = client.post(
        f"/moderation/campaigns/{slug}/signatures/invalidate", data={"ip_hash": IP_A.upper()}
    )
    assert response.status_code == 303
    assert set(states(app, hit)) == {SignatureState.INVALIDATED}
    assert set(states(app, spared)) == {CONFIRMED}
    (details,) = audits(app, "signatures.invalidated")
    assert details["ip_hash"] == IP_A and details["invalidated"] == 5
    assert deltas(app) == [-3]
    assert aggregate_and_check(app, slug) == 3


def test_invalidate_by_time_window(app, client, staff, make_campaign):
    """From `since` included to `until` excluded, read as UTC."""
    slug = make_campaign()
    base = (utcnow() - timedelta(days=1)).replace(second=0, microsecond=0)
    at = [base + timedelta(minutes=m) for m in (0, 10, 20, 30)]
    ids = add_signatures(app, slug, *({"created_at": t} for t in at))
    response = client.post(
        f"/moderation/campaigns/{slug}/signatures/invalidate",
        data={
            "since": at[1].strftime("%Y-%m-%dT%H:%M"),
            "until": at[3].strftime("%Y-%m-%dT%H:%M:%S"),
        },
    )
    assert response.status_code == 303
    assert states(app, ids) == [CONFIRMED, SignatureState.INVALIDATED,
                                SignatureState.INVALIDATED, CONFIRMED]  # fmt: skip
    (details,) = audits(app, "signatures.invalidated")
    assert details["since"].startswith(at[1].strftime("%Y-%m-%dT%H:%M"))
    assert details["domain"] is None and details["ip_hash"] is None
    assert aggregate_and_check(app, slug) == 2


@pytest.mark.parametrize(
    ("data", "message", "status"),
    [
        ({}, "Choose a domain, an address hash or a time window.", 422),
        ({"note": "only a note"}, "Choose a domain, an address hash or a time window.", 422),
        (
            {"since": "2030-01-02T00:00", "until": "2030-01-01T00:00"},
            "The start of the time window must come before its end.",
            422,
        ),
        ({"ip_hash": "not-a-hash"}, "An address hash is hexadecimal.", 400),
        ({"since": "yesterday"}, "Not a valid datetime value.", 400),
    ],
)
def test_bad_selections_change_nothing(app, client, staff, make_campaign, data, message, status):
    """No filter, a backwards window or malformed fields: a clear message, nothing changed."""
    slug = make_campaign()
    ids = add_signatures(app, slug, {"n": 2}, {"n": 1, "suspect": True})
    for action in ("invalidate", "release"):
        response = client.post(f"/moderation/campaigns/{slug}/signatures/{action}", data=data)
        assert response.status_code == status
        assert message in response.get_data(as_text=True)
    assert states(app, ids) == [CONFIRMED] * 3
    assert audits(app, "signatures.invalidated") == [] and deltas(app) == []


def test_release_emails_pending_and_counts_confirmed(app, client, staff, make_campaign):
    """Suspect pending ones get one confirmation email each; suspect confirmed ones count."""
    slug = make_campaign()
    held_pending = add_signatures(
        app, slug, {"n": 2, "ip_hash": IP_A, "suspect": True, "state": PENDING}
    )
    held_confirmed = add_signatures(app, slug, {"n": 2, "ip_hash": IP_A, "suspect": True})
    untouched = add_signatures(
        app, slug,
        {"n": 1, "ip_hash": IP_A, "state": PENDING},
        {"n": 1, "ip_hash": IP_B, "suspect": True, "state": PENDING},
        {"n": 1, "ip_hash": IP_A, "suspect": True, "state": SignatureState.INVALIDATED},
    )  # fmt: skip
    assert get_campaign(app, slug).signature_count == 0
    response = client.post(
        f"/moderation/campaigns/{slug}/signatures/release", data={"ip_hash": IP_A}
    )
    assert response.status_code == 303
    assert "4 suspect signatures released." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        rows = {s.id: s for s in db.session.scalars(select(Signature))}
        assert not any(rows[i].suspect for i in held_pending + held_confirmed)
        assert [rows[i].suspect for i in untouched] == [False, True, True]
        emails = {rows[i].email for i in held_pending}
    sent = outbox_rows(app, template="signature_confirm")
    assert sorted(row.recipient for row in sent) == sorted(emails)
    (details,) = audits(app, "signatures.released")
    assert details["released"] == 4 and details["counted"] == 2
    assert aggregate_and_check(app, slug) == 2
    # Releasing again finds nothing held: no second email, no second delta.
    client.post(f"/moderation/campaigns/{slug}/signatures/release", data={"ip_hash": IP_A})
    assert len(outbox_rows(app, template="signature_confirm")) == 2 and deltas(app) == []


def test_staff_pages_link_to_the_tools(app, client, staff, make_campaign):
    """The review page and the campaign page lead moderators to the signatures page."""
    slug = make_campaign()
    target = f"/moderation/campaigns/{slug}/signatures"
    assert target in client.get(f"/moderation/campaigns/{slug}").get_data(as_text=True)
    assert target in client.get(f"/campaigns/{slug}").get_data(as_text=True)


@pytest.mark.postgres
@pytest.mark.skipif(not USING_POSTGRES, reason="racing transactions need PostgreSQL")
def test_invalidate_racing_confirms_keeps_the_count_exact(app, make_user, make_campaign):
    """Confirmations from threads while a moderator invalidates their domain: no drift."""
    slug = make_campaign()
    moderator = make_user(role=Role.MODERATOR)
    flood = add_signatures(app, slug, {"n": 40, "email_domain": "flood.test", "state": PENDING})
    fine = add_signatures(app, slug, {"n": 20, "email_domain": "mail.test", "state": PENDING})
    barrier = threading.Barrier(5)
    errors = []

    def confirm_all(ids):
        """Confirm each signature in its own transaction."""
        with app.app_context():
            barrier.wait()
            for sid in ids:
                try:
                    confirm(sid)
                    db.session.commit()
                except Exception as exc:  # a failure here must fail the test, not vanish
                    db.session.rollback()
                    errors.append(exc)

    def invalidate_flood():
        """Invalidate the flood domain while confirmations run."""
        from campaigns.models import User
        from campaigns.signatures.abuse import Selection, invalidate

        with app.test_request_context():
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
            actor = db.session.get(User, moderator.id)
            barrier.wait()
            invalidate(actor, campaign, Selection(domain="flood.test"))
            db.session.commit()

    mixed = flood + fine
    chunks = [mixed[i::4] for i in range(4)]
    threads = [threading.Thread(target=confirm_all, args=(c,)) for c in chunks]
    threads.append(threading.Thread(target=invalidate_flood))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(states(app, flood)) == {SignatureState.INVALIDATED}
    assert set(states(app, fine)) == {CONFIRMED}
    assert aggregate_and_check(app, slug) == 20


@pytest.mark.postgres
@pytest.mark.skipif(not USING_POSTGRES, reason="query plans are checked on PostgreSQL")
@pytest.mark.parametrize("column", [Signature.ip_hash, Signature.email_domain])
def test_busiest_lists_use_the_campaign_created_at_index(app, make_campaign, column):
    """A campaign with days of signatures: the last hour is found through the index."""
    from tests.petitions.test_query_plans import plan

    slug = make_campaign()
    now = utcnow()
    with app.app_context():
        campaign_id = get_campaign(app, slug).id
        rows = [
            {
                "campaign_id": campaign_id,
                "email": f"p{n}@d{n % 50}.test",
                "canonical_email": f"p{n}@d{n % 50}.test",
                "email_domain": f"d{n % 50}.test",
                "ip_hash": f"{n % 300:032x}",
                "country": "GB",
                "name": "",
                "state": CONFIRMED,
                "created_at": now - timedelta(minutes=n),
            }
            for n in range(20_000)
        ]
        db.session.execute(sa.insert(Signature), rows)
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE signature"))
        query = queries.busiest_query(campaign_id, column, now - timedelta(hours=1), 20)
        text = plan(db, query)
    assert "ix_signature_campaign_id_created_at" in text, text
    assert "Seq Scan on signature" not in text, text
