"""Recording what a decision maker answered: by the campaign's organizers or an admin."""

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _

from campaigns.core.services import RuleError, record_audit
from campaigns.models import Campaign, DecisionMaker, Role, User, utcnow
from campaigns.models.campaign import PUBLISHED
from campaigns.outcomes.victories import checked_url

TEXT_MAX = 5000
EARLIEST = date(1900, 1, 1)
# People ahead of UTC record "today" while it is still yesterday in UTC.
DATE_LEEWAY = timedelta(days=1)


def may_record_response(user: User | None, campaign: Campaign) -> bool:
    """Organizers of the campaign and admins record responses."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return campaign.is_organizer(user) or user.has_role(Role.ADMIN)


def response_refusal(user: User | None, campaign: Campaign) -> RuleError | None:
    """Why this user cannot record responses on this campaign now, or None."""
    if not may_record_response(user, campaign):
        return RuleError(_("Only the campaign's organizers or an admin can do this."), status=403)
    if campaign.status not in PUBLISHED:
        return RuleError(_("Responses can be recorded once the campaign is published."), status=409)
    return None


def _require(actor: User, maker: DecisionMaker) -> Campaign:
    """The maker's campaign, if the actor may record its responses now."""
    refusal = response_refusal(actor, maker.campaign)
    if refusal is not None:
        raise refusal
    return maker.campaign


def _snapshot(maker: DecisionMaker) -> dict:
    """The recorded response as it stands, for the audit trail."""
    return {
        "responded_at": maker.responded_at.date().isoformat() if maker.responded_at else None,
        "response": maker.response,
        "response_url": maker.response_url,
    }


def record_response(
    actor: User,
    maker: DecisionMaker,
    *,
    responded_at: date | None,
    response_text: str | None,
    response_url: str | None,
) -> None:
    """Record (or correct) a decision maker's response: a date, and a text or a link."""
    campaign = _require(actor, maker)
    if responded_at is None:
        raise RuleError(_("Give the date of the response."), "responded_at")
    if responded_at > (utcnow() + DATE_LEEWAY).date():
        raise RuleError(_("The date of the response cannot be in the future."), "responded_at")
    if responded_at < EARLIEST:
        raise RuleError(_("Give the date of the response."), "responded_at")
    text = (response_text or "").strip() or None
    if text is not None and len(text) > TEXT_MAX:
        raise RuleError(_("At most %(n)d characters, please.", n=TEXT_MAX), "response")
    url = checked_url(response_url, "response_url", required=False)
    if text is None and url is None:
        raise RuleError(_("Give what they said, a link to it, or both."), "response")
    previous = _snapshot(maker) if maker.has_responded else None
    # Noon UTC keeps the same calendar day wherever the date is shown.
    maker.responded_at = datetime.combine(responded_at, time(12), tzinfo=UTC)
    maker.response, maker.response_url = text, url
    maker.response_recorded_at, maker.response_recorded_by_id = utcnow(), actor.id
    # Audited on the campaign, so the audit log's campaign filter finds it.
    record_audit(
        actor, "decision_maker.response_recorded", campaign, maker_id=maker.id,
        name=maker.name, previous=previous, **_snapshot(maker),
    )  # fmt: skip


def clear_response(actor: User, maker: DecisionMaker) -> None:
    """Remove a recorded response (recorded by mistake); the audit event keeps it."""
    campaign = _require(actor, maker)
    if not maker.has_responded:
        raise RuleError(_("No response is recorded for this decision maker."), status=409)
    previous = _snapshot(maker)
    maker.responded_at = maker.response = maker.response_url = None
    maker.response_recorded_at = maker.response_recorded_by_id = None
    record_audit(
        actor, "decision_maker.response_cleared", campaign, maker_id=maker.id,
        name=maker.name, previous=previous,
    )  # fmt: skip
