"""The signing verbs at the service level: sign, confirm, withdraw, resend, members."""

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Signature,
    SignatureDelta,
    SignatureImport,
    SignatureSource,
    SignatureState,
    User,
    Visibility,
    utcnow,
)
from campaigns.signatures import services
from campaigns.signatures.services import Outcome, SignError
from campaigns.signatures.tokens import read_confirm_token, read_withdraw_token
from tests.conftest import get_campaign, outbox_rows
from tests.signatures.test_sign_views import email_links

IP_A, IP_B, IP_C = "a" * 32, "b" * 32, "c" * 32


def load(slug) -> Campaign:
    """The campaign with this slug, in the current session."""
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def sign(app, slug, email, *, name="Ana Signer", country="GB", **fields):
    """A guest signs through the service, in its own committed transaction."""
    with app.app_context():
        result = services.sign(load(slug), name=name, email=email, country=country, **fields)
        db.session.commit()
        return result


def sign_member(app, slug, user, *, country="GB", **fields):
    """A member signs through the service, in its own committed transaction."""
    with app.app_context():
        member = db.session.get(User, user.id)
        result = services.sign_as_member(load(slug), member, country=country, **fields)
        db.session.commit()
        return result


def run(app, verb, *args):
    """Call a service verb in its own committed transaction; its return value."""
    with app.app_context():
        result = verb(*args)
        db.session.commit()
        return result


def signature(app, signature_id) -> Signature:
    """One signature, detached."""
    with app.app_context():
        row = db.session.get(Signature, signature_id)
        db.session.expunge_all()
        return row


def signatures(app) -> list[Signature]:
    """Every signature, oldest first, detached."""
    with app.app_context():
        rows = db.session.scalars(select(Signature).order_by(Signature.id)).all()
        db.session.expunge_all()
        return rows


def deltas(app) -> list[int]:
    """The pending count deltas, oldest first."""
    with app.app_context():
        return list(db.session.scalars(select(SignatureDelta.delta).order_by(SignatureDelta.id)))


def confirm_emails(app):
    """The queued confirmation emails."""
    return outbox_rows(app, template="signature_confirm")


def set_campaign(app, slug, **values):
    """Change columns of a campaign directly."""
    with app.app_context():
        db.session.execute(sa.update(Campaign).where(Campaign.slug == slug).values(**values))
        db.session.commit()


# --- Guests sign -------------------------------------------------------------------------


def test_guest_signing_is_pending_and_emails_a_confirm_link(app, make_campaign):
    """A pending row, one confirmation email with both links, and no change to the count."""
    slug = make_campaign()
    details = {"reason": " Because. ", "postcode": "N1 9GU", "visibility": "initials"}
    result = sign(
        app,
        slug,
        " Ana.Lopez@Example.org ",
        **details,
        consent_updates=True,
        ip_hash=IP_A,
        locale="fr",
    )
    assert result.created and not result.confirmed and not result.suspect
    row = signature(app, result.signature_id)
    assert row.state == SignatureState.PENDING and row.confirmed_at is None
    assert (row.email, row.canonical_email) == ("Ana.Lopez@Example.org", "ana.lopez@example.org")
    assert (row.email_domain, row.reason, row.postcode) == ("example.org", "Because.", "N1 9GU")
    assert row.visibility == Visibility.INITIALS and row.consent_updates and row.ip_hash == IP_A
    assert row.locale == "fr" and not row.counts
    [email] = confirm_emails(app)
    assert email.recipient == "Ana.Lopez@Example.org" and email.locale == "fr"
    # The request stores only the signature's id; the links are made when the email is sent.
    assert email.payload == {
        "signature_id": result.signature_id, "name": "Ana Signer",
        "title": get_campaign(app, slug).title, "slug": slug,
    }  # fmt: skip
    links = email_links(app, email)
    assert links["campaign_link"] == f"http://localhost/campaigns/{slug}"
    with app.app_context():
        assert read_confirm_token(links["confirm_link"].rsplit("/", 1)[1]) == result.signature_id
        assert read_withdraw_token(links["withdraw_link"].rsplit("/", 1)[1]) == result.signature_id
    assert deltas(app) == []


def test_signing_again_under_any_spelling_sends_nothing(app, make_campaign):
    """One signature per person and campaign: the same address spelled differently is a no-op."""
    slug, other = make_campaign(), make_campaign()
    first = sign(app, slug, "jo.smith@gmail.com")
    for spelling in ("JoSmith@gmail.com", "j.o.smith+x@googlemail.com", " JO.SMITH@GMAIL.COM"):
        again = sign(app, slug, spelling, name="Someone Else")
        assert again == services.Signed(None, False)
    assert len(signatures(app)) == 1 and len(confirm_emails(app)) == 1
    assert signature(app, first.signature_id).name == "Ana Signer"
    # The same person may sign another campaign.
    assert sign(app, other, "josmith@gmail.com").created
    assert len(confirm_emails(app)) == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "ana@localhost"}, "email"),
        ({"country": "XX"}, "country"),
        ({"country": ""}, "country"),
        ({"visibility": "everything"}, "visibility"),
        ({"postcode": "1" * 21}, "postcode"),
        ({"reason": "r" * 501}, "reason"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(app, make_campaign, fields, field):
    """Each invalid field gives a SignError naming it, and nothing is saved."""
    slug = make_campaign()
    values = {"name": "Ana", "email": "ana@example.org", **fields}
    with pytest.raises(SignError) as raised:
        sign(app, slug, values.pop("email"), **values)
    assert raised.value.field == field and raised.value.status == 422 and raised.value.message
    assert signatures(app) == [] and confirm_emails(app) == []


def test_limits_are_inclusive(app, make_campaign):
    """Exactly 120 characters of name, 500 of reason and 20 of postcode are fine."""
    slug = make_campaign()
    result = sign(app, slug, "ana@example.org", name="n" * 120, reason="r" * 500, postcode="p" * 20)
    assert result.created


@pytest.mark.parametrize(
    "values",
    [
        {"status": CampaignStatus.DRAFT},
        {"status": CampaignStatus.CLOSED},
        {"status": CampaignStatus.VICTORY},
        {"status": CampaignStatus.OPEN, "hidden_at": utcnow()},
    ],
)
def test_only_open_campaigns_take_signatures(app, make_campaign, make_user, values):
    """Guests and members get a 409 with a reason; nothing is written."""
    slug = make_campaign()
    set_campaign(app, slug, **values)
    with pytest.raises(SignError) as raised:
        sign(app, slug, "ana@example.org")
    assert raised.value.status == 409 and raised.value.message
    with pytest.raises(SignError) as raised:
        sign_member(app, slug, make_user())
    assert raised.value.status == 409
    assert signatures(app) == [] and outbox_rows(app) == [] and deltas(app) == []


# --- Confirm -----------------------------------------------------------------------------


def test_confirm_works_once_and_appends_one_delta(app, make_campaign):
    """The first confirmation counts; a second changes nothing and says so."""
    slug = make_campaign()
    sid = sign(app, slug, "ana@example.org").signature_id
    assert run(app, services.confirm, sid) == Outcome.DONE
    assert run(app, services.confirm, sid) == Outcome.ALREADY
    row = signature(app, sid)
    assert row.state == SignatureState.CONFIRMED and row.confirmed_at is not None and row.counts
    assert deltas(app) == [1]
    # The campaign row itself is left to the aggregator.
    with app.app_context():
        assert load(slug).signature_count == 0


def test_confirm_outcomes_for_gone_closed_and_unknown(app, make_campaign):
    """Withdrawn or unknown: GONE; campaign closed meanwhile: CLOSED and not counted."""
    slug = make_campaign()
    gone = sign(app, slug, "gone@example.org").signature_id
    late = sign(app, slug, "late@example.org").signature_id
    assert run(app, services.withdraw, gone) == Outcome.DONE
    assert run(app, services.confirm, gone) == Outcome.GONE
    assert run(app, services.confirm, 10**9) == Outcome.GONE
    set_campaign(app, slug, status=CampaignStatus.CLOSED)
    assert run(app, services.confirm, late) == Outcome.CLOSED
    assert signature(app, late).state == SignatureState.PENDING
    set_campaign(app, slug, status=CampaignStatus.OPEN, hidden_at=utcnow())
    assert run(app, services.confirm, late) == Outcome.CLOSED
    assert deltas(app) == []


# --- Withdraw ----------------------------------------------------------------------------


def test_withdraw_erases_the_signer_and_lowers_the_count(app, make_campaign):
    """Name, email, postcode and reason go; the count gets a -1; a second withdraw is ALREADY."""
    slug = make_campaign()
    details = {"reason": "Mine", "postcode": "N1", "consent_updates": True, "ip_hash": IP_A}
    sid = sign(app, slug, "ana@example.org", **details).signature_id
    run(app, services.confirm, sid)
    assert run(app, services.withdraw, sid) == Outcome.DONE
    row = signature(app, sid)
    assert row.state == SignatureState.WITHDRAWN and row.withdrawn_at is not None
    assert (row.email, row.canonical_email, row.email_domain) == (None, None, None)
    assert (row.name, row.postcode, row.reason, row.consent_updates) == ("", None, None, False)
    assert row.public_name is None and row.public_reason is None
    assert deltas(app) == [1, -1]
    assert run(app, services.withdraw, sid) == Outcome.ALREADY
    assert run(app, services.withdraw, 10**9) == Outcome.GONE
    assert deltas(app) == [1, -1]


def test_withdrawing_a_pending_signature_erases_it_without_a_delta(app, make_campaign):
    """A pending signature never counted, so withdrawing it changes no count."""
    slug = make_campaign()
    sid = sign(app, slug, "ana@example.org").signature_id
    assert run(app, services.withdraw, sid) == Outcome.DONE
    assert signature(app, sid).email is None and deltas(app) == []


def test_after_withdrawing_the_same_person_may_sign_again(app, make_campaign):
    """The erased canonical email frees the (campaign, canonical email) slot."""
    slug = make_campaign()
    sid = sign(app, slug, "ana@example.org").signature_id
    run(app, services.withdraw, sid)
    again = sign(app, slug, "ANA@example.org")
    assert again.created and again.signature_id != sid
    assert len(confirm_emails(app)) == 2


def test_withdraw_own_refuses_other_peoples_signatures(app, make_campaign, make_user):
    """Members withdraw their own signatures, by account or by email; others get a 404."""
    slug = make_campaign()
    ana, bob = make_user("ana@example.org"), make_user("bob@example.org")
    guest_sid = sign(app, slug, "ANA@example.org").signature_id
    with app.app_context():
        with pytest.raises(SignError) as raised:
            services.withdraw_own(db.session.get(User, bob.id), guest_sid)
        assert raised.value.status == 404
        with pytest.raises(SignError):
            services.withdraw_own(db.session.get(User, bob.id), 10**9)
        assert services.withdraw_own(db.session.get(User, ana.id), guest_sid) == Outcome.DONE
        db.session.commit()
    assert signature(app, guest_sid).state == SignatureState.WITHDRAWN


# --- Resend ------------------------------------------------------------------------------


def test_resend_sends_at_most_five_more_emails(app, make_campaign):
    """Each resend queues one more email, up to SIGN_RESEND_MAX; after that, silence."""
    slug = make_campaign()
    sign(app, slug, "ana.lopez@gmail.com")
    for _ in range(7):
        with app.app_context():
            services.resend_confirmation(load(slug), "AnaLopez+x@gmail.com")
            db.session.commit()
    emails = confirm_emails(app)
    assert len(emails) == 1 + app.config["SIGN_RESEND_MAX"] == 6
    assert {e.recipient for e in emails} == {"ana.lopez@gmail.com"}
    assert [s.resend_count for s in signatures(app)] == [5]


def test_resend_is_silent_for_unknown_confirmed_suspect_and_other_campaigns(app, make_campaign):
    """No enumeration: nothing happens, and nothing is said, unless a pending row exists."""
    slug, other = make_campaign(), make_campaign()
    confirmed = sign(app, slug, "done@example.org").signature_id
    run(app, services.confirm, confirmed)
    sign(app, other, "elsewhere@example.org")
    with app.app_context():
        held = {"email": "held@example.org", "canonical_email": "held@example.org"}
        db.session.execute(
            sa.insert(Signature).values(
                campaign_id=load(slug).id, **held, name="H", country="GB", suspect=True
            )
        )
        db.session.commit()
    before = len(confirm_emails(app))
    for address in ("nobody@", "done@", "held@", "elsewhere@"):
        with app.app_context():
            assert services.resend_confirmation(load(slug), address + "example.org") is None
            db.session.commit()
    assert len(confirm_emails(app)) == before
    with app.app_context(), pytest.raises(SignError) as raised:
        services.resend_confirmation(load(slug), "not an address")
    assert raised.value.field == "email"


def paper_signature(app, slug, email) -> int:
    """A pending paper signature in a pending import, as an upload leaves it. Its id."""
    with app.app_context():
        campaign = load(slug)
        record = SignatureImport(campaign_id=campaign.id, filename="paper.csv")
        db.session.add(record)
        db.session.flush()
        row = Signature(
            campaign_id=campaign.id, import_id=record.id, email=email, canonical_email=email,
            email_domain=email.split("@")[1], name="Paper Name", country="GB",
            source=SignatureSource.IMPORT, state=SignatureState.PENDING,
        )  # fmt: skip
        db.session.add(row)
        db.session.commit()
        return row.id


def test_a_paper_signature_waits_for_its_import(app, make_campaign, make_user):
    """No resend email, no confirming by link, no adopting: the organizers decide."""
    slug = make_campaign()
    sid = paper_signature(app, slug, "paper@example.org")
    with app.app_context():
        services.resend_confirmation(load(slug), "paper@example.org")
        db.session.commit()
    assert confirm_emails(app) == []
    assert run(app, services.confirm, sid) == Outcome.WAITING
    result = sign_member(app, slug, make_user("paper@example.org", name="Someone Else"))
    assert result == services.Signed(sid, False)
    row = signature(app, sid)
    assert (row.state, row.name, row.user_id) == (SignatureState.PENDING, "Paper Name", None)
    assert deltas(app) == []


# --- Members -----------------------------------------------------------------------------


def test_verified_member_signs_in_one_step(app, make_campaign, make_user):
    """Confirmed at once, one delta, no email; signing again changes nothing."""
    slug = make_campaign()
    user = make_user("Member.One@example.org", name="Member One")
    result = sign_member(app, slug, user, reason="Yes", visibility="full_name", ip_hash=IP_A)
    assert result.created and result.confirmed and not result.suspect
    row = signature(app, result.signature_id)
    assert row.user_id == user.id and row.state == SignatureState.CONFIRMED and row.counts
    assert row.name == "Member One" and row.public_name == "Member One"
    again = sign_member(app, slug, user)
    assert not again.created and again.confirmed and again.signature_id == row.id
    assert deltas(app) == [1] and confirm_emails(app) == []


def test_unverified_member_must_confirm_their_email_first(app, make_campaign, make_user):
    """Without a verified address there is no one-click signing (403)."""
    slug = make_campaign()
    with pytest.raises(SignError) as raised:
        sign_member(app, slug, make_user(verified=False))
    assert raised.value.status == 403 and signatures(app) == []


def test_member_adopts_and_confirms_their_pending_guest_signature(app, make_campaign, make_user):
    """A member who signed as a guest and never clicked the link is confirmed by signing in."""
    slug = make_campaign()
    sid = sign(app, slug, "a.n.a+x@gmail.com").signature_id
    user = make_user("ana@gmail.com")
    result = sign_member(app, slug, user)
    assert result == services.Signed(sid, False, confirmed=True)
    row = signature(app, sid)
    assert row.user_id == user.id and row.state == SignatureState.CONFIRMED
    assert deltas(app) == [1]
    assert sign_member(app, slug, user).confirmed and deltas(app) == [1]


def test_adopting_takes_the_members_choices_not_what_was_typed(app, make_campaign, make_user):
    """Anyone could have signed with the member's address: the member's choices win."""
    slug = make_campaign()
    sid = sign(
        app, slug, "ana@example.org", name="Rude Name", country="FR", postcode="75001",
        reason="Words the member never wrote.", visibility=Visibility.FULL_NAME,
        consent_updates=True,
    ).signature_id  # fmt: skip
    user = make_user("ana@example.org", name="Ana")
    result = sign_member(app, slug, user, country="GB", visibility=Visibility.COUNT_ONLY)
    assert result.confirmed
    row = signature(app, sid)
    assert (row.name, row.country, row.postcode, row.reason) == ("Ana", "GB", None, None)
    assert row.visibility == Visibility.COUNT_ONLY and row.consent_updates is False
    assert row.state == SignatureState.CONFIRMED and deltas(app) == [1]


def test_adopting_an_invalidated_signature_does_not_claim_it_counts(app, make_campaign, make_user):
    """A member whose address was invalidated in a flood is thanked, not told it counts."""
    slug = make_campaign()
    sid = sign(app, slug, "ana@example.org").signature_id
    with app.app_context():
        db.session.get(Signature, sid).state = SignatureState.INVALIDATED
        db.session.commit()
    user = make_user("ana@example.org")
    result = sign_member(app, slug, user)
    assert result == services.Signed(sid, False, confirmed=False, suspect=False)
    assert deltas(app) == []
