"""Signing through /api/v1: 202, the same confirmation flow as the site, no enumeration."""

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import CampaignStatus, Signature, SignatureSource, SignatureState, utcnow
from tests.api.v1_helpers import BASE, assert_error
from tests.conftest import login, outbox_rows

SIGNER = {
    "name": "Ana López", "email": "ana@example.org", "country": "FR", "postcode": "75011",
    "reason": "Because it matters.", "visibility": "initials", "consent_updates": True,
}  # fmt: skip


def signatures(app) -> list[Signature]:
    """Every signature, detached."""
    with app.app_context():
        rows = _db.session.scalars(select(Signature).order_by(Signature.id)).all()
        _db.session.expunge_all()
        return rows


def test_sign_answers_202_and_emails_a_confirmation(app, client, make_campaign):
    """A pending API signature with a hashed IP, and one confirmation email queued."""
    slug = make_campaign()
    response = client.post(f"{BASE}/campaigns/{slug}/signatures", json=SIGNER)
    assert response.status_code == 202
    assert response.get_json()["status"] == "pending_confirmation"
    [signature] = signatures(app)
    assert signature.state == SignatureState.PENDING and signature.source == SignatureSource.API
    assert (signature.name, signature.country, signature.visibility) == (
        "Ana López",
        "FR",
        "initials",
    )
    assert signature.consent_updates and signature.ip_hash and signature.ip_hash != "127.0.0.1"
    [email] = outbox_rows(app, "signature_confirm")
    assert email.recipient == "ana@example.org"
    assert "Set-Cookie" not in response.headers


def test_signing_again_answers_the_same_and_queues_nothing(app, client, make_campaign):
    """A second signing with the same address looks identical and sends no second email."""
    slug = make_campaign()
    first = client.post(f"{BASE}/campaigns/{slug}/signatures", json=SIGNER)
    again = client.post(
        f"{BASE}/campaigns/{slug}/signatures", json={**SIGNER, "email": "ANA@example.org "}
    )
    assert (again.status_code, again.get_json()) == (first.status_code, first.get_json())
    assert len(signatures(app)) == 1 and len(outbox_rows(app, "signature_confirm")) == 1


def test_defaults_keep_the_name_private(app, client, make_campaign):
    """Only name, email and country are needed; the name defaults to count only."""
    slug = make_campaign()
    body = {k: SIGNER[k] for k in ("name", "email", "country")}
    assert client.post(f"{BASE}/campaigns/{slug}/signatures", json=body).status_code == 202
    [signature] = signatures(app)
    assert signature.visibility == "count_only" and not signature.consent_updates


@pytest.mark.parametrize(
    ("change", "field"),
    [({"email": "not-an-address"}, "email"), ({"country": "XX"}, "country"),
     ({"name": "   "}, "name"), ({"name": "x" * 121}, "name"),
     ({"visibility": "loud"}, "visibility"), ({"reason": "x" * 501}, "reason"),
     ({"extra": 1}, "extra"), ({"email": None}, "email")],
)  # fmt: skip
def test_invalid_signatures_are_422_naming_the_field(app, client, make_campaign, change, field):
    """Each invalid field is named in the details; nothing is stored or emailed."""
    slug = make_campaign()
    response = client.post(f"{BASE}/campaigns/{slug}/signatures", json={**SIGNER, **change})
    error = assert_error(response, 422, "validation_error")
    assert field in error["details"]["json"]
    assert signatures(app) == [] and outbox_rows(app) == []


def test_missing_fields_are_all_named(client, make_campaign):
    """An empty body names every required field at once."""
    slug = make_campaign()
    error = assert_error(client.post(f"{BASE}/campaigns/{slug}/signatures", json={}), 422,
                         "validation_error")  # fmt: skip
    assert set(error["details"]["json"]) == {"name", "email", "country"}


@pytest.mark.parametrize("status", [CampaignStatus.CLOSED, CampaignStatus.VICTORY])
def test_closed_campaigns_answer_409(app, client, make_campaign, status):
    """A closed or won campaign takes no signature, and says why."""
    slug = make_campaign(status=status)
    error = assert_error(client.post(f"{BASE}/campaigns/{slug}/signatures", json=SIGNER), 409,
                         "conflict")  # fmt: skip
    assert "no longer takes signatures" in error["message"]
    assert signatures(app) == []


@pytest.mark.parametrize(
    "fields", [None, {"status": CampaignStatus.DRAFT}, {"hidden_at": utcnow()}]
)
def test_unknown_unpublished_or_hidden_campaigns_answer_404(client, make_campaign, fields):
    """Signing what the public cannot see is a 404, as if it did not exist."""
    slug = make_campaign(**fields) if fields else "no-such-campaign"
    response = client.post(f"{BASE}/campaigns/{slug}/signatures", json=SIGNER)
    assert_error(response, 404, "not_found")


def test_bad_json_and_oversized_bodies(app, client, make_campaign):
    """Unparseable JSON is a 400; a body over API_MAX_CONTENT_LENGTH a 413."""
    slug = make_campaign()
    url = f"{BASE}/campaigns/{slug}/signatures"
    assert_error(client.post(url, data="{nope", content_type="application/json"), 400,
                 "bad_request")  # fmt: skip
    huge = {**SIGNER, "reason": "x" * app.config["API_MAX_CONTENT_LENGTH"]}
    assert_error(client.post(url, json=huge), 413, "payload_too_large")
    assert signatures(app) == []


def test_needs_no_csrf_token_and_ignores_the_session(app_factory, make_user, make_campaign):
    """With CSRF on and a member signed in, the API still signs as a guest who must confirm."""
    app = app_factory(WTF_CSRF_ENABLED=False)
    member = make_user(email="member@example.org")
    slug = make_campaign()
    client = app.test_client()
    assert login(client, member.email).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = True
    body = {**SIGNER, "email": "member@example.org"}
    response = client.post(f"{BASE}/campaigns/{slug}/signatures", json=body)
    assert response.status_code == 202
    [signature] = signatures(app)
    assert signature.state == SignatureState.PENDING and signature.user_id is None
    assert len(outbox_rows(app, "signature_confirm")) == 1


def test_signing_limits_hold_suspects_without_saying_so(app_factory, make_campaign):
    """Over the signing abuse limits, the answer is the same but the signature waits unmailed."""
    app = app_factory(RATELIMIT_ENABLED=True, SIGN_LIMIT_PER_IP_PER_CAMPAIGN="1 per hour")
    slug = make_campaign()
    client = app.test_client()
    first = client.post(f"{BASE}/campaigns/{slug}/signatures", json=SIGNER)
    second = client.post(
        f"{BASE}/campaigns/{slug}/signatures", json={**SIGNER, "email": "bo@example.org"}
    )
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.get_json() == second.get_json()
    assert [s.suspect for s in signatures(app)] == [False, True]
    assert len(outbox_rows(app, "signature_confirm")) == 1
