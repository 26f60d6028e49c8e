"""Edges of the bulk tools and resending: zone-less times, domain aliases, closed campaigns."""

from datetime import timedelta

from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import Campaign, CampaignStatus, Role, Signature, SignatureState, User, utcnow
from campaigns.signatures import abuse, services
from tests.conftest import outbox_rows
from tests.signatures.moderation_helpers import add_signatures, states

PENDING = SignatureState.PENDING


def _campaign(slug):
    """The campaign row, in the current app context."""
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def test_a_window_without_a_zone_is_read_as_utc(app, make_campaign, make_user):
    """A naive datetime (as a script might pass) selects like the same time in UTC."""
    slug = make_campaign()
    moderator = make_user(role=Role.MODERATOR)
    inside, outside = add_signatures(app, slug, {"n": 1}), add_signatures(app, slug, {"n": 1})
    with app.app_context():
        old = utcnow() - timedelta(days=2)
        db.session.get(Signature, outside[0]).created_at = old
        db.session.commit()
        since = (utcnow() - timedelta(hours=3)).replace(tzinfo=None)  # UTC, but naive
        actor = db.session.get(User, moderator.id)
        assert abuse.invalidate(actor, _campaign(slug), abuse.Selection(since=since)) == 1
        db.session.commit()
    assert states(app, inside + outside) == [SignatureState.INVALIDATED, SignatureState.CONFIRMED]


def test_googlemail_selects_the_gmail_signatures_it_was_stored_as(app, make_campaign, make_user):
    """Addresses are stored by canonical domain, so the alias a moderator types still matches."""
    slug = make_campaign()
    moderator = make_user(role=Role.MODERATOR)
    ids = add_signatures(app, slug, {"n": 2, "email_domain": "gmail.com"})
    with app.app_context():
        actor = db.session.get(User, moderator.id)
        selection = abuse.Selection(domain="GoogleMail.com")
        assert abuse.invalidate(actor, _campaign(slug), selection) == 2
        db.session.commit()
    assert states(app, ids) == [SignatureState.INVALIDATED] * 2


def test_releasing_on_a_closed_campaign_sends_no_useless_link(app, make_campaign, make_user):
    """A released pending signature on a closed campaign gets no confirmation email."""
    slug = make_campaign(status=CampaignStatus.CLOSED)
    moderator = make_user(role=Role.MODERATOR)
    add_signatures(app, slug, {"n": 2, "suspect": True, "state": PENDING})
    with app.app_context():
        actor = db.session.get(User, moderator.id)
        assert abuse.release(actor, _campaign(slug), abuse.Selection(domain="example.org")) == 2
        db.session.commit()
    assert outbox_rows(app, template="signature_confirm") == []


def test_resending_on_a_closed_campaign_sends_nothing(app, make_campaign):
    """Once closed, a pending signature's link could confirm nothing: no resend."""
    slug = make_campaign(status=CampaignStatus.CLOSED)
    (sid,) = add_signatures(app, slug, {"n": 1, "state": PENDING})
    with app.app_context():
        email = db.session.get(Signature, sid).email
        services.resend_confirmation(_campaign(slug), email)
        db.session.commit()
    assert outbox_rows(app, template="signature_confirm") == []
