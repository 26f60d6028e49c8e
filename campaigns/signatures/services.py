"""Signing verbs: sign, confirm, withdraw, resend. Each works in the caller's transaction
(a guest's sign may, when asked, commit its one statement on its own: see writes.py).

The write path follows DESIGN.md section 3: one INSERT ... ON CONFLICT DO NOTHING per
signing, an outbox row only when a row was inserted, guarded single-row UPDATEs for state
changes, and count deltas instead of updates to the campaign row.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from campaigns.core.services import RuleError
from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Signature,
    SignatureSource,
    SignatureState,
    User,
    Visibility,
    utcnow,
)
from campaigns.petitions.countries import country_codes
from campaigns.signatures.canonical import canonical_email, email_domain
from campaigns.signatures.counting import record_delta
from campaigns.signatures.limits import over_limit
from campaigns.signatures.notify import email_confirmation
from campaigns.signatures.queries import owned_by
from campaigns.signatures.writes import insert_and_email, insert_signature

NAME_MAX = 120
EMAIL_MAX = 254
POSTCODE_MAX = 20
REASON_MAX = 500
# What withdrawing erases: everything that could identify the signer.
ERASED = {
    "email": None,
    "canonical_email": None,
    "email_domain": None,
    "name": "",
    "postcode": None,
    "reason": None,
    "consent_updates": False,
}


class SignError(RuleError):
    """Input or a state the signing rules refuse; the message is shown to the signer."""


@dataclass(frozen=True)
class Signed:
    """The outcome of signing. Guests see the same page whatever it is (no enumeration)."""

    signature_id: int | None
    created: bool
    confirmed: bool = False
    suspect: bool = False


class Outcome(enum.StrEnum):
    """What a confirm or withdraw request found."""

    DONE = "done"
    ALREADY = "already"
    GONE = "gone"
    CLOSED = "closed"
    HELD = "held"
    WAITING = "waiting"  # part of a paper import: its organizers confirm it, not a link


def closed_reason(campaign: Campaign) -> str | None:
    """Why the campaign takes no signatures now, or None when it does."""
    if campaign.is_open:
        return None
    if campaign.is_hidden:
        return _("This campaign is under review and does not take signatures for now.")
    if campaign.status == CampaignStatus.VICTORY:
        return _("This campaign has won and no longer takes signatures.")
    if campaign.status == CampaignStatus.CLOSED:
        return _("This campaign is closed and no longer takes signatures.")
    return _("This campaign is not open for signatures yet.")


def _require_open(campaign: Campaign) -> None:
    """Refuse signing a campaign that is not open, saying why."""
    reason = closed_reason(campaign)
    if reason:
        raise SignError(reason, status=409)


def _clean(value: str | None, limit: int, field: str, message: Callable[[], str]) -> str | None:
    """Trim an optional text; refuse it when longer than limit.

    message() translates the refusal only when there is one: signing is the hot path of a
    viral campaign, and gettext costs more than the check.
    """
    value = (value or "").strip()
    if len(value) > limit:
        raise SignError(message(), field)
    return value or None


def _checked_details(country: str, postcode, reason, visibility) -> dict:
    """The signer's details shared by guests and members, validated."""
    country = (country or "").strip().upper()
    if country not in country_codes():
        raise SignError(_("Choose your country from the list."), "country")
    try:
        visibility = Visibility(visibility)
    except ValueError:
        raise SignError(_("Choose how your name is shown."), "visibility") from None
    return {
        "country": country,
        "postcode": _clean(postcode, POSTCODE_MAX, "postcode",
                           lambda: _("A postcode has at most %(n)s characters.", n=POSTCODE_MAX)),
        "reason": _clean(reason, REASON_MAX, "reason",
                         lambda: _("Your reason can be at most %(n)s characters.", n=REASON_MAX)),
        "visibility": visibility,
    }  # fmt: skip


def sign(
    campaign: Campaign,
    *,
    name: str,
    email: str,
    country: str,
    postcode: str | None = None,
    reason: str | None = None,
    visibility: Visibility | str = Visibility.COUNT_ONLY,
    consent_updates: bool = False,
    ip_hash: str | None = None,
    locale: str = "en",
    source: SignatureSource = SignatureSource.WEB,
    own_transaction: bool = False,
) -> Signed:
    """A guest signs: a pending signature and a confirmation email, unless already signed.

    own_transaction lets PostgreSQL commit the signature and its email at once, in one
    statement (writes.insert_and_email); for a request that writes nothing else.
    """
    _require_open(campaign)
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise SignError(_("Enter your name (at most %(n)s characters).", n=NAME_MAX), "name")
    email = (email or "").strip()
    try:
        if len(email) > EMAIL_MAX:  # as stored, before any normalizing could shorten it
            raise ValueError(email)
        canonical = canonical_email(email)
    except ValueError:
        raise SignError(_("Enter a valid email address."), "email") from None
    details = _checked_details(country, postcode, reason, visibility)
    domain = email_domain(canonical)
    suspect_reason = over_limit(campaign.id, ip_hash, domain)
    values = {
        "campaign_id": campaign.id, "email": email, "canonical_email": canonical,
        "email_domain": domain, "name": name, "consent_updates": bool(consent_updates),
        "state": SignatureState.PENDING, "source": source, "ip_hash": ip_hash,
        "suspect": suspect_reason is not None, "suspect_reason": suspect_reason,
        "locale": locale, "created_at": utcnow(), **details,
    }  # fmt: skip
    if suspect_reason is None:
        signature_id = insert_and_email(campaign, values, own_transaction=own_transaction)
    else:  # held: no email until a moderator releases it
        signature_id = insert_signature(values)
    return Signed(signature_id, signature_id is not None, suspect=suspect_reason is not None)


def sign_as_member(
    campaign: Campaign,
    user: User,
    *,
    country: str,
    reason: str | None = None,
    visibility: Visibility | str = Visibility.COUNT_ONLY,
    consent_updates: bool = False,
    ip_hash: str | None = None,
) -> Signed:
    """A member with a verified email signs in one step: confirmed at once, no email."""
    _require_open(campaign)
    if user.email_verified_at is None:
        raise SignError(_("Confirm your email address first, or sign as a guest."), status=403)
    canonical = canonical_email(user.email)
    details = _checked_details(country, None, reason, visibility)
    suspect_reason = over_limit(campaign.id, ip_hash, email_domain(canonical))
    now = utcnow()
    signature_id = insert_signature(
        {
            "campaign_id": campaign.id, "user_id": user.id, "email": user.email,
            "canonical_email": canonical, "email_domain": email_domain(canonical),
            "name": user.display_name[:NAME_MAX], "consent_updates": bool(consent_updates),
            "state": SignatureState.CONFIRMED, "confirmed_at": now, "ip_hash": ip_hash,
            "suspect": suspect_reason is not None, "suspect_reason": suspect_reason,
            "locale": user.locale or "en", "created_at": now, **details,
        }
    )  # fmt: skip
    if signature_id is not None:
        if suspect_reason is None:
            record_delta(campaign.id, 1)
        return Signed(signature_id, True, confirmed=True, suspect=suspect_reason is not None)
    choices = {"name": user.display_name[:NAME_MAX], "consent_updates": bool(consent_updates),
               "locale": user.locale or "en", **details}  # fmt: skip
    return _adopt_pending(campaign, user, canonical, choices)


def _adopt_pending(campaign: Campaign, user: User, canonical: str, choices: dict) -> Signed:
    """The member's address already signed this campaign.

    If that signature still waits for its email link, the member's verified login confirms
    it, and the member's choices now replace whatever was typed with their address (which
    could have been anyone): a member who asks to be counted only is never shown by name.
    """
    existing = db.session.scalar(
        sa.select(Signature).where(
            Signature.campaign_id == campaign.id, Signature.canonical_email == canonical
        )
    )
    if existing is None:
        return Signed(None, False)
    if existing.import_id is not None and existing.state == SignatureState.PENDING:
        return Signed(existing.id, False)  # a paper signature waits for its organizers
    if existing.state != SignatureState.PENDING:
        counted = existing.state == SignatureState.CONFIRMED and not existing.suspect
        return Signed(existing.id, False, confirmed=counted, suspect=existing.suspect)
    for name, value in choices.items():
        setattr(existing, name, value)
    existing.user_id = user.id
    db.session.flush()
    outcome = confirm(existing.id)
    return Signed(existing.id, False, confirmed=outcome == Outcome.DONE, suspect=existing.suspect)


def confirm(signature_id: int) -> Outcome:
    """Confirm a pending signature with one guarded UPDATE; a second call changes nothing.

    A paper signature (import_id set) is confirmed only with its whole import.
    """
    open_campaigns = sa.select(Campaign.id).where(
        Campaign.status == CampaignStatus.OPEN, Campaign.hidden_at.is_(None)
    )
    campaign_id = db.session.execute(
        sa.update(Signature)
        .where(
            Signature.id == signature_id,
            Signature.state == SignatureState.PENDING,
            Signature.suspect.is_(False),
            Signature.import_id.is_(None),
            Signature.campaign_id.in_(open_campaigns),
        )
        .values(state=SignatureState.CONFIRMED, confirmed_at=utcnow())
        .returning(Signature.campaign_id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if campaign_id is not None:
        record_delta(campaign_id, 1)
        return Outcome.DONE
    signature = db.session.get(Signature, signature_id)
    if signature is None or signature.state in (
        SignatureState.WITHDRAWN,
        SignatureState.INVALIDATED,
    ):
        return Outcome.GONE
    if signature.state == SignatureState.CONFIRMED:
        return Outcome.ALREADY
    if signature.import_id is not None:
        return Outcome.WAITING
    return Outcome.HELD if signature.suspect else Outcome.CLOSED


def withdraw(signature_id: int) -> Outcome:
    """Withdraw a signature and erase the signer's details; a counted one lowers the count."""
    now = utcnow()
    values = {**ERASED, "state": SignatureState.WITHDRAWN, "withdrawn_at": now}
    confirmed = db.session.execute(
        sa.update(Signature)
        .where(Signature.id == signature_id, Signature.state == SignatureState.CONFIRMED)
        .values(**values)
        .returning(Signature.campaign_id, Signature.suspect)
        .execution_options(synchronize_session=False)
    ).first()
    if confirmed is not None:
        if not confirmed.suspect:
            record_delta(confirmed.campaign_id, -1)
        return Outcome.DONE
    others = db.session.execute(
        sa.update(Signature)
        .where(
            Signature.id == signature_id,
            Signature.state.in_([SignatureState.PENDING, SignatureState.INVALIDATED]),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if others.rowcount:
        return Outcome.DONE
    exists = db.session.scalar(sa.select(Signature.id).where(Signature.id == signature_id))
    return Outcome.ALREADY if exists else Outcome.GONE


def withdraw_own(user: User, signature_id: int) -> Outcome:
    """A member withdraws one of their own signatures from the account page."""
    mine = sa.select(Signature.id).where(Signature.id == signature_id, owned_by(user))
    if db.session.scalar(mine) is None:
        raise SignError(_("That signature is not yours."), status=404)
    return withdraw(signature_id)


def resend_confirmation(campaign: Campaign, email: str) -> None:
    """Send the confirmation email again, at most SIGN_RESEND_MAX times; silent otherwise."""
    if not campaign.is_open:
        return  # the link could confirm nothing now; the page says the same either way
    try:
        canonical = canonical_email(email)
    except ValueError:
        raise SignError(_("Enter a valid email address."), "email") from None
    row = db.session.execute(
        sa.update(Signature)
        .where(
            Signature.campaign_id == campaign.id,
            Signature.canonical_email == canonical,
            Signature.state == SignatureState.PENDING,
            Signature.suspect.is_(False),
            Signature.import_id.is_(None),  # a paper signer is never emailed
            Signature.resend_count < current_app.config["SIGN_RESEND_MAX"],
        )
        .values(resend_count=Signature.resend_count + 1)
        .returning(Signature.id, Signature.email, Signature.name, Signature.locale)
        .execution_options(synchronize_session=False)
    ).first()
    if row is not None:
        email_confirmation(campaign, row.id, row.email, row.name, row.locale)


def purge_stale_pending(now: datetime) -> int:
    """Delete pending signatures never confirmed within PENDING_SIGNATURE_DAYS.

    Paper signatures (import_id set) wait for their organizer's decision instead: their
    created_at is the date written on paper, often older than the cutoff.
    """
    cutoff = now - timedelta(days=current_app.config["PENDING_SIGNATURE_DAYS"])
    result = db.session.execute(
        sa.delete(Signature)
        .where(
            Signature.state == SignatureState.PENDING,
            Signature.created_at < cutoff,
            Signature.import_id.is_(None),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
