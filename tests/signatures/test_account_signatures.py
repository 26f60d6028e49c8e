"""A member's own signatures on the account page: listing and withdrawing."""

import pytest

from campaigns.models import SignatureState
from tests.conftest import login
from tests.signatures.test_sign_views import deltas, sign, signatures


def test_login_is_required(client):
    """Anonymous visitors are sent to log in, for the list and the withdraw button."""
    response = client.get("/account/signatures")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/account/signatures/1/withdraw").status_code == 302


def test_account_page_links_to_the_list(client, login_as):
    """The account page offers "My signatures"."""
    login_as()
    assert 'href="/account/signatures"' in client.get("/account/").text


def test_lists_signatures_by_account_and_by_email(app, client, make_user, make_campaign):
    """Signed in one click, or as a guest with the same (differently spelled) address."""
    member = make_user("maya.m@gmail.com", name="Maya")
    titles = ("Alpha one click", "Beta as guest", "Gamma by others", "Delta withdrawn")
    one_click, as_guest, others, withdrawn = (make_campaign(title=t) for t in titles)
    sign(client, as_guest, email="MayaM+petitions@gmail.com")
    sign(client, others, email="someone@example.org")
    sign(client, withdrawn, email="maya.m@gmail.com")
    login(client, member.email)
    client.post(f"/campaigns/{one_click}/sign", data={"country": "GB"})
    to_withdraw = next(s.id for s in signatures(app) if s.email == "maya.m@gmail.com")
    assert client.post(f"/account/signatures/{to_withdraw}/withdraw").status_code == 303
    page = client.get("/account/signatures")
    assert page.status_code == 200
    assert "Alpha one click" in page.text and "Beta as guest" in page.text
    assert "Gamma by others" not in page.text and "Delta withdrawn" not in page.text
    assert "Confirmed" in page.text and "Waiting for email confirmation" in page.text
    assert "someone@example.org" not in page.text and "MayaM+petitions" not in page.text


def test_withdraw_own_erases_and_lowers_the_count(app, client, login_as, make_campaign):
    """A confirmed signature withdrawn from the account page: erased, -1 delta, 303 back."""
    login_as()
    slug = make_campaign()
    client.post(f"/campaigns/{slug}/sign", data={"country": "GB", "reason": "Mine."})
    [row] = signatures(app)
    response = client.post(f"/account/signatures/{row.id}/withdraw")
    assert response.status_code == 303 and response.headers["Location"] == "/account/signatures"
    [row] = signatures(app)
    assert row.state == SignatureState.WITHDRAWN and row.reason is None and row.email is None
    assert deltas(app) == [1, -1]
    page = client.get("/account/signatures").text
    assert "withdrawn and your details are erased" in page
    again = client.post(f"/account/signatures/{row.id}/withdraw")
    assert again.status_code == 303 and deltas(app) == [1, -1]


@pytest.mark.parametrize("target", ["other", "missing"])
def test_someone_elses_signature_is_404(app, client, login_as, make_campaign, target):
    """Another person's signature, or none at all, looks the same: not found, unchanged."""
    slug = make_campaign()
    sign(client, slug, email="other@example.org")
    login_as()
    [row] = signatures(app)
    signature_id = row.id if target == "other" else row.id + 1000
    assert client.post(f"/account/signatures/{signature_id}/withdraw").status_code == 404
    assert signatures(app)[0].state == SignatureState.PENDING
    assert "other@example.org" not in client.get("/account/signatures").text


def test_an_unverified_address_claims_no_guest_signatures(app, client, make_user, make_campaign):
    """Registering with someone's address (unverified) shows and withdraws none of theirs."""
    slug = make_campaign(title="What Rosa signed")
    sign(client, slug, email="rosa@example.org")
    [theirs] = signatures(app)
    make_user("rosa@example.org", verified=False)
    login(client, "rosa@example.org")
    assert "What Rosa signed" not in client.get("/account/signatures").text
    assert client.post(f"/account/signatures/{theirs.id}/withdraw").status_code == 404
    [row] = signatures(app)
    assert row.state == SignatureState.PENDING and row.email == "rosa@example.org"
