"""The printable delivery document: who may open it, which names it shows, and the audit."""

import re
from datetime import date

import pytest
from babel.dates import format_date
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import (
    AuditEvent,
    Campaign,
    CampaignStatus,
    Role,
    Signature,
    SignatureState,
    Visibility,
    utcnow,
)
from tests.conftest import login


def add(app, slug, email, *, name="Rosa Parks", visibility=Visibility.FULL_NAME, **fields):
    """Insert a signature (confirmed, in Britain, unless told otherwise)."""
    values = {"state": SignatureState.CONFIRMED, "confirmed_at": utcnow(), "country": "GB"}
    with app.app_context():
        campaign_id = _db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        _db.session.add(Signature(
            campaign_id=campaign_id, email=email, canonical_email=email,
            email_domain=email.split("@")[1], name=name, visibility=visibility,
            **{**values, **fields},
        ))  # fmt: skip
        _db.session.commit()


def names_listed(html: str) -> list[str]:
    """The entries of the names list, tags stripped."""
    found = re.search(r'<ul class="delivery-names">(.*?)</ul>', html, re.S)
    items = re.findall(r"<li>(.*?)</li>", found.group(1), re.S) if found else []
    return [re.sub(r"<[^>]+>", "", item).strip() for item in items]


@pytest.fixture
def campaign(app, make_user, make_campaign):
    """A published campaign with signatures of every kind; returns (owner, slug)."""
    owner = make_user()
    slug = make_campaign(
        owner=owner,
        title="Save the Mill Lane library",
        body="Keep it **open** on Saturdays.",
        decision_makers=[("Jo Decider", "Chief Executive", "Example Corp"),
                         ("Sam Mayor", None, "Town Council")],
    )  # fmt: skip
    add(app, slug, "full@example.org", name="Rosa Parks")
    add(app, slug, "initials@example.org", name="Ana María López",
        visibility=Visibility.INITIALS, country="ES")  # fmt: skip
    add(app, slug, "hidden@example.org", name="Secret Person", visibility=Visibility.COUNT_ONLY)
    add(app, slug, "also-hidden@example.org", name="Quiet Signer",
        visibility=Visibility.COUNT_ONLY)  # fmt: skip
    add(app, slug, "pending@example.org", name="Pending Person",
        state=SignatureState.PENDING, confirmed_at=None)  # fmt: skip
    add(app, slug, "suspect@example.org", name="Suspect Person", suspect=True)
    add(app, slug, "gone@example.org", name="Withdrawn Person", state=SignatureState.WITHDRAWN)
    add(app, slug, "void@example.org", name="Invalid Person",
        state=SignatureState.INVALIDATED, invalidated_at=utcnow())  # fmt: skip
    return owner, slug


def test_document_shows_the_campaign_count_and_names_as_chosen(app, client, campaign):
    """Title, decision makers, rendered text, count, date; names exactly as each signer chose."""
    owner, slug = campaign
    login(client, owner.email)
    response = client.get(f"/campaigns/{slug}/delivery")
    assert response.status_code == 200
    assert response.is_streamed
    assert "no-store" in response.headers["Cache-Control"]
    html = response.get_data(as_text=True)
    assert "Save the Mill Lane library" in html
    assert "<strong>Jo Decider</strong>, Chief Executive, Example Corp" in html
    assert "<strong>Sam Mayor</strong>, Town Council" in html
    assert "<strong>open</strong>" in html  # the body as sanitized HTML, not escaped Markdown
    assert "4 people signed this petition" in html
    assert "<li>Rosa Parks <span" in html and "(United Kingdom)" in html
    assert "<li>A. M. L. <span" in html and "(Spain)" in html
    assert "Ana María" not in html  # initials only, as she chose
    assert "and 2 more people who signed without showing their name" in html
    assert 'media="print"' not in html and "@media print" not in html  # in the stylesheet
    assert "css/delivery.css" in html and "js/print.js" in html


def test_only_counted_signatures_and_never_a_hidden_name_or_email(app, client, campaign):
    """Count-only, pending, suspect, withdrawn and invalidated signers are never named."""
    owner, slug = campaign
    login(client, owner.email)
    html = client.get(f"/campaigns/{slug}/delivery").get_data(as_text=True)
    for name in ("Secret Person", "Quiet Signer", "Pending Person", "Suspect Person",
                 "Withdrawn Person", "Invalid Person"):  # fmt: skip
        assert name not in html
    assert "@example.org" not in html
    assert names_listed(html) == ["Rosa Parks (United Kingdom)", "A. M. L. (Spain)"]


def test_every_document_is_in_the_audit_log(app, client, campaign):
    """Who made the document for which campaign, and how many signatures it carried."""
    owner, slug = campaign
    login(client, owner.email)
    client.get(f"/campaigns/{slug}/delivery").get_data()
    client.get(f"/campaigns/{slug}/delivery").get_data()
    with app.app_context():
        events = _db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "signatures.delivery_document")
        ).all()
        assert len(events) == 2
        assert {e.actor_id for e in events} == {owner.id}
        assert events[0].details["rows"] == 4 and events[0].details["named"] == 2


def test_nobody_named_and_nobody_signed(app, client, make_user, make_campaign):
    """Without named signers the page says how many signed; without any, that no one has."""
    owner = make_user()
    quiet, empty = make_campaign(owner=owner), make_campaign(owner=owner)
    add(app, quiet, "a@example.org", visibility=Visibility.COUNT_ONLY)
    login(client, owner.email)
    html = client.get(f"/campaigns/{quiet}/delivery").get_data(as_text=True)
    assert "1 person signed without showing their name." in html
    assert "delivery-names" not in html
    html = client.get(f"/campaigns/{empty}/delivery").get_data(as_text=True)
    assert "No one has signed yet." in html and "0 people signed this petition" in html


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("member", 403), ("moderator", 403), ("admin", 200),
     ("owner", 200), ("co", 200)],
)  # fmt: skip
def test_only_organizers_and_admins_open_it(app, client, make_user, make_campaign, who, status):
    """Anonymous visitors log in first; members and moderators are refused."""
    owner, co = make_user(), make_user()
    slug = make_campaign(owner=owner, co_organizers=[co])
    users = {"member": make_user(), "moderator": make_user(role=Role.MODERATOR),
             "admin": make_user(role=Role.ADMIN), "co": co, "owner": owner}  # fmt: skip
    if who != "anonymous":
        login(client, users[who].email)
    response = client.get(f"/campaigns/{slug}/delivery")
    assert response.status_code == status
    if status == 302:
        assert "/login" in response.headers["Location"]
    if status == 403:
        with app.app_context():
            assert _db.session.scalar(select(AuditEvent.id).where(
                AuditEvent.action == "signatures.delivery_document")) is None  # fmt: skip


def test_unpublished_campaigns_have_no_document(app, client, make_user, make_campaign):
    """A draft is 404 to others and a clear 409 to its owner; unknown slugs are 404."""
    owner = make_user()
    slug = make_campaign(owner=owner, status=CampaignStatus.DRAFT)
    login(client, make_user().email)
    assert client.get(f"/campaigns/{slug}/delivery").status_code == 404
    assert client.get("/campaigns/no-such-campaign/delivery").status_code == 404
    owners = app.test_client()
    login(owners, owner.email)
    response = owners.get(f"/campaigns/{slug}/delivery")
    assert response.status_code == 409
    assert "once it is published" in response.get_data(as_text=True)


def test_organizers_find_the_link_on_the_campaign_page(app, client, campaign):
    """The organizers' panel links to the document."""
    owner, slug = campaign
    login(client, owner.email)
    html = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    assert f"/campaigns/{slug}/delivery" in html


def test_dates_and_numbers_follow_the_locale(app, client, make_user, make_campaign):
    """In French the count uses French digit grouping and the date French month names."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    with app.app_context():
        campaign_id = _db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        _db.session.add_all(
            Signature(campaign_id=campaign_id, email=f"s{n}@example.org",
                      canonical_email=f"s{n}@example.org", email_domain="example.org",
                      name=f"Signer {n}", country="FR", visibility=Visibility.FULL_NAME,
                      state=SignatureState.CONFIRMED, confirmed_at=utcnow())
            for n in range(1234)
        )  # fmt: skip
        _db.session.commit()
    login(client, owner.email)
    client.post("/language", data={"lang-language": "fr", "lang-next": "/"})
    html = client.get(f"/campaigns/{slug}/delivery").get_data(as_text=True)
    assert "1\u202f234" in html  # French groups thousands with a narrow no-break space
    assert format_date(date.today(), "long", locale="fr") in html
    assert len(names_listed(html)) == 1234 and "Signer 1233 (France)" in names_listed(html)


def test_a_flash_message_shows_once(app, client, make_user, make_campaign):
    """A message waiting to be shown appears on the document and not again on the next page."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    login(client, owner.email)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "FLASH-MARKER")]
    first = client.get(f"/campaigns/{slug}/delivery").get_data(as_text=True)
    second = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    assert "FLASH-MARKER" in first
    assert "FLASH-MARKER" not in second
