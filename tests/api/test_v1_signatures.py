"""Reading a campaign's signatures with an organizer's API key: who may, and what they see."""

import base64
import json

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import (
    ApiKey,
    CampaignStatus,
    Role,
    Signature,
    SignatureState,
    Visibility,
    utcnow,
)
from tests.api.v1_helpers import BASE, add_signature, assert_error, bearer, make_key


@pytest.fixture
def world(app, make_user, make_campaign):
    """A campaign with signers of every kind; keys for its owner, co-organizer and others."""
    owner, co, stranger = make_user(), make_user(), make_user()
    admin, moderator = make_user(role=Role.ADMIN), make_user(role=Role.MODERATOR)
    slug = make_campaign(owner=owner, co_organizers=[co])
    ids = {
        "full": add_signature(app, slug, name="Ana María López", reason="It matters.",
                              postcode="75011", email="ana@example.org"),
        "initials": add_signature(app, slug, name="Bea Quinn", visibility=Visibility.INITIALS),
        "count_only": add_signature(app, slug, name="Cy Secret", visibility=Visibility.COUNT_ONLY),
        "hidden_reason": add_signature(app, slug, reason="Rude words", reason_hidden_at=utcnow()),
        "pending": add_signature(app, slug, state=SignatureState.PENDING),
        "suspect": add_signature(app, slug, suspect=True, suspect_reason="ip"),
        "withdrawn": add_signature(app, slug, state=SignatureState.WITHDRAWN),
    }  # fmt: skip
    keys = {name: make_key(app, user) for name, user in
            {"owner": owner, "co": co, "stranger": stranger, "admin": admin,
             "moderator": moderator}.items()}  # fmt: skip
    return {"slug": slug, "ids": ids, "keys": keys, "owner": owner}


def read(client, slug, key=None, query=""):
    """GET the signatures, with a key when given."""
    headers = bearer(key) if key else {}
    return client.get(f"{BASE}/campaigns/{slug}/signatures{query}", headers=headers)


@pytest.mark.parametrize("who", ["owner", "co", "admin"])
def test_organizers_and_admins_read_confirmed_signatures(client, world, who):
    """Counted signatures only, in confirmation order, names as their signers chose."""
    response = read(client, world["slug"], world["keys"][who])
    assert response.status_code == 200
    items = response.get_json()["items"]
    ids = world["ids"]
    assert [i["id"] for i in items] == [
        ids[k] for k in ("full", "initials", "count_only", "hidden_reason")
    ]
    by_id = {i["id"]: i for i in items}
    assert by_id[ids["full"]]["public_name"] == "Ana María López"
    assert (
        by_id[ids["full"]]["postcode"] == "75011" and by_id[ids["full"]]["reason"] == "It matters."
    )
    assert by_id[ids["initials"]]["public_name"] == "B. Q."
    assert by_id[ids["count_only"]]["public_name"] is None
    assert by_id[ids["hidden_reason"]]["reason"] is None
    assert by_id[ids["full"]]["source"] == "web" and by_id[ids["full"]]["confirmed_at"]
    assert response.get_json()["next_cursor"] is None


def test_no_email_or_hidden_name_anywhere(client, world):
    """Neither an email address nor a count-only signer's name appears in the answer."""
    text = read(client, world["slug"], world["keys"]["owner"]).get_data(as_text=True)
    assert "@" not in text and "Cy Secret" not in text and "email" not in text


@pytest.mark.parametrize("who", ["stranger", "moderator"])
def test_others_keys_are_403(client, world, who):
    """A key whose owner does not organize the campaign is refused (moderators too)."""
    assert_error(read(client, world["slug"], world["keys"][who]), 403, "forbidden")


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer gs_00000000_" + "a" * 43, "Basic dXNlcjpwYXNz", "Token abc"],
)
def test_missing_or_unknown_keys_are_401(client, world, header):
    """No key, or one that opens nothing, is a 401 that says how to authenticate."""
    headers = {"Authorization": header} if header else {}
    response = client.get(f"{BASE}/campaigns/{world['slug']}/signatures", headers=headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_revoked_keys_and_disabled_owners_are_401(app, client, world, make_user):
    """A revoked key, or the key of a disabled account, opens nothing."""
    owner = world["owner"]
    revoked = make_key(app, owner, revoked=True)
    assert_error(read(client, world["slug"], revoked), 401, "unauthorized")
    with app.app_context():
        user = _db.session.get(type(owner), owner.id)
        user.disabled_at = utcnow()
        _db.session.commit()
    assert_error(read(client, world["slug"], world["keys"]["owner"]), 401, "unauthorized")


def test_using_a_key_stamps_its_last_use(app, client, world):
    """The key's last-used time is saved by the request that used it."""
    assert read(client, world["slug"], world["keys"]["owner"]).status_code == 200
    with app.app_context():
        used = _db.session.scalars(select(ApiKey.last_used_at)).all()
    assert sum(1 for moment in used if moment is not None) == 1


def test_campaigns_the_key_cannot_see_are_404(client, world, make_campaign, make_user):
    """Someone else's draft is a 404 (it does not exist for this key), unknown slugs too."""
    draft = make_campaign(status=CampaignStatus.DRAFT, owner=make_user())
    assert_error(read(client, draft, world["keys"]["owner"]), 404, "not_found")
    assert_error(read(client, "no-such-slug", world["keys"]["owner"]), 404, "not_found")


def test_cursor_pages_through_every_signature_once(app, client, world):
    """Following next_cursor returns each counted signature exactly once, then null."""
    for _ in range(5):
        add_signature(app, world["slug"])
    seen, query = [], "?per_page=3"
    for _ in range(10):
        body = read(client, world["slug"], world["keys"]["owner"], query).get_json()
        seen += [i["id"] for i in body["items"]]
        if body["next_cursor"] is None:
            break
        assert body["next"].startswith("http://localhost/api/v1/")
        query = f"?per_page=3&after={body['next_cursor']}"
    assert len(seen) == len(set(seen)) == 9


def _cursor(raw: str) -> str:
    """A cursor made by hand, as a client could."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


OUT_OF_RANGE = [
    _cursor("0001-01-01T00:00:00+14:00|1"),  # before year 1 once in UTC
    _cursor("9999-12-31T23:00:00-05:00|1"),  # after year 9999 once in UTC
    _cursor("2024-01-01T00:00:00+00:00|9999999999999999999"),  # over BIGINT
]


@pytest.mark.parametrize(
    "cursor", ["nonsense", "bm9wZXw1", "!!!", "MjAyNC0wMS0wMXwx", *OUT_OF_RANGE]
)
def test_bad_cursors_are_422(client, world, cursor):
    """A cursor this API did not give out is a validation error."""
    response = read(client, world["slug"], world["keys"]["owner"], f"?after={cursor}")
    error = assert_error(response, 422, "validation_error")
    assert "after" in error["details"]["query"]


def test_keyed_answers_are_not_readable_cross_origin(client, world):
    """No CORS header on keyed answers: keys are for servers, not other sites' pages."""
    response = read(client, world["slug"], world["keys"]["owner"])
    assert "Access-Control-Allow-Origin" not in response.headers
    assert json.loads(response.get_data())["items"]


def test_no_endpoint_shows_a_signers_email(app, client, world, make_campaign):
    """After signing through the API and confirming, no answer anywhere carries the address."""
    from campaigns.signatures.services import confirm

    email = "private.person@example.net"
    body = {"name": "Private Person", "email": email, "country": "GB", "visibility": "full_name"}
    slug = world["slug"]
    assert client.post(f"{BASE}/campaigns/{slug}/signatures", json=body).status_code == 202
    with app.app_context():
        signature_id = _db.session.scalar(select(Signature.id).where(Signature.email == email))
        confirm(signature_id)
        _db.session.commit()
    key = bearer(world["keys"]["owner"])
    paths = ["/campaigns", f"/campaigns/{slug}", f"/campaigns/{slug}/count", "/victories",
             f"/campaigns/{slug}/updates", "/openapi.json"]  # fmt: skip
    answers = [client.get(BASE + p) for p in paths]
    answers.append(client.get(f"{BASE}/campaigns/{slug}/signatures?per_page=500", headers=key))
    assert "Private Person" in answers[-1].get_data(as_text=True)
    for answer in answers:
        assert answer.status_code == 200
        text = answer.get_data(as_text=True).lower()
        assert email not in text and "private.person" not in text
