"""Spanish and Hindi: pages, numbers and dates for the locale, emails in the reader's language."""

from datetime import UTC, datetime, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.mail.messages import render_parts
from campaigns.models import Campaign, CampaignStatus, OutboxEmail, Role, User
from campaigns.petitions import organizers
from campaigns.signatures.notify import email_organizers_milestones
from tests.conftest import get_campaign, login, outbox_rows
from tests.moderation.helpers import moderator
from tests.outcomes.mailing_helpers import add_signers, add_update, fan_out, update_emails
from tests.outcomes.victory_helpers import mark

HOME_HEADLINE = {
    "es": "El cambio empieza con una firma",
    "hi": "बदलाव एक हस्ताक्षर से शुरू होता है",
}
# 1234567 as each language writes it (fr groups with a narrow no-break space).
BIG = {"en": "1,234,567", "fr": "1\u202f234\u202f567", "es": "1.234.567", "hi": "12,34,567"}


def set_locale(app, user, locale):
    """Save a language on an account, as the account page would."""
    with app.app_context():
        _db.session.get(User, user.id).locale = locale
        _db.session.commit()


def rendered(row_id):
    """Subject, text and HTML of one outbox row (inside an app context)."""
    return render_parts(_db.session.get(OutboxEmail, row_id))


@pytest.mark.parametrize("locale", ["es", "hi"])
def test_home_page_follows_accept_language(client, locale):
    """The browser's language picks the page's language and its lang attribute."""
    page = client.get("/", headers={"Accept-Language": f"{locale};q=0.9,en;q=0.5"}).text
    assert f'<html lang="{locale}">' in page
    assert HOME_HEADLINE[locale] in page
    assert "Change starts with a signature" not in page


def test_switcher_offers_every_language_in_its_own_name(client):
    """The footer's picker lists all four languages, each labelled in itself."""
    page = client.get("/").text
    for code, label in {"en": "English", "fr": "Français", "es": "Español", "hi": "हिन्दी"}.items():
        assert f'<option value="{code}" lang="{code}"' in page and f">{label}</option>" in page


def test_session_choice_switches_to_hindi(client):
    """Choosing Hindi in the footer beats the browser's English."""
    response = client.post("/language", data={"lang-language": "hi", "lang-next": "/"})
    assert response.status_code == 302
    page = client.get("/", headers={"Accept-Language": "en"}).text
    assert '<html lang="hi">' in page and HOME_HEADLINE["hi"] in page
    assert 'value="hi" lang="hi" selected' in page


def test_account_language_can_be_spanish(app, client, make_user):
    """The account page offers Spanish and Hindi, and a saved choice follows the account."""
    user = make_user("lucia@example.org")
    login(client, user.email)
    page = client.get("/account/").text
    picker = page.split('name="profile-locale"')[1].split("</select>")[0]
    assert 'value="es"' in picker and 'value="hi"' in picker
    client.post("/account/profile", data={"profile-display_name": "Lucía", "profile-locale": "es"})
    with app.app_context():
        assert _db.session.get(User, user.id).locale == "es"
    assert "Mi cuenta" in client.get("/account/", headers={"Accept-Language": "hi"}).text


@pytest.mark.parametrize("locale", ["en", "fr", "es", "hi"])
def test_campaign_page_formats_numbers_and_dates_for_the_locale(client, make_campaign, locale):
    """1234567 signatures and the deadline are written as each language writes them."""
    deadline = datetime.now(UTC).replace(hour=12, minute=0) + timedelta(days=60)
    slug = make_campaign(signature_count=1_234_567, goal=2_000_000, deadline=deadline)
    page = client.get(f"/campaigns/{slug}", headers={"Accept-Language": locale}).text
    assert f'<strong id="signature-count" data-count-number>{BIG[locale]}</strong>' in page
    assert format_date(deadline.date(), "long", locale=locale) in page
    for other, written in BIG.items():
        if other != locale and written != BIG[locale]:
            assert written not in page


def test_lists_format_counts_in_hindi(client, make_campaign):
    """Card counts and the goal on the discovery list use Indian digit grouping."""
    make_campaign(signature_count=1_234_567, goal=10_000_000)
    page = client.get("/campaigns", headers={"Accept-Language": "hi"}).text
    assert "12,34,567" in page and "1,00,00,000" in page


def test_guest_signing_in_hindi_gets_a_hindi_confirmation(app, client, make_campaign):
    """The confirmation email uses the language the guest signed in, whatever comes later."""
    slug = make_campaign(title="Protect farmworker women")
    response = client.post(
        f"/campaigns/{slug}/sign",
        data={"name": "Asha", "email": "asha@example.org", "country": "IN"},
        headers={"Accept-Language": "hi-IN,hi;q=0.9"},
    )
    assert response.status_code in (200, 303)
    (row,) = outbox_rows(app, "signature_confirm")
    assert row.locale == "hi"
    with app.test_request_context(headers={"Accept-Language": "en"}), app.app_context():
        subject, text, html = rendered(row.id)
    assert subject == "अपने हस्ताक्षर की पुष्टि करें"
    assert "“Protect farmworker women” पर हस्ताक्षर करने के लिए धन्यवाद" in text
    assert "मेरे हस्ताक्षर की पुष्टि करें" in html and '<html lang="hi">' in html
    assert "Confirm my signature" not in html


def test_spanish_organizer_gets_moderation_email_in_spanish(app, make_user, make_campaign):
    """A moderator browsing in English approves; the owner's email is in the owner's Spanish."""
    owner = make_user("lucia@example.org", name="Lucía")
    set_locale(app, owner, "es")
    slug = make_campaign(status=CampaignStatus.PENDING_REVIEW, owner=owner, title="Agua limpia")
    staff = moderator(app, make_user, "mod@example.org")
    response = staff.post(
        f"/moderation/campaigns/{slug}/approve", headers={"Accept-Language": "en"}, data={}
    )
    assert response.status_code == 302
    (row,) = outbox_rows(app, "campaign_approved")
    with app.app_context():
        subject, text, _html = rendered(row.id)
    assert row.locale == "es" and subject == "Su campaña está publicada"
    assert "un moderador aprobó su campaña “Agua limpia”" in text


def test_victory_emails_each_organizer_in_their_language(app, client, make_user, make_campaign):
    """Owner in Spanish, co-organizer in Hindi: each victory email in its reader's language."""
    owner, co = make_user("lucia@example.org"), make_user("asha@example.org")
    set_locale(app, owner, "es")
    set_locale(app, co, "hi")
    slug = make_campaign(owner=owner, co_organizers=[co], title="USC")
    admin = make_user(role=Role.ADMIN)
    login(client, admin.email)
    assert mark(client, slug).status_code == 302
    rows = {row.recipient: row for row in outbox_rows(app, "victory_confirmed")}
    with app.app_context():
        es_subject, es_text, _ = rendered(rows["lucia@example.org"].id)
        hi_subject, hi_text, _ = rendered(rows["asha@example.org"].id)
    assert es_subject == "La victoria de su campaña está confirmada" and "¡Enhorabuena!" in es_text
    assert hi_subject == "आपके अभियान की जीत की पुष्टि हो गई है" and "बधाई हो!" in hi_text


def test_milestone_email_formats_numbers_for_the_organizer(app, make_user, make_campaign):
    """A Hindi-speaking organizer reads 1,00,000 in the milestone email, a Spanish one 100.000."""
    owner, co = make_user("asha@example.org"), make_user("lucia@example.org")
    set_locale(app, owner, "hi")
    set_locale(app, co, "es")
    slug = make_campaign(owner=owner, co_organizers=[co], goal=500_000)
    with app.app_context():
        email_organizers_milestones(get_campaign(app, slug).id, [(100_000, "")])
        _db.session.commit()
    rows = {row.recipient: row for row in outbox_rows(app, "milestone_reached")}
    with app.app_context():
        _s, hi_text, _h = rendered(rows["asha@example.org"].id)
        _s, es_text, _h = rendered(rows["lucia@example.org"].id)
    assert "1,00,000 हस्ताक्षर पार कर लिए हैं" in hi_text
    assert "ha superado las 100.000 firmas" in es_text


def test_update_emails_use_each_signers_language(app, make_campaign):
    """One update, three signers in three languages: three emails, each in its signer's."""
    slug = make_campaign(title="Clean water")
    for locale in ("en", "es", "hi"):
        add_signers(app, slug, prefix=f"signer-{locale}-", locale=locale)
    update_id = add_update(app, slug, title="We met the board")
    fan_out(app)
    by_locale = {row.locale: row for row in update_emails(app, update_id)}
    assert set(by_locale) == {"en", "es", "hi"}
    with app.app_context():
        texts = {locale: rendered(row.id)[1] for locale, row in by_locale.items()}
    assert "An update from “Clean water”, which you signed" in texts["en"]
    assert "Una novedad de “Clean water”, que usted firmó" in texts["es"]
    assert "“Clean water” से एक अपडेट, जिस पर आपने हस्ताक्षर किए हैं" in texts["hi"]


def test_invitation_uses_the_invitees_language(app, make_user, make_campaign):
    """An English-speaking owner invites a Hindi-speaking member: the invitation is in Hindi."""
    owner, invitee = make_user("owner@example.org"), make_user("asha@example.org")
    set_locale(app, owner, "en")
    set_locale(app, invitee, "hi")
    slug = make_campaign(owner=owner)
    with app.test_request_context():
        actor = _db.session.get(User, owner.id)
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        organizers.invite(actor, campaign, "asha@example.org")
        organizers.invite(actor, campaign, "new@example.org")
        _db.session.commit()
    rows = {row.recipient: row.locale for row in outbox_rows(app, "organizer_invitation")}
    assert rows == {"asha@example.org": "hi", "new@example.org": "en"}
