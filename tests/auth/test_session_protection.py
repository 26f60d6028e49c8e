"""Session protection: logged-in sessions moved to another client go stale; guests are left be."""

from flask.sessions import SecureCookieSessionInterface

from tests.conftest import PASSWORD


def session_of(app, client) -> dict:
    """The client's session cookie, decoded."""
    cookie = client.get_cookie("session")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return serializer.loads(cookie.value) if cookie else {}


def test_a_guest_post_does_not_rewrite_the_session_cookie(app, client, make_campaign):
    """Signing as a guest answers without Set-Cookie: nothing in the session changed."""
    slug = make_campaign()
    with client.session_transaction() as session:  # as the campaign page leaves it
        session["csrf_token"] = "token"
    data = {"name": "Ana", "email": "ana@example.org", "country": "GB"}
    response = client.post(f"/campaigns/{slug}/sign", data=data, headers={"User-Agent": "other"})
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers
    assert session_of(app, client) == {"csrf_token": "token"}


def test_a_logged_in_session_from_another_client_is_no_longer_fresh(app, client, make_user):
    """The same cookie from a different browser still works, but marked not fresh."""
    user = make_user()
    form = {"email": user.email, "password": PASSWORD}
    assert client.post("/login", data=form, headers={"User-Agent": "mine"}).status_code == 302
    assert session_of(app, client)["_fresh"] is True
    response = client.get("/account/", headers={"User-Agent": "someone else's"})
    assert response.status_code == 200
    assert session_of(app, client)["_fresh"] is False
