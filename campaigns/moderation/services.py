"""Moderation decisions: claim a campaign, approve, reject, hide and unhide it.

Every verb takes the acting moderator first, flushes and never commits: the view commits once.
Report handling lives in campaigns.moderation.reports, read-only queries in .queries.
"""

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, update

from campaigns.core.services import record_audit
from campaigns.core.urls import absolute_url
from campaigns.extensions import db
from campaigns.mail.outbox import queue_email
from campaigns.models import (
    Campaign,
    CampaignRevision,
    CampaignStatus,
    RejectionReason,
    User,
    utcnow,
)
from campaigns.models.campaign import PUBLISHED

# A claim lapses after this long, so a moderator who walks away does not block the queue.
CLAIM_MINUTES = 30
NOTE_MAX = 2000
HIDDEN_NOTE_MAX = 500


class ModerationError(ValueError):
    """A decision the campaign's state does not allow; the message is shown to the moderator."""


class ClaimConflict(ModerationError):
    """Another moderator holds the claim on this campaign."""


def awaits_decision(campaign: Campaign) -> bool:
    """Pending review, or published but hidden pending review."""
    if campaign.status == CampaignStatus.PENDING_REVIEW:
        return True
    return campaign.is_hidden and campaign.status in PUBLISHED


def claim_expires_at(campaign: Campaign):
    """When the current claim lapses, or None when nobody holds one."""
    if campaign.claimed_by_id is None or campaign.claimed_at is None:
        return None
    return campaign.claimed_at + timedelta(minutes=CLAIM_MINUTES)


def claim_holder(campaign: Campaign) -> User | None:
    """The moderator whose claim is still live, if any."""
    expires = claim_expires_at(campaign)
    if expires is None or expires <= utcnow():
        return None
    return campaign.claimed_by


def claim(actor: User, campaign: Campaign) -> None:
    """Take the campaign for review unless another moderator's live claim holds it."""
    if not awaits_decision(campaign):
        raise ModerationError(_("Only campaigns awaiting a decision can be claimed."))
    now = utcnow()
    # One guarded UPDATE: two moderators racing for the same row cannot both win it.
    result = db.session.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign.id,
            or_(
                Campaign.claimed_by_id.is_(None),
                Campaign.claimed_by_id == actor.id,
                Campaign.claimed_at.is_(None),
                Campaign.claimed_at < now - timedelta(minutes=CLAIM_MINUTES),
            ),
        )
        .values(claimed_by_id=actor.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(campaign, ["claimed_by_id", "claimed_at"])
    db.session.expire(campaign, ["claimed_by"])
    if result.rowcount != 1:
        holder = campaign.claimed_by.display_name if campaign.claimed_by else _("another moderator")
        raise ClaimConflict(_("%(name)s is reviewing this campaign. Try again later.", name=holder))


def release(actor: User, campaign: Campaign) -> None:
    """Give up one's own claim; releasing someone else's live claim is refused."""
    holder = claim_holder(campaign)
    if holder is not None and holder.id != actor.id:
        raise ClaimConflict(_("Only %(name)s can release this claim.", name=holder.display_name))
    _clear_claim(campaign)


def _email_owner(campaign: Campaign, template: str, **payload) -> None:
    """Tell the campaign's owner (if the account still exists) about a decision."""
    owner = campaign.owner
    if owner is not None:
        queue_email(
            owner.email, template, locale=owner.locale or "en",
            name=owner.display_name, title=campaign.title, **payload,
        )  # fmt: skip


def approve(actor: User, campaign: Campaign, *, note: str | None = None) -> None:
    """Open a campaign awaiting review; its owner is emailed and its first revision kept."""
    if campaign.status != CampaignStatus.PENDING_REVIEW:
        raise ModerationError(_("Only campaigns awaiting review can be approved."))
    now = utcnow()
    if campaign.deadline is not None and campaign.deadline <= now:
        raise ModerationError(
            _("The deadline of this campaign has passed. Ask the organizer to change it.")
        )
    claim(actor, campaign)
    campaign.status = CampaignStatus.OPEN
    campaign.published_at = now
    _clear_claim(campaign)
    db.session.add(
        CampaignRevision(
            campaign_id=campaign.id,
            editor_id=campaign.owner_id,
            summary=campaign.summary or "",
            body=campaign.body or "",
        )
    )
    record_audit(actor, "campaign.approved", campaign, **_note(note))
    _email_owner(
        campaign, "campaign_approved", link=absolute_url("petitions.show", slug=campaign.slug)
    )
    db.session.flush()


def reject(actor: User, campaign: Campaign, *, reason: RejectionReason, note: str = "") -> None:
    """Turn a campaign down; libellous and spam ones are hidden from all but staff."""
    if not awaits_decision(campaign):
        raise ModerationError(_("Only campaigns awaiting a decision can be rejected."))
    reason = RejectionReason(reason)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ModerationError(_("The note is too long."))
    claim(actor, campaign)
    campaign.status = CampaignStatus.REJECTED
    campaign.rejection_reason = reason
    campaign.rejection_note = note or None
    # A hidden campaign rejected for a harmless reason goes back to being visible to its
    # organizers (never to the public: rejected campaigns are not published).
    campaign.hidden_at = (campaign.hidden_at or utcnow()) if reason.hides else None
    _clear_claim(campaign)
    record_audit(actor, "campaign.rejected", campaign, reason=reason.value, **_note(note))
    _email_owner(campaign, "campaign_rejected", reason=reason.value, note=note)
    db.session.flush()


def hide(actor: User, campaign: Campaign, *, note: str) -> None:
    """Take a published campaign out of public view, pending a moderator's decision."""
    if campaign.status not in PUBLISHED:
        raise ModerationError(_("Only published campaigns can be hidden."))
    if campaign.is_hidden:
        raise ModerationError(_("This campaign is already hidden."))
    note = (note or "").strip()
    if not note:
        raise ModerationError(_("Say why the campaign is hidden."))
    if len(note) > HIDDEN_NOTE_MAX:
        raise ModerationError(_("The note is too long."))
    campaign.hidden_at = utcnow()
    campaign.hidden_note = note
    record_audit(actor, "campaign.hidden", campaign, note=note)
    db.session.flush()


def unhide(actor: User, campaign: Campaign) -> None:
    """Put a hidden published campaign back in public view."""
    if not (campaign.is_hidden and campaign.status in PUBLISHED):
        raise ModerationError(_("Only hidden published campaigns can be shown again."))
    holder = claim_holder(campaign)
    if holder is not None and holder.id != actor.id:
        raise ClaimConflict(
            _("%(name)s is reviewing this campaign. Try again later.", name=holder.display_name)
        )
    campaign.hidden_at = None
    campaign.hidden_note = None
    _clear_claim(campaign)
    record_audit(actor, "campaign.unhidden", campaign)
    db.session.flush()


def _clear_claim(campaign: Campaign) -> None:
    """Nobody holds the campaign any more."""
    campaign.claimed_by_id = None
    campaign.claimed_at = None


def _note(note: str | None) -> dict:
    """Audit details for an optional moderator note."""
    note = (note or "").strip()
    return {"note": note} if note else {}
