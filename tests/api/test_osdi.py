"""The OSDI view: HAL+JSON shapes, public petitions only, signatures for organizers' keys."""

import pytest
from sqlalchemy import select

from campaigns.api import keys, osdi
from campaigns.extensions import db as _db
from campaigns.models import (
    ApiKey,
    Campaign,
    CampaignStatus,
    Role,
    Signature,
    SignatureState,
    User,
    Visibility,
    utcnow,
)
from tests.api.v1_helpers import assert_error, fresh_address, make_key
from tests.conftest import login

HAL = "application/hal+json"
BASE = "/api/osdi/v1"


def add_signatures(app, slug, rows) -> list[int]:
    """Signatures on a campaign from (name, email, visibility, state, reason) rows; their ids."""
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        added = []
        for name, email, visibility, state, reason in rows:
            signature = Signature(
                campaign_id=campaign.id, name=name, email=email, canonical_email=email,
                email_domain=email.split("@")[1], country="FR", postcode="75011",
                visibility=visibility, state=state, reason=reason,
                confirmed_at=utcnow() if state == SignatureState.CONFIRMED else None,
            )  # fmt: skip
            _db.session.add(signature)
            added.append(signature)
        _db.session.commit()
        return [s.id for s in added]


def key_for(app, user) -> str:
    """A fresh raw API key for a user."""
    with app.app_context():
        _key, raw = keys.create_key(_db.session.get(User, user.id), name="Test")
        _db.session.commit()
        return raw


def bearer(raw: str) -> dict:
    """The Authorization header for a key."""
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def world(app, make_user, make_campaign):
    """An open petition with signers of every kind, its owner's key and a stranger's key."""
    owner, stranger = make_user(), make_user()
    slug = make_campaign(owner=owner, title="Expel him", signature_count=3,
                         decision_makers=[("Dawn Hudson", "CEO", "The Academy"),
                                          ("Board", None, None)])  # fmt: skip
    make_campaign(owner=stranger)
    ids = add_signatures(app, slug, [
        ("Ana María López", "ana@example.org", Visibility.FULL_NAME, SignatureState.CONFIRMED,
         "Because it matters."),
        ("Bea Quiet", "bea@example.org", Visibility.COUNT_ONLY, SignatureState.CONFIRMED, None),
        ("Cy Initials", "cy@example.org", Visibility.INITIALS, SignatureState.CONFIRMED, "Yes"),
        ("Pending Pat", "pat@example.org", Visibility.FULL_NAME, SignatureState.PENDING, "Hi"),
    ])  # fmt: skip
    return {"slug": slug, "owner": owner, "ids": ids, "owner_key": key_for(app, owner),
            "stranger_key": key_for(app, stranger)}  # fmt: skip


def test_entry_point_links_to_petitions(client):
    """The AEP is HAL+JSON with the osdi curie and a link to the petitions."""
    response = client.get(f"{BASE}/")
    assert response.status_code == 200 and response.mimetype == HAL
    body = response.get_json()
    assert body["_links"]["osdi:petitions"]["href"] == f"http://localhost{BASE}/petitions"
    assert body["_links"]["curies"][0]["name"] == "osdi"
    assert "Set-Cookie" not in response.headers


def test_petition_shape(client, world):
    """A petition has OSDI's core fields, its targets and its total."""
    response = client.get(f"{BASE}/petitions/{world['slug']}")
    assert response.status_code == 200 and response.mimetype == HAL
    body = response.get_json()
    assert body["title"] == "Expel him" and body["total_signatures"] == 3
    assert body["identifiers"][0].startswith("groundswell:") and body["origin_system"]
    assert body["target"] == [
        {"name": "Dawn Hudson", "title": "CEO", "organization": "The Academy"},
        {"name": "Board"},
    ]
    assert body["description"].startswith("<p>") and body["summary"] and body["petition_text"]
    assert body["created_date"].endswith("Z") and body["modified_date"]
    assert body["browser_url"] == f"http://localhost/campaigns/{world['slug']}"
    signatures = body["_links"]["osdi:signatures"]["href"]
    assert signatures == f"http://localhost{BASE}/petitions/{world['slug']}/signatures"
    assert "public" in response.headers["Cache-Control"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "fields",
    [{"status": CampaignStatus.DRAFT}, {"status": CampaignStatus.PENDING_REVIEW},
     {"status": CampaignStatus.REJECTED}, {"status": CampaignStatus.OPEN, "hidden_at": utcnow()}],
)  # fmt: skip
def test_unpublished_and_hidden_petitions_are_404(client, make_campaign, fields):
    """Drafts, campaigns under review, rejected and hidden ones do not exist here."""
    slug = make_campaign(**fields)
    assert_error(client.get(f"{BASE}/petitions/{slug}"), 404, "not_found")
    listing = client.get(f"{BASE}/petitions").get_json()
    assert listing["total_records"] == 0 and listing["_embedded"]["osdi:petitions"] == []


def test_petitions_collection_paginates(client, make_campaign):
    """Pages carry counts, self/next/prev links and the embedded petitions."""
    for status in (CampaignStatus.OPEN, CampaignStatus.CLOSED, CampaignStatus.VICTORY):
        make_campaign(status=status)
    make_campaign(status=CampaignStatus.DRAFT)
    first = client.get(f"{BASE}/petitions?per_page=2")
    assert first.status_code == 200 and first.mimetype == HAL
    body = first.get_json()
    assert (body["total_records"], body["total_pages"], body["page"], body["per_page"]) == (
        3, 2, 1, 2)  # fmt: skip
    assert len(body["_embedded"]["osdi:petitions"]) == 2 and "prev" not in body["_links"]
    assert len(body["_links"]["osdi:petitions"]) == 2
    second = client.get(body["_links"]["next"]["href"]).get_json()
    assert second["page"] == 2 and "next" not in second["_links"]
    assert second["_links"]["prev"]["href"].endswith("page=1&per_page=2")
    titles = {p["title"] for p in body["_embedded"]["osdi:petitions"]}
    titles |= {p["title"] for p in second["_embedded"]["osdi:petitions"]}
    assert len(titles) == 3


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=0", "per_page=101",
                                   "page=99999999&per_page=100"])  # fmt: skip
def test_bad_paging_is_a_json_400(client, query):
    """Bad page numbers are refused in JSON, never a 500 or an HTML page."""
    assert_error(client.get(f"{BASE}/petitions?{query}"), 400, "bad_request")


def test_unknown_addresses_and_writes_answer_in_json(client, world):
    """404 for unknown paths, 405 for writes to read-only ones, both JSON."""
    assert_error(client.get(f"{BASE}/people"), 404, "not_found")
    write = client.post(f"{BASE}/petitions", json={"title": "x"})
    assert_error(write, 405, "method_not_allowed")
    assert "GET" in write.headers["Allow"]
    assert client.delete(f"{BASE}/petitions/{world['slug']}").status_code == 405


def test_signatures_need_a_key(client, world):
    """No key or a wrong key is a 401 with a Bearer challenge."""
    url = f"{BASE}/petitions/{world['slug']}/signatures"
    for headers in ({}, bearer("gs_00000000_" + "A" * 43), {"Authorization": "Basic eDp5"}):
        response = client.get(url, headers=headers)
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_signatures_need_a_key_for_that_campaign(client, world):
    """Another campaign's organizer gets 403; the stranger's key opens nothing here."""
    url = f"{BASE}/petitions/{world['slug']}/signatures"
    assert_error(client.get(url, headers=bearer(world["stranger_key"])), 403, "forbidden")
    one = f"{url}/{world['ids'][0]}"
    assert client.get(one, headers=bearer(world["stranger_key"])).status_code == 403


def test_revoked_key_is_refused(app, client, world):
    """After revoking, the owner's key is a 401."""
    with app.app_context():
        key = keys.authenticate(world["owner_key"])
        keys.revoke_key(key.user, key.id)
        _db.session.commit()
    url = f"{BASE}/petitions/{world['slug']}/signatures"
    assert client.get(url, headers=bearer(world["owner_key"])).status_code == 401


def test_signatures_shape_and_privacy(app, client, world):
    """Counted signatures only; names as chosen, country, reason; never email or postcode."""
    url = f"{BASE}/petitions/{world['slug']}/signatures"
    response = client.get(url, headers=bearer(world["owner_key"]))
    assert response.status_code == 200 and response.mimetype == HAL
    assert "no-store" in response.headers["Cache-Control"]
    assert "Access-Control-Allow-Origin" not in response.headers
    text = response.get_data(as_text=True)
    for secret in ("@example.org", "75011", "Pending Pat", "Bea Quiet", "Cy Initials", "email"):
        assert secret not in text
    body = response.get_json()
    assert body["total_records"] == 3
    items = body["_embedded"]["osdi:signatures"]
    people = [item["_embedded"]["osdi:person"] for item in items]
    names = [p.get("custom_fields", {}).get("public_name") for p in people]
    assert names == ["Ana María López", None, "C. I."]
    assert {p["postal_addresses"][0]["country"] for p in people} == {"FR"}
    assert [item["comments"] for item in items] == ["Because it matters.", None, "Yes"]
    first = items[0]
    assert first["identifiers"] == [f"groundswell:{world['ids'][0]}"]
    assert first["created_date"] and first["modified_date"]
    assert first["_links"]["osdi:petition"]["href"].endswith(f"/petitions/{world['slug']}")
    one = client.get(first["_links"]["self"]["href"], headers=bearer(world["owner_key"]))
    assert one.status_code == 200 and one.get_json()["identifiers"] == first["identifiers"]


def test_hidden_reason_and_pending_signature_stay_out(app, client, world):
    """A reason a moderator hid is not shown; a pending signature is a 404."""
    with app.app_context():
        _db.session.get(Signature, world["ids"][0]).reason_hidden_at = utcnow()
        _db.session.commit()
    url = f"{BASE}/petitions/{world['slug']}/signatures"
    items = client.get(url, headers=bearer(world["owner_key"])).get_json()
    assert items["_embedded"]["osdi:signatures"][0]["comments"] is None
    pending = client.get(f"{url}/{world['ids'][3]}", headers=bearer(world["owner_key"]))
    assert_error(pending, 404, "not_found")


def test_no_email_anywhere(client, world):
    """Not one OSDI response carries a signer's or organizer's email address."""
    urls = [f"{BASE}/", f"{BASE}/petitions", f"{BASE}/petitions/{world['slug']}",
            f"{BASE}/petitions/{world['slug']}/signatures",
            f"{BASE}/petitions/{world['slug']}/signatures/{world['ids'][0]}"]  # fmt: skip
    for url in urls:
        text = client.get(url, headers=bearer(world["owner_key"])).get_data(as_text=True)
        assert "@" not in text and world["owner"].email not in text, url


def test_signatures_paginate(client, world):
    """Signature pages link to the next and previous page."""
    url = f"{BASE}/petitions/{world['slug']}/signatures?per_page=2"
    first = client.get(url, headers=bearer(world["owner_key"])).get_json()
    assert first["total_pages"] == 2 and "next" in first["_links"]
    second = client.get(first["_links"]["next"]["href"], headers=bearer(world["owner_key"]))
    body = second.get_json()
    assert body["page"] == 2 and len(body["_embedded"]["osdi:signatures"]) == 1
    assert "prev" in body["_links"] and "next" not in body["_links"]


def test_key_use_is_stamped(app, client, world):
    """Reading with a key records when it was last used."""
    url = f"{BASE}/petitions/{world['slug']}/signatures"
    client.get(url, headers=bearer(world["owner_key"]))
    with app.app_context():
        key = _db.session.scalar(
            select(ApiKey).where(ApiKey.key_hash == keys.hash_key(world["owner_key"]))
        )
        assert key.last_used_at is not None


def test_rate_limits_answer_429_in_json(app_factory, make_user, make_campaign):
    """Over the per-IP limit the API answers a JSON 429; a key has its own budget."""
    app = app_factory(RATELIMIT_ENABLED=True, API_LIMIT_PER_IP="2 per minute",
                      API_LIMIT_PER_KEY="1 per minute")  # fmt: skip
    owner = make_user()
    slug = make_campaign(owner=owner)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = fresh_address()  # a bucket of this test's own
    assert client.get(f"{BASE}/petitions").status_code == 200
    assert client.get(f"{BASE}/").status_code == 200
    over = client.get(f"{BASE}/petitions")
    error = assert_error(over, 429, "rate_limited")
    assert error["details"]["limit"] and int(over.headers["Retry-After"]) > 0
    url = f"{BASE}/petitions/{slug}/signatures"
    headers = bearer(key_for(app, owner))
    assert client.get(url, headers=headers).status_code == 200  # not in the per-IP bucket
    assert_error(client.get(url, headers=headers), 429, "rate_limited")
    assert client.get(url, headers=bearer(key_for(app, owner))).status_code == 200


def test_organizers_and_admins_keys_read_and_others_do_not(app, client, make_user, make_campaign):
    """Co-organizers' and admins' keys read the signatures, as on /api/v1; others get 403."""
    co, admin, member = make_user(), make_user(role=Role.ADMIN), make_user()
    slug = make_campaign(co_organizers=[co])
    make_campaign(owner=member)  # organizes a campaign, just not this one
    moderator = make_user(role=Role.MODERATOR)
    url = f"{BASE}/petitions/{slug}/signatures"
    assert client.get(url, headers=bearer(key_for(app, co))).status_code == 200
    assert client.get(url, headers=bearer(key_for(app, admin))).status_code == 200
    for user in (member, moderator):  # keys written straight to the table
        assert_error(client.get(url, headers=bearer(make_key(app, user))), 403, "forbidden")


def test_a_logged_in_session_is_not_a_key(client, world):
    """Cookies never authenticate the API: even the owner's session gets a 401."""
    assert login(client, world["owner"].email).status_code == 302
    url = f"{BASE}/petitions/{world['slug']}/signatures"
    assert client.get(url).status_code == 401


def test_a_bug_is_a_json_500(app_factory, monkeypatch):
    """An unexpected error answers JSON 500, not an HTML page."""

    def broken(page, per_page):
        """Fail like a bug would."""
        raise RuntimeError("bug")

    monkeypatch.setattr(osdi, "petitions_page", broken)
    client = app_factory(TESTING=False, PROPAGATE_EXCEPTIONS=False).test_client()
    assert_error(client.get(f"{BASE}/petitions"), 500, "server_error")
