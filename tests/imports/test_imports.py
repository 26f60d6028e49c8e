"""Paper-signature imports over HTTP: the acceptance case, confirming, discarding, privacy."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.imports import services
from campaigns.models import (
    AuditEvent,
    Campaign,
    CampaignStatus,
    ImportState,
    Signature,
    SignatureDelta,
    SignatureSource,
    SignatureState,
    Visibility,
    utcnow,
)
from campaigns.signatures.counting import aggregate
from campaigns.signatures.services import confirm, purge_stale_pending, sign
from campaigns.signatures.tokens import make_confirm_token
from tests.conftest import login
from tests.imports.helpers import campaign_row, csv_bytes, imports_of, signatures_of, upload

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
ONLINE_EMAIL = "Online.Signer+petitions@gmail.com"
# Lines 2-12: four valid new signers, a duplicate, six bad rows and the online signer.
MIXED = csv_bytes(
    "Full Name,Country,E-mail,Signed on",
    "Ana López,ES,ana@example.org,2024-03-01",
    "Bob Marley,France,,2024-03-02",
    "Bob Marley,France,,2024-03-02",
    "Ana L.,es,ANA@example.org,2024-03-01",
    ",GB,nameless@example.org,2024-03-01",
    "Carla,Atlantis,carla@example.org,2024-03-01",
    "Dan,GB,not-an-email,2024-03-01",
    "Eve,GB,eve@example.org,2999-01-01",
    "Fay,GB,,yesterday",
    "Online Person,GB,onlinesigner@googlemail.com,2024-03-03",
    "Gus,United Kingdom,g.u.s@gmail.com,01/03/2024",
)
EXPECTED = {
    2: None, 3: None, 4: None, 5: "duplicate_in_file", 6: "missing_name",
    7: "unknown_country", 8: "invalid_email", 9: "future_date", 10: "bad_date",
    11: "already_counted", 12: None,
}  # fmt: skip


@pytest.fixture
def organizer(app, client, make_user, make_campaign):
    """An open campaign whose owner is logged in; returns (owner, slug)."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    assert login(client, owner.email).status_code == 302
    return owner, slug


def sign_online(app, slug: str, email: str = ONLINE_EMAIL) -> int:
    """A guest signs online and confirms; the count is aggregated. Returns the signature id."""
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        signed = sign(campaign, name="Olive Online", email=email, country="FR",
                      visibility=Visibility.FULL_NAME, consent_updates=True)  # fmt: skip
        confirm(signed.signature_id)
        _db.session.commit()
        aggregate()
        return signed.signature_id


def count(app, slug: str) -> int:
    """The campaign's count after the aggregator has run."""
    with app.app_context():
        aggregate()
    return campaign_row(app, slug).signature_count


def snapshot(signature: Signature) -> dict:
    """The fields of a signature that an import must never change."""
    names = ("state", "name", "email", "canonical_email", "country", "source", "import_id",
             "visibility", "consent_updates", "confirmed_at", "created_at")  # fmt: skip
    return {name: getattr(signature, name) for name in names}


def test_import_adds_exactly_the_valid_new_signatures(app, client, organizer):
    """Duplicates, bad rows and an online signer's email: only the four valid rows count."""
    _owner, slug = organizer
    online_id = sign_online(app, slug)
    before = {s.id: snapshot(s) for s in signatures_of(app, slug)}
    assert count(app, slug) == 1

    response = upload(client, slug, MIXED)
    assert response.status_code == 302
    (record,) = imports_of(app, slug)
    assert response.headers["Location"].endswith(f"/campaigns/{slug}/imports/{record.id}")
    assert (record.rows_total, record.rows_accepted, record.rows_rejected) == (11, 4, 7)
    assert {entry["line"]: entry["reason"] for entry in record.report} == EXPECTED
    assert count(app, slug) == 1  # held until an organizer confirms

    response = client.post(f"/campaigns/{slug}/imports/{record.id}/confirm")
    assert response.status_code == 302
    assert count(app, slug) == 1 + 4
    after = {s.id: s for s in signatures_of(app, slug)}
    assert snapshot(after[online_id]) == before[online_id]
    imported = [s for s in after.values() if s.import_id == record.id]
    assert len(imported) == 4
    assert all(s.source == SignatureSource.IMPORT and s.state == SignatureState.CONFIRMED
               and s.confirmed_at and s.visibility == Visibility.COUNT_ONLY
               and not s.consent_updates and not s.suspect for s in imported)  # fmt: skip
    assert {s.country for s in imported} == {"ES", "FR", "GB"}
    assert sorted(s.created_at.date().isoformat() for s in imported) == [
        "2024-03-01", "2024-03-01", "2024-03-02", "2024-03-02"]  # fmt: skip


def test_confirming_twice_counts_once_and_says_so(app, client, organizer):
    """A second confirm changes nothing, and the page says the import was already decided."""
    _owner, slug = organizer
    upload(client, slug, csv_bytes("name,country,date", "A,GB,2024-01-01", "B,GB,2024-01-02"))
    (record,) = imports_of(app, slug)
    url = f"/campaigns/{slug}/imports/{record.id}/confirm"
    assert "2 signatures will be added" in client.post(url, follow_redirects=True).text
    again = client.post(url, follow_redirects=True)
    assert "already decided; nothing changed" in again.text
    with app.app_context():
        deltas = _db.session.scalars(select(SignatureDelta.delta)).all()
    assert deltas == [2]  # one delta for the whole import
    assert count(app, slug) == 2
    assert imports_of(app, slug)[0].state == ImportState.CONFIRMED


def test_discard_removes_the_waiting_signatures(app, client, organizer):
    """Discarding deletes the import's signatures; confirming afterwards adds nothing."""
    _owner, slug = organizer
    upload(client, slug, csv_bytes("name,country,email,date", "A,GB,a@example.org,2024-01-01"))
    (record,) = imports_of(app, slug)
    assert len(signatures_of(app, slug)) == 1
    response = client.post(f"/campaigns/{slug}/imports/{record.id}/discard", follow_redirects=True)
    assert "Import discarded" in response.text
    assert signatures_of(app, slug) == []
    assert imports_of(app, slug)[0].state == ImportState.DISCARDED
    late = client.post(f"/campaigns/{slug}/imports/{record.id}/confirm", follow_redirects=True)
    assert "already decided" in late.text
    assert count(app, slug) == 0
    # The same person can be imported again once the first import is gone.
    upload(client, slug, csv_bytes("name,country,email,date", "A,GB,a@example.org,2024-01-01"))
    assert imports_of(app, slug)[1].rows_accepted == 1


def test_every_decision_is_audited_with_counts(app, client, organizer):
    """Upload, confirm and discard each leave an audit event naming the rows touched."""
    owner, slug = organizer
    upload(client, slug, csv_bytes("name,country,date", "A,GB,2024-01-01", ",GB,2024-01-01"))
    upload(client, slug, csv_bytes("name,country,date", "B,GB,2024-01-01"))
    first, second = imports_of(app, slug)
    client.post(f"/campaigns/{slug}/imports/{first.id}/confirm")
    client.post(f"/campaigns/{slug}/imports/{second.id}/discard")
    with app.app_context():
        events = _db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        seen = [(e.action, e.actor_id, e.target_id, e.details) for e in events]
    assert [s[:3] for s in seen] == [
        ("imports.uploaded", owner.id, str(first.id)),
        ("imports.uploaded", owner.id, str(second.id)),
        ("imports.confirmed", owner.id, str(first.id)),
        ("imports.discarded", owner.id, str(second.id)),
    ]
    assert seen[0][3]["accepted"] == 1 and seen[0][3]["rejected"] == 1
    assert seen[2][3]["confirmed"] == 1 and seen[3][3]["removed"] == 1


def test_a_race_with_an_online_signer_is_caught_by_the_unique_constraint(
    app, client, organizer, monkeypatch
):
    """If the pre-check misses a signer, ON CONFLICT DO NOTHING still keeps them single."""
    _owner, slug = organizer
    online_id = sign_online(app, slug)
    before = snapshot(signatures_of(app, slug)[0])
    monkeypatch.setattr(services, "_reject_signed", lambda campaign_id, rows: None)
    upload(client, slug, csv_bytes("name,country,email,date",
                                   "Paper Olive,GB,onlinesigner@gmail.com,2024-01-01",
                                   "Paper Pat,GB,pat@example.org,2024-01-01"))  # fmt: skip
    (record,) = imports_of(app, slug)
    assert [e["reason"] for e in record.report] == ["already_counted", None]
    client.post(f"/campaigns/{slug}/imports/{record.id}/confirm")
    assert count(app, slug) == 2
    online = next(s for s in signatures_of(app, slug) if s.id == online_id)
    assert snapshot(online) == before


def test_the_report_never_says_how_a_person_signed(app, client, organizer):
    """Counted online, counted by an import or waiting in another: one and the same reason."""
    owner, slug = organizer
    sign_online(app, slug, "online@example.org")
    first = csv_bytes("name,country,email,date", "A,GB,a@example.org,2024-01-01")
    upload(client, slug, first)
    client.post(f"/campaigns/{slug}/imports/{imports_of(app, slug)[0].id}/confirm")
    upload(client, slug, csv_bytes("name,country,email,date", "W,GB,w@example.org,2024-01-01"))
    upload(client, slug, csv_bytes("name,country,email,date", "O,GB,online@example.org,2024-01-01",
                                   "A,GB,a@example.org,2024-01-01", "W,GB,w@example.org,2024-01-01",
                                   "A,GB,A@example.org,2024-01-01"))  # fmt: skip
    last = imports_of(app, slug)[-1]
    assert [e["reason"] for e in last.report] == ["already_counted"] * 3 + ["duplicate_in_file"]
    page = client.get(f"/campaigns/{slug}/imports/{last.id}").text
    assert "online" not in page.lower() and "earlier import" not in page
    with app.app_context():
        event = _db.session.scalars(
            select(AuditEvent).where(AuditEvent.target_id == str(last.id))
        ).one()
    assert event.actor_id == owner.id
    assert (event.details["rejected"], event.details["duplicates"]) == (4, 4)


def _pending_online(app, slug: str, email: str, **changes) -> int:
    """A guest signs online and never confirms; changes are then applied. Returns its id."""
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        signed = sign(campaign, name="Typed By Anyone", email=email, country="FR",
                      visibility=Visibility.FULL_NAME, consent_updates=True,
                      postcode="75001", reason="Mine", ip_hash="h" * 64)  # fmt: skip
        row = _db.session.get(Signature, signed.signature_id)
        for name, value in changes.items():
            setattr(row, name, value)
        _db.session.commit()
        return signed.signature_id


def test_a_pending_online_signature_is_taken_over_not_lost(app, client, organizer):
    """A paper row replaces an unconfirmed online signature, which the purge then spares."""
    _owner, slug = organizer
    online_id = _pending_online(app, slug, "paper.person@gmail.com")
    held_id = _pending_online(app, slug, "held@example.org", suspect=True, suspect_reason="ip")
    upload(client, slug, csv_bytes("name,country,email,date",
                                   "Paper Person,GB,PaperPerson+x@gmail.com,2024-01-01",
                                   "Held Person,GB,held@example.org,2024-01-02"))  # fmt: skip
    (record,) = imports_of(app, slug)
    assert [e["status"] for e in record.report] == ["accepted", "accepted"]
    assert record.rows_accepted == 2
    with app.app_context():
        assert purge_stale_pending(utcnow() + timedelta(days=400)) == 0
        _db.session.commit()
    rows = {s.id: s for s in signatures_of(app, slug)}
    assert set(rows) == {online_id, held_id}
    taken = rows[online_id]
    assert (taken.import_id, taken.source, taken.state) == (
        record.id, SignatureSource.IMPORT, SignatureState.PENDING)  # fmt: skip
    assert (taken.name, taken.country, taken.created_at.date().isoformat()) == (
        "Paper Person", "GB", "2024-01-01")  # fmt: skip
    assert taken.visibility == Visibility.COUNT_ONLY and not taken.consent_updates
    assert (taken.postcode, taken.reason, taken.ip_hash, taken.user_id) == (None,) * 4
    assert not rows[held_id].suspect and rows[held_id].suspect_reason is None
    client.post(f"/campaigns/{slug}/imports/{record.id}/confirm")
    assert count(app, slug) == 2


def test_discarding_removes_a_taken_over_signature(app, client, organizer):
    """The online row an import took over goes with the import: it was never confirmed."""
    _owner, slug = organizer
    _pending_online(app, slug, "p@example.org")
    upload(client, slug, csv_bytes("name,country,email,date", "P,GB,p@example.org,2024-01-01"))
    (record,) = imports_of(app, slug)
    client.post(f"/campaigns/{slug}/imports/{record.id}/discard")
    assert signatures_of(app, slug) == [] and count(app, slug) == 0


def test_a_confirmation_link_cannot_count_a_paper_row_before_its_import(app, client, organizer):
    """An old link of a taken-over signature waits; discarding then leaves nothing counted."""
    _owner, slug = organizer
    online_id = _pending_online(app, slug, "p@example.org")
    upload(client, slug, csv_bytes("name,country,email,date", "P,GB,p@example.org,2024-01-01"))
    (record,) = imports_of(app, slug)
    with app.app_context():
        token = make_confirm_token(online_id)
    page = client.post(f"/signatures/confirm/{token}")
    assert page.status_code == 200 and "organizers are checking" in page.text
    assert signatures_of(app, slug)[0].state == SignatureState.PENDING
    client.post(f"/campaigns/{slug}/imports/{record.id}/discard")
    assert signatures_of(app, slug) == [] and count(app, slug) == 0


def test_an_invalidated_signature_still_blocks_with_its_own_reason(app, client, organizer):
    """A signature a moderator invalidated keeps the address out, saying so."""
    _owner, slug = organizer
    _pending_online(app, slug, "fake@example.org", state=SignatureState.INVALIDATED)
    upload(client, slug, csv_bytes("name,country,email,date", "F,GB,fake@example.org,2024-01-01"))
    (record,) = imports_of(app, slug)
    assert record.report[0]["reason"] == "invalidated" and record.rows_accepted == 0
    assert "removed by a moderator" in client.get(f"/campaigns/{slug}/imports/{record.id}").text


def test_report_never_shows_an_email_address(app, client, organizer):
    """The report lists names and reasons; no uploaded and no online signer's email."""
    _owner, slug = organizer
    sign_online(app, slug)
    upload(client, slug, MIXED)
    (record,) = imports_of(app, slug)
    base = f"/campaigns/{slug}/imports/{record.id}"
    rejected = client.get(base)
    accepted = client.get(base + "?show=accepted")
    assert rejected.status_code == accepted.status_code == 200
    assert "Atlantis" in rejected.text and "not a country we recognise" in rejected.text
    assert "already counted for this campaign" in rejected.text
    assert "Ana López" in accepted.text and "Gus" in accepted.text
    assert not EMAIL.search(rejected.text) and not EMAIL.search(accepted.text)
    for page in (rejected.text, accepted.text, client.get(f"/campaigns/{slug}/imports").text):
        for secret in ("ana@example.org", "onlinesigner", "online.signer", "Olive", "g.u.s"):
            assert secret.lower() not in page.lower()


def test_imported_signers_stay_anonymous_on_the_public_page(app, client, organizer):
    """Once counted, imported signers show only in the count, never by name."""
    _owner, slug = organizer
    upload(client, slug, csv_bytes("name,country,date", "Zelda Paperwright,GB,2024-01-01"))
    (record,) = imports_of(app, slug)
    client.post(f"/campaigns/{slug}/imports/{record.id}/confirm")
    count(app, slug)
    page = client.get(f"/campaigns/{slug}").text
    assert "Zelda" not in page


def test_purge_spares_imports_waiting_for_confirmation(app, client, organizer):
    """The 30-day purge deletes old pending web signatures but not a waiting import."""
    _owner, slug = organizer
    upload(client, slug, csv_bytes("name,country,date", "Old Paper,GB,2020-01-01"))
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        old = utcnow().replace(year=2020)
        _db.session.add(Signature(
            campaign_id=campaign.id, email="stale@example.org", canonical_email="stale@example.org",
            email_domain="example.org", name="Stale", country="GB", created_at=old,
        ))  # fmt: skip
        _db.session.commit()
        assert purge_stale_pending(utcnow()) == 1
        _db.session.commit()
    (left,) = signatures_of(app, slug)
    assert left.name == "Old Paper" and left.state == SignatureState.PENDING


def test_a_closed_campaign_takes_no_upload_and_no_confirm(app, client, organizer):
    """Uploading to, or confirming on, a campaign that is not open answers 409."""
    _owner, slug = organizer
    upload(client, slug, csv_bytes("name,country,date", "A,GB,2024-01-01"))
    (record,) = imports_of(app, slug)
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        campaign.status, campaign.closed_at = CampaignStatus.CLOSED, utcnow()
        _db.session.commit()
    page = client.get(f"/campaigns/{slug}/imports")
    assert page.status_code == 200 and "can be uploaded while the campaign is open" in page.text
    refused = upload(client, slug, csv_bytes("name,country,date", "B,GB,2024-01-01"))
    assert refused.status_code == 409
    assert client.post(f"/campaigns/{slug}/imports/{record.id}/confirm").status_code == 409
    assert len(imports_of(app, slug)) == 1
    assert imports_of(app, slug)[0].state == ImportState.PENDING
    # Discarding stays possible, so a closed campaign's import can be cleared away.
    assert client.post(f"/campaigns/{slug}/imports/{record.id}/discard").status_code == 302
    assert signatures_of(app, slug) == []


def test_a_draft_campaign_takes_no_upload(app, client, make_user, make_campaign):
    """A draft's owner sees the page but cannot upload yet."""
    owner = make_user()
    slug = make_campaign(owner=owner, status=CampaignStatus.DRAFT)
    login(client, owner.email)
    assert client.get(f"/campaigns/{slug}/imports").status_code == 200
    response = upload(client, slug, csv_bytes("name,country,date", "A,GB,2024-01-01"))
    assert response.status_code == 409
    assert imports_of(app, slug) == []


def test_import_of_another_campaign_is_404(app, client, organizer, make_campaign):
    """An import id from another campaign is not found under this one."""
    owner, slug = organizer
    other = make_campaign(owner=owner)
    upload(client, other, csv_bytes("name,country,date", "A,GB,2024-01-01"))
    (record,) = imports_of(app, other)
    assert client.get(f"/campaigns/{slug}/imports/{record.id}").status_code == 404
    assert client.post(f"/campaigns/{slug}/imports/{record.id}/confirm").status_code == 404
    assert imports_of(app, other)[0].state == ImportState.PENDING


def test_template_and_panel(app, client, organizer):
    """The template CSV imports cleanly, and the dashboard panel lists the latest imports."""
    owner, slug = organizer
    template = client.get(f"/campaigns/{slug}/imports/template.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    upload(client, slug, template.data, filename="../../etc/pa\x07per.csv")
    (record,) = imports_of(app, slug)
    assert (record.rows_accepted, record.rows_rejected, record.filename) == (2, 0, "paper.csv")
    with app.test_request_context():
        from flask import render_template_string
        from flask_login import login_user

        from campaigns.models import User

        with app.app_context():
            login_user(_db.session.get(User, owner.id))
            campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
            html = render_template_string(
                '{% include "imports/_panel.html" ignore missing %}', campaign=campaign
            )
    assert "paper.csv" in html and "Waiting for confirmation" in html
    assert f"/campaigns/{slug}/imports" in html
