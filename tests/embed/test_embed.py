"""The sign widget: the form, signing through it, its token, framing headers and no cookies."""

import re
import time

import pytest
import sqlalchemy as sa
from flask import render_template
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from campaigns.config import ConfigError, from_environment
from campaigns.embed.tokens import FORM_SALT, make_form_token
from campaigns.extensions import db as _db
from campaigns.models import (
    CampaignStatus,
    Role,
    Signature,
    SignatureSource,
    SignatureState,
    utcnow,
)
from tests.conftest import get_campaign, login, outbox_rows

GUEST = {"name": "Ana López", "email": "ana@example.org", "country": "GB"}


def token_for(app, slug) -> str:
    """A fresh form token for the campaign, as the widget page would carry."""
    campaign_id = get_campaign(app, slug).id
    with app.test_request_context():
        return make_form_token(campaign_id)


def embed_sign(client, app, slug, **fields):
    """POST the widget form with a valid token and sensible defaults, overridden by fields."""
    data = {"embed_token": token_for(app, slug), **GUEST, **fields}
    return client.post(f"/campaigns/{slug}/embed", data=data)


def signatures(app) -> list[Signature]:
    """Every signature row, oldest first, detached."""
    with app.app_context():
        rows = _db.session.scalars(sa.select(Signature).order_by(Signature.id)).all()
        _db.session.expunge_all()
        return rows


def test_widget_shows_the_guest_form_with_safe_defaults(client, make_campaign):
    """Title, count, progress, every field labelled, count only, consent unticked, honeypot."""
    slug = make_campaign(title="Safe streets at night", goal=600, signature_count=150)
    response = client.get(f"/campaigns/{slug}/embed")
    page = response.text
    assert response.status_code == 200
    assert "Safe streets at night" in page and "150" in page and "25% of the goal of 600" in page
    for name in ("name", "email", "country", "postcode", "reason", "consent_updates"):
        assert f'<label for="{name}">' in page, name
    radios = re.findall(r'<input[^>]*name="visibility"[^>]*>', page)
    assert [("checked" in r, 'value="count_only"' in r) for r in radios] == [
        (True, True), (False, False), (False, False)
    ]  # fmt: skip
    assert "checked" not in re.search(r"<input[^>]*consent_updates[^>]*>", page).group(0)
    honeypot = re.search(r'<div class="hp" aria-hidden="true">(.*?)</div>', page, re.S).group(1)
    assert 'name="website"' in honeypot and 'tabindex="-1"' in honeypot
    assert 'name="embed_token"' in page and "csrf_token" not in page
    assert f'action="/campaigns/{slug}/embed"' in page
    full = r'<a href="/campaigns/[^"]+" target="_blank" rel="noopener">Read the full'
    assert re.search(full, page) is not None
    assert "Log in" not in page and "site-header" not in page  # its own small layout
    assert "style=" not in page  # CSP: no inline styles


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (CampaignStatus.CLOSED, "This campaign is closed"),
        (CampaignStatus.VICTORY, "This campaign has won"),
    ],
)
def test_closed_and_won_campaigns_say_why_and_offer_no_form(client, make_campaign, status, reason):
    """No form, the reason instead, and a POST saves nothing (409)."""
    slug = make_campaign(status=status)
    page = client.get(f"/campaigns/{slug}/embed").text
    assert reason in page and "<form" not in page
    response = client.post(f"/campaigns/{slug}/embed", data=GUEST)
    assert response.status_code == 409 and reason in response.text


@pytest.mark.parametrize(
    "fields",
    [
        {"status": CampaignStatus.DRAFT},
        {"status": CampaignStatus.PENDING_REVIEW},
        {"status": CampaignStatus.REJECTED},
        {"status": CampaignStatus.OPEN, "hidden_at": utcnow()},
    ],
)
def test_unpublished_and_hidden_campaigns_are_404_even_to_their_owner(
    app, client, make_user, make_campaign, fields
):
    """The widget is public and the same for everyone: what the public may not see is 404."""
    owner = make_user()
    slug = make_campaign(owner=owner, **fields)
    login(client, owner.email)
    for response in (
        client.get(f"/campaigns/{slug}/embed"),
        client.post(f"/campaigns/{slug}/embed", data=GUEST),
        client.get(f"/campaigns/{slug}/embed/signed"),
    ):
        assert response.status_code == 404
        assert "Page not found" in response.text and "site-header" not in response.text
    assert client.get("/campaigns/no-such-campaign/embed").status_code == 404
    assert signatures(app) == []


def test_signing_makes_a_pending_embed_signature_and_one_email(app, client, make_campaign):
    """Source embed, pending, the details as typed, the locale, one confirmation email."""
    slug = make_campaign()
    details = {"postcode": "SW1A 1AA", "reason": "It matters.", "visibility": "initials",
               "consent_updates": "y"}  # fmt: skip
    response = client.post(
        f"/campaigns/{slug}/embed",
        data={"embed_token": token_for(app, slug), **GUEST, **details},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/campaigns/{slug}/embed/signed"
    [row] = signatures(app)
    assert row.source == SignatureSource.EMBED and row.state == SignatureState.PENDING
    assert (row.name, row.country, row.postcode, row.reason) == (
        "Ana López", "GB", "SW1A 1AA", "It matters."
    )  # fmt: skip
    assert row.visibility.value == "initials" and row.consent_updates and row.locale == "fr"
    assert row.ip_hash and row.ip_hash != "127.0.0.1"
    [mail] = outbox_rows(app, "signature_confirm")
    assert mail.recipient == "ana@example.org"
    page = client.get(response.headers["Location"], headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and "Ana López" not in page.text
    assert 'lang="fr"' in page.text and f'href="/campaigns/{slug}"' in page.text


def test_signing_again_queues_nothing_and_answers_the_same(app, client, make_campaign):
    """No enumeration: the same redirect, no second row, no second email."""
    slug = make_campaign()
    first = embed_sign(client, app, slug)
    again = embed_sign(client, app, slug, email="ANA@example.org", name="Someone else")
    assert (first.status_code, first.headers["Location"]) == (
        again.status_code, again.headers["Location"]
    )  # fmt: skip
    assert len(signatures(app)) == 1
    assert len(outbox_rows(app, "signature_confirm")) == 1


def test_honeypot_looks_like_success_and_keeps_nothing(app, client, make_campaign):
    """A filled honeypot gets the same answer and saves nothing."""
    slug = make_campaign()
    response = embed_sign(client, app, slug, website="http://spam.example")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/campaigns/{slug}/embed/signed"
    assert signatures(app) == [] and outbox_rows(app) == []


def _old_token(app, slug, age: int) -> str:
    """A token for the campaign made age seconds ago."""
    campaign_id = get_campaign(app, slug).id

    class Past(TimestampSigner):
        """A signer whose clock runs behind."""

        def get_timestamp(self) -> int:
            """Now, minus age."""
            return int(time.time()) - age

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=FORM_SALT, signer=Past)
    return serializer.dumps({"c": campaign_id})


@pytest.mark.parametrize("kind", ["missing", "forged", "expired", "other campaign", "other salt"])
def test_bad_or_expired_token_gives_the_form_back_and_saves_nothing(
    app, client, make_campaign, kind
):
    """400, a kind message, the typed values kept, a fresh token, nothing saved or sent."""
    slug = make_campaign()
    tokens = {
        "missing": "",
        "forged": token_for(app, slug)[:-3] + "abc",
        "expired": _old_token(app, slug, 3 * 3600),
        "other campaign": token_for(app, make_campaign()),
        "other salt": URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="x").dumps(
            {"c": get_campaign(app, slug).id}
        ),
    }
    response = client.post(f"/campaigns/{slug}/embed", data={"embed_token": tokens[kind], **GUEST})
    assert response.status_code == 400
    assert "press Sign again" in response.text and 'value="Ana López"' in response.text
    fresh = re.search(r'name="embed_token" value="([^"]+)"', response.text).group(1)
    assert fresh != tokens[kind]
    assert signatures(app) == [] and outbox_rows(app) == []
    retry = client.post(f"/campaigns/{slug}/embed", data={"embed_token": fresh, **GUEST})
    assert retry.status_code == 303 and len(signatures(app)) == 1


def test_a_token_younger_than_the_limit_is_accepted(app, client, make_campaign):
    """An hour-old page still signs (the limit is two hours)."""
    slug = make_campaign()
    data = {"embed_token": _old_token(app, slug, 3600), **GUEST}
    assert client.post(f"/campaigns/{slug}/embed", data=data).status_code == 303


def test_bad_input_comes_back_with_messages(app, client, make_campaign):
    """422 with every problem at once, the widget's form, nothing saved."""
    slug = make_campaign()
    response = embed_sign(client, app, slug, name="", email="not-an-email", country="XX")
    assert response.status_code == 422
    page = response.text
    assert "Please correct the fields marked below." in page and "Enter your name." in page
    assert 'aria-invalid="true"' in page and f'action="/campaigns/{slug}/embed"' in page
    assert "site-header" not in page
    assert signatures(app) == [] and outbox_rows(app) == []


def _csp(response) -> str:
    """The response's one Content-Security-Policy."""
    [policy] = response.headers.getlist("Content-Security-Policy")
    return policy


def test_only_the_widget_may_be_framed(app, client, make_campaign):
    """Widget pages allow any framer and send no X-Frame-Options; every other page forbids it."""
    slug = make_campaign()
    widget = [
        client.get(f"/campaigns/{slug}/embed"),
        embed_sign(client, app, slug),
        client.get(f"/campaigns/{slug}/embed/signed"),
        client.post(f"/campaigns/{slug}/embed", data=GUEST),  # the form again, 400
        client.get("/campaigns/nothing-here/embed"),  # 404 inside the frame
    ]
    for response in widget:
        assert "frame-ancestors *" in _csp(response) and "'none'" not in _csp(response)
        assert "X-Frame-Options" not in response.headers
        assert "script-src 'self'" in _csp(response) and "form-action 'self'" in _csp(response)
    for path in (f"/campaigns/{slug}", f"/campaigns/{slug}/signed", "/", "/login"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in _csp(response), path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_framers_can_be_limited_by_setting(app_factory, make_campaign, tmp_path):
    """EMBED_FRAME_ANCESTORS replaces the wildcard; values that smuggle in policy are refused."""
    environ = {"SECRET_KEY": "x", "EMBED_FRAME_ANCESTORS": " https://a.example  'self' "}
    assert from_environment(str(tmp_path), environ)["EMBED_FRAME_ANCESTORS"] == (
        "https://a.example 'self'"
    )
    assert from_environment(str(tmp_path), {"SECRET_KEY": "x"})["EMBED_FRAME_ANCESTORS"] == "*"
    for bad in ("* ; script-src *", "a.example, b.example", "a.example\r\nX-Bad: 1"):
        with pytest.raises(ConfigError):
            from_environment(str(tmp_path), {"SECRET_KEY": "x", "EMBED_FRAME_ANCESTORS": bad})
    app = app_factory(EMBED_FRAME_ANCESTORS="https://a.example https://b.example")
    response = app.test_client().get(f"/campaigns/{make_campaign()}/embed")
    assert "frame-ancestors https://a.example https://b.example;" in _csp(response)
    assert "X-Frame-Options" not in response.headers


def test_widget_pages_set_no_cookie(app, client, make_user, make_campaign):
    """No Set-Cookie on the widget's GET, POST or answer, for guests and signed-in members."""
    slug = make_campaign()
    responses = [
        client.get(f"/campaigns/{slug}/embed"),
        embed_sign(client, app, slug),
        client.get(f"/campaigns/{slug}/embed/signed"),
        client.post(f"/campaigns/{slug}/embed", data={**GUEST, "name": ""}),
    ]
    member = make_user()
    assert login(client, member.email).status_code == 302
    responses += [client.get(f"/campaigns/{slug}/embed"), embed_sign(client, app, slug)]
    for response in responses:
        assert "Set-Cookie" not in response.headers, response.request.path
        assert "Cookie" not in response.headers.get("Vary", "")


def test_posting_needs_no_cookie_even_with_csrf_on(app_factory, make_campaign):
    """With CSRF protection on, the widget signs with no cookie; the main form still refuses."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    slug = make_campaign()
    client = app.test_client(use_cookies=False)
    page = client.get(f"/campaigns/{slug}/embed").text
    token = re.search(r'name="embed_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/campaigns/{slug}/embed", data={"embed_token": token, **GUEST})
    assert response.status_code == 303
    assert [s.source for s in signatures(app)] == [SignatureSource.EMBED]
    assert client.post(f"/campaigns/{slug}/sign", data=GUEST).status_code == 400


def test_signing_limits_still_apply(app_factory, make_campaign):
    """Over the per-IP limit a widget signature is held as suspect, with no email."""
    app = app_factory(RATELIMIT_ENABLED=True, SIGN_LIMIT_PER_IP_PER_CAMPAIGN="1 per hour")
    slug = make_campaign()
    client = app.test_client()
    embed_sign(client, app, slug, email="one@example.org")
    second = embed_sign(client, app, slug, email="two@example.org")
    assert second.status_code == 303
    assert [s.suspect for s in signatures(app)] == [False, True]
    assert len(outbox_rows(app, "signature_confirm")) == 1


def test_snippet_offers_the_iframe_code_to_copy(app, make_campaign):
    """The snippet: labelled readonly code, escaped once for the page, a copy button, a preview."""
    slug = make_campaign(title='Fair "pay" & <safety>')
    campaign = get_campaign(app, slug)
    with app.test_request_context():
        html = render_template("embed/_snippet.html", campaign=campaign)
    url = f"http://localhost/campaigns/{slug}/embed"
    code = re.search(r'<textarea id="embed-snippet-code"[^>]*readonly[^>]*>(.*?)</textarea>', html)
    shown = code.group(1)
    assert shown.startswith(f"&lt;iframe src=&#34;{url}&#34;")
    # The pasted code carries the title escaped once for the host page.
    assert "Fair &amp;#34;pay&amp;#34; &amp;amp; &amp;lt;safety&amp;gt;" in shown
    assert "width=&#34;100%&#34;" in shown and "loading=&#34;lazy&#34;" in shown
    assert '<label for="embed-snippet-code">' in html
    assert re.search(r'<button type="button"[^>]*data-copy-link="&lt;iframe', html)
    assert f'<a href="{url}" target="_blank" rel="noopener">' in html


def test_snippet_waits_for_approval(app, make_campaign):
    """A draft has no widget yet, so the snippet offers no code."""
    campaign = get_campaign(app, make_campaign(status=CampaignStatus.DRAFT))
    with app.test_request_context():
        html = render_template("embed/_snippet.html", campaign=campaign)
    assert "<textarea" not in html and "approved" in html


@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.MODERATOR, Role.ADMIN])
def test_everyone_may_use_the_widget_of_an_open_campaign(
    app, client, login_as, make_campaign, role
):
    """Authorization: the widget is public; signing through it is a guest signing, for anyone."""
    slug = make_campaign()
    if role is not None:
        login_as(role)
    assert client.get(f"/campaigns/{slug}/embed").status_code == 200
    assert embed_sign(client, app, slug).status_code == 303
    [row] = signatures(app)
    assert row.state == SignatureState.PENDING and row.user_id is None
