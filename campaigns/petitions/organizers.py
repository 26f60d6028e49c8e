"""Co-organizers: the owner invites by email; the invited member accepts with a signed link."""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from campaigns.core.services import record_audit
from campaigns.core.urls import absolute_url
from campaigns.extensions import db
from campaigns.mail.outbox import queue_email
from campaigns.models import Campaign, CampaignInvitation, User, utcnow
from campaigns.petitions.services import CampaignError

INVITATION_SALT = "groundswell.campaign-invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600
MAX_ORGANIZERS = 10
# An owner may send the same address a new invitation email at most once a day.
RESEND_AFTER = timedelta(days=1)


def _serializer() -> URLSafeTimedSerializer:
    """Signs invitation links with the app's secret key."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT)


def _require_owner(actor: User, campaign: Campaign) -> None:
    """Only the owner manages who organizes the campaign."""
    if not campaign.is_owner(actor):
        raise CampaignError(_("Only the campaign's owner can do that."), status=403)


def invite(actor: User, campaign: Campaign, email: str) -> CampaignInvitation:
    """Invite an email address to co-organize; re-inviting renews a revoked invitation."""
    _require_owner(actor, campaign)
    if email == actor.email or any(u.email == email for u in campaign.co_organizers):
        raise CampaignError(_("That person already organizes this campaign."), "email")
    if len(campaign.co_organizers) >= MAX_ORGANIZERS:
        raise CampaignError(
            _("A campaign can have at most %(n)d co-organizers.", n=MAX_ORGANIZERS), "email"
        )
    invitation = db.session.scalar(
        select(CampaignInvitation).where(
            CampaignInvitation.campaign_id == campaign.id, CampaignInvitation.email == email
        )
    )
    if invitation is None:
        invitation = CampaignInvitation(campaign=campaign, email=email)
        db.session.add(invitation)
    elif invitation.is_pending and invitation.created_at > utcnow() - RESEND_AFTER:
        raise CampaignError(_("That address was invited less than a day ago."), "email")
    invitation.invited_by_id, invitation.created_at = actor.id, utcnow()
    invitation.accepted_at = invitation.revoked_at = None
    db.session.flush()
    token = _serializer().dumps({"iid": invitation.id, "email": email})
    # In the invitee's language if they have an account; else the inviter's is the best guess.
    invitee = db.session.scalar(select(User).where(User.email == email))
    queue_email(
        email, "organizer_invitation",
        locale=(invitee.locale if invitee else None) or actor.locale or "en",
        inviter=actor.display_name, title=campaign.title,
        accept_url=absolute_url("organizers.accept", token=token),
    )  # fmt: skip
    record_audit(actor, "campaign.organizer_invited", campaign, email=email)
    return invitation


def invitation_from_token(token: str) -> CampaignInvitation | None:
    """The pending invitation a link stands for, or None if forged, expired or used."""
    try:
        claims = _serializer().loads(token, max_age=INVITATION_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(claims, dict):
        return None
    invitation = db.session.get(CampaignInvitation, claims.get("iid"))
    if invitation is None or invitation.email != claims.get("email") or not invitation.is_pending:
        return None
    return invitation


def accept(actor: User, invitation: CampaignInvitation) -> Campaign:
    """The invited member, signed in with the invited address, becomes a co-organizer."""
    if actor.email != invitation.email or actor.email_verified_at is None:
        raise CampaignError(
            _("This invitation was sent to another email address. Log in with that account."),
            status=403,
        )
    campaign = invitation.campaign
    if not campaign.is_organizer(actor):
        if len(campaign.co_organizers) >= MAX_ORGANIZERS:
            raise CampaignError(_("This campaign already has as many co-organizers as allowed."),
                                status=409)  # fmt: skip
        campaign.co_organizers.append(actor)
    invitation.accepted_at = utcnow()
    record_audit(actor, "campaign.organizer_added", campaign, user_id=actor.id)
    return campaign


def revoke(actor: User, campaign: Campaign, invitation_id: int) -> None:
    """The owner withdraws a pending invitation."""
    _require_owner(actor, campaign)
    invitation = db.session.get(CampaignInvitation, invitation_id)
    if invitation is None or invitation.campaign_id != campaign.id or not invitation.is_pending:
        raise CampaignError(_("That invitation is no longer pending."), status=404)
    invitation.revoked_at = utcnow()
    record_audit(actor, "campaign.invitation_revoked", campaign, email=invitation.email)


def remove(actor: User, campaign: Campaign, user_id: int) -> None:
    """The owner removes a co-organizer, or a co-organizer leaves."""
    if actor.id != user_id:
        _require_owner(actor, campaign)
    member = next((u for u in campaign.co_organizers if u.id == user_id), None)
    if member is None:
        raise CampaignError(_("That person is not a co-organizer."), status=404)
    campaign.co_organizers.remove(member)
    record_audit(actor, "campaign.organizer_removed", campaign, user_id=user_id)
