"""Signing through the campaign page: guests, duplicates, bots, bad input, members."""

import re

import pytest
import sqlalchemy as sa

from campaigns.extensions import db as _db
from campaigns.mail.outbox import email_context
from campaigns.models import (
    CampaignStatus,
    Signature,
    SignatureDelta,
    SignatureState,
    Visibility,
)
from campaigns.signatures.tokens import read_confirm_token, read_withdraw_token
from tests.conftest import outbox_rows

GUEST = {"name": "Ana López", "email": "ana@example.org", "country": "GB"}


def sign(client, slug, **fields):
    """POST the guest sign form with sensible defaults, overridden by fields."""
    return client.post(f"/campaigns/{slug}/sign", data={**GUEST, **fields})


def signatures(app) -> list[Signature]:
    """Every signature row, oldest first, detached."""
    with app.app_context():
        rows = _db.session.scalars(sa.select(Signature).order_by(Signature.id)).all()
        _db.session.expunge_all()
        return rows


def deltas(app) -> list[int]:
    """The count deltas waiting for the aggregator."""
    with app.app_context():
        return list(_db.session.scalars(sa.select(SignatureDelta.delta)))


def email_links(app, row) -> dict:
    """What an outbox row's templates see, with the links made at delivery (absolute)."""
    with app.app_context():
        return email_context(row.template, row.payload)


def link_path(app, row, key: str) -> str:
    """The path of a link in an outbox row's email."""
    return email_links(app, row)[key].removeprefix("http://localhost")


def test_page_offers_the_guest_form_with_safe_defaults(client, make_campaign):
    """Every field is labelled; count only is the default; consent is unticked; honeypot hidden."""
    slug = make_campaign(country="FR")
    page = client.get(f"/campaigns/{slug}").text
    for field in ("name", "email", "country", "postcode", "reason", "consent_updates"):
        assert f'<label for="{field}">' in page, field
    assert re.search(r'<option selected value="FR">|<option value="FR" selected', page)
    radios = re.findall(r'<input[^>]*name="visibility"[^>]*>', page)
    checked = [("checked" in r, 'value="count_only"' in r) for r in radios]
    assert checked == [(True, True), (False, False), (False, False)]
    assert 'aria-describedby="visibility-0-hint"' in radios[0]
    assert re.search(r'<input id="consent_updates" name="consent_updates" type="checkbox"', page)
    assert "checked" not in re.search(r"<input[^>]*consent_updates[^>]*>", page).group(0)
    honeypot = re.search(r'<div class="hp" aria-hidden="true">(.*?)</div>', page, re.S).group(1)
    assert 'name="website"' in honeypot and 'tabindex="-1"' in honeypot
    assert 'autocomplete="off"' in honeypot
    assert 'maxlength="500"' in page and f'action="/campaigns/{slug}/sign"' in page
    assert "style=" not in page.split('id="sign"')[1].split("</section>")[0]  # CSP: no inline


def test_guest_signs_and_gets_one_confirmation_email(app, client, make_campaign):
    """A pending row with the details as typed, one email whose links carry the tokens."""
    slug = make_campaign()
    response = sign(client, slug, postcode=" SW1A 1AA ", reason="Because it matters.",
                    visibility="initials", consent_updates="y")  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"] == f"/campaigns/{slug}/signed"
    [row] = signatures(app)
    assert row.state == SignatureState.PENDING and row.name == "Ana López"
    assert (row.email, row.canonical_email, row.country) == (GUEST["email"],) * 2 + ("GB",)
    assert (row.postcode, row.reason) == ("SW1A 1AA", "Because it matters.")
    assert row.visibility == Visibility.INITIALS and row.consent_updates is True
    assert row.ip_hash and "127.0.0.1" not in row.ip_hash and row.locale == "en"
    [mail] = outbox_rows(app, "signature_confirm")
    assert mail.recipient == GUEST["email"]
    with app.app_context():
        assert read_confirm_token(link_path(app, mail, "confirm_link").rsplit("/", 1)[1]) == row.id
        assert (
            read_withdraw_token(link_path(app, mail, "withdraw_link").rsplit("/", 1)[1]) == row.id
        )
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Check your email" in page.text
    assert GUEST["email"] not in page.text  # the page never says which address signed


def test_signing_again_with_another_spelling_changes_nothing(app, client, make_campaign):
    """Gmail ignores dots, case and +tags: the same person, the same page, no second email."""
    slug = make_campaign()
    first = sign(client, slug, email="A.Na+x@GMail.com")
    second = sign(client, slug, email="ana@gmail.com", name="Someone Else")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    pages = [client.get(r.headers["Location"]).text for r in (first, second)]
    assert pages[0] == pages[1]
    [row] = signatures(app)
    assert row.canonical_email == "ana@gmail.com" and row.name == "Ana López"
    assert len(outbox_rows(app, "signature_confirm")) == 1


def test_honeypot_looks_like_success_and_keeps_nothing(app, client, make_campaign):
    """A bot that fills every field gets the usual redirect; no row, no email."""
    slug = make_campaign()
    response = sign(client, slug, website="http://spam.example")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/campaigns/{slug}/signed"
    assert signatures(app) == [] and outbox_rows(app) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter your name."),
        ({"email": ""}, "Enter your email address."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"country": ""}, "Choose your country from the list."),
        ({"country": "XX"}, "Choose your country from the list."),
        ({"visibility": "everyone"}, "Not a valid choice"),
        ({"name": "N" * 121}, "Your name can be at most 120 characters."),
        ({"postcode": "P" * 21}, "A postcode has at most 20 characters."),
        ({"reason": "R" * 501}, "Your reason can be at most 500 characters."),
    ],
)
def test_invalid_input_is_422_on_the_page_and_saves_nothing(
    app, client, make_campaign, fields, message
):
    """Each problem is named next to its field, linked with aria-describedby."""
    slug = make_campaign()
    response = sign(client, slug, **fields)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text or 'role="alert"' in response.text
    assert "Please correct the fields marked below." in response.text
    assert signatures(app) == [] and outbox_rows(app) == []


def test_a_reason_of_exactly_500_characters_is_accepted(app, client, make_campaign):
    """The limit is 500, inclusive."""
    slug = make_campaign()
    assert sign(client, slug, reason="R" * 500).status_code == 303
    assert len(signatures(app)[0].reason) == 500


def test_errors_are_linked_to_their_fields(client, make_campaign):
    """The error list's id is in the input's aria-describedby."""
    slug = make_campaign()
    page = sign(client, slug, name="").text
    tag = re.search(r"<input[^>]*id=\"name\"[^>]*>", page).group(0)
    assert 'aria-describedby="name-error"' in tag and 'aria-invalid="true"' in tag
    assert '<ul class="errors" id="name-error">' in page


@pytest.mark.parametrize(
    ("status", "why"),
    [
        (CampaignStatus.CLOSED, "closed and no longer takes signatures"),
        (CampaignStatus.VICTORY, "has won and no longer takes signatures"),
    ],
)
def test_closed_campaigns_refuse_with_409_and_say_why(app, client, make_campaign, status, why):
    """No form on the page, the reason instead; a POST anyway is a 409 with the reason."""
    slug = make_campaign(status=status)
    page = client.get(f"/campaigns/{slug}").text
    assert why in page and 'name="email"' not in page
    response = sign(client, slug)
    assert response.status_code == 409 and why in response.text
    assert signatures(app) == []


def test_unpublished_campaigns_are_404(app, client, make_campaign):
    """Drafts cannot be signed, nor even seen."""
    slug = make_campaign(status=CampaignStatus.DRAFT)
    assert sign(client, slug).status_code == 404
    assert sign(client, "no-such-campaign").status_code == 404
    assert signatures(app) == []


def test_missing_csrf_token_is_400(app_factory, make_campaign):
    """With CSRF on, as in production, a form without its token is refused."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    slug = make_campaign()
    response = sign(app.test_client(), slug)
    assert response.status_code == 400 and "security token" in response.text
    assert signatures(app) == []


def test_verified_member_signs_in_one_click(app, client, login_as, make_campaign):
    """No name or email asked; confirmed at once with a count delta; no email sent."""
    member = login_as(name="Maya Member")
    slug = make_campaign(country="IN")
    page = client.get(f"/campaigns/{slug}").text
    assert "Sign as Maya Member" in page and 'name="email"' not in page
    assert 'name="website"' not in page
    response = client.post(f"/campaigns/{slug}/sign", data={"country": "IN", "reason": "Yes."})
    assert response.status_code == 303 and response.headers["Location"] == f"/campaigns/{slug}"
    [row] = signatures(app)
    assert row.state == SignatureState.CONFIRMED and row.user_id == member.id
    assert row.name == "Maya Member" and row.visibility == Visibility.COUNT_ONLY
    assert deltas(app) == [1] and outbox_rows(app, "signature_confirm") == []
    assert "Your signature is confirmed" in client.get(f"/campaigns/{slug}").text
    # Signing twice adds nothing.
    client.post(f"/campaigns/{slug}/sign", data={"country": "IN"})
    assert len(signatures(app)) == 1 and deltas(app) == [1]


def test_member_form_errors_are_422(app, client, login_as, make_campaign):
    """The one-click form validates like the guest form."""
    login_as()
    slug = make_campaign()
    response = client.post(f"/campaigns/{slug}/sign", data={"country": "", "reason": "R" * 501})
    assert response.status_code == 422
    assert "Choose your country from the list." in response.text
    assert signatures(app) == []


def test_unverified_member_sees_the_guest_form_and_a_note(app, client, login_as, make_campaign):
    """Without a confirmed email, members sign like guests and confirm by email."""
    login_as(verified=False)
    slug = make_campaign()
    page = client.get(f"/campaigns/{slug}").text
    assert 'name="email"' in page and "is not confirmed yet" in page
    assert sign(client, slug).status_code == 303
    assert signatures(app)[0].state == SignatureState.PENDING
    assert len(outbox_rows(app, "signature_confirm")) == 1


def test_resend_sends_at_most_five_more_then_nothing(app, client, make_campaign):
    """Each resend answers the same; after five, silently nothing more is sent."""
    slug = make_campaign()
    sign(client, slug)
    answers = set()
    for _ in range(7):
        response = client.post(f"/campaigns/{slug}/resend", data={"email": "ANA@example.org"})
        assert response.status_code == 303
        answers.add(response.headers["Location"])
        assert "we have sent the link again" in client.get(response.headers["Location"]).text
    assert answers == {f"/campaigns/{slug}/signed"}
    assert len(outbox_rows(app, "signature_confirm")) == 1 + 5
    # An address that never signed gets the very same answer and no email.
    response = client.post(f"/campaigns/{slug}/resend", data={"email": "nobody@example.org"})
    assert response.status_code == 303 and len(outbox_rows(app)) == 6


def test_resend_refuses_a_malformed_address(client, make_campaign):
    """Bad input is a 422 with a message, not a silent success."""
    slug = make_campaign()
    response = client.post(f"/campaigns/{slug}/resend", data={"email": "nope"})
    assert response.status_code == 422 and "Enter a valid email address." in response.text


def test_resend_is_rate_limited_per_address(app_factory, make_campaign):
    """FORM_LIMIT_PER_IP applies to the resend form."""
    app = app_factory(RATELIMIT_ENABLED=True, FORM_LIMIT_PER_IP="2 per minute")
    client = app.test_client()
    slug = make_campaign()
    codes = [
        client.post(f"/campaigns/{slug}/resend", data={"email": "a@example.org"}).status_code
        for _ in range(3)
    ]
    assert codes == [303, 303, 429]


def test_guests_sign_from_a_per_process_copy_of_the_campaign(app_factory, make_campaign):
    """Within COUNT_CACHE_SECONDS a guest's sign request reads no campaign row; a campaign
    closed meanwhile takes the signature as pending, and confirming it is refused."""
    from sqlalchemy import select, update

    from campaigns.extensions import db
    from campaigns.models import Campaign, OutboxEmail
    from campaigns.signatures import services
    from tests.conftest import count_statements

    app = app_factory(COUNT_CACHE_SECONDS=60)
    slug = make_campaign()
    client = app.test_client()
    assert sign(client, slug, email="first@example.org").status_code == 303
    with app.app_context():
        db.session.execute(update(Campaign).where(Campaign.slug == slug).values(
            status=CampaignStatus.CLOSED))  # fmt: skip
        db.session.commit()
    with count_statements(app) as statements:
        assert sign(client, slug, email="second@example.org").status_code == 303
    assert not [s for s in statements if "FROM campaign" in s]
    with app.app_context():
        second = db.session.scalar(select(OutboxEmail).order_by(OutboxEmail.id.desc()))
        sid = next(s.id for s in signatures(app) if s.email == "second@example.org")
        assert second.recipient == "second@example.org"
        assert services.confirm(sid) == services.Outcome.CLOSED
    app.extensions["groundswell_signing_targets"].clear()
    assert sign(client, slug, email="third@example.org").status_code == 409


def test_a_hidden_campaign_is_404_to_guests_signing(client, make_campaign):
    """Guests cannot sign what they cannot see."""
    from campaigns.models import utcnow

    slug = make_campaign(hidden_at=utcnow())
    assert sign(client, slug, email="x@example.org").status_code == 404
