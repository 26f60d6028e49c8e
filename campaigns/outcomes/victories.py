"""Victory verbs: organizers declare, admins confirm, decline, mark directly and revoke.

The confirmed victory is written onto the campaign (victory_* columns, what listings read);
every declaration and decision is also kept as a VictoryClaim row, and audited.
"""

from urllib.parse import urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaigns.core.markdown import render_markdown
from campaigns.core.services import RuleError, record_audit
from campaigns.core.urls import absolute_url
from campaigns.extensions import db
from campaigns.jobs import enqueue_after_commit
from campaigns.mail.outbox import queue_email
from campaigns.models import (
    Campaign,
    CampaignStatus,
    ClaimState,
    Role,
    Update,
    UpdateKind,
    User,
    VictoryClaim,
    utcnow,
)
from campaigns.signatures.notify import organizers
from campaigns.webhooks import hooks as webhook_events

SUMMARY_MAX = 2000
URL_MAX = 500
REASON_MAX = 2000
TITLE_MAX = 160
# A victory is declared on a campaign that ran: open, or closed without a win yet.
DECLARABLE = frozenset({CampaignStatus.OPEN, CampaignStatus.CLOSED})
WAITING = _l("A victory claim for this campaign is already waiting for review.")
IN_QUEUE = _l("An organizer's claim is waiting in the victory queue: confirm or decline it there.")


def checked_url(value: str | None, field: str, *, required: bool = True) -> str | None:
    """An http(s) link as typed, trimmed; RuleError on anything else."""
    value = (value or "").strip()
    if not value:
        if required:
            raise RuleError(_("Give a link (starting with https://)."), field)
        return None
    if len(value) > URL_MAX:
        raise RuleError(_("Links are at most %(n)d characters.", n=URL_MAX), field)
    # Whitespace and angle brackets never appear in a real link and would break Markdown.
    bad_chars = any(c.isspace() or c in "<>\"'\\" for c in value)
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if bad_chars or parts is None or parts.scheme.lower() not in ("http", "https"):
        raise RuleError(_("Give a web link starting with http:// or https://."), field)
    if not parts.hostname or "." not in parts.hostname.strip("."):
        raise RuleError(_("Give a web link starting with http:// or https://."), field)
    return value


def checked_text(value: str | None, field: str, limit: int, message: str) -> str:
    """A required text, trimmed and at most `limit` characters."""
    value = (value or "").strip()
    if not value:
        raise RuleError(message, field)
    if len(value) > limit:
        raise RuleError(_("At most %(n)d characters, please.", n=limit), field)
    return value


def _require_admin(actor: User) -> None:
    """Only admins decide about victories."""
    if not actor.has_role(Role.ADMIN):
        raise RuleError(_("Only an admin can do this."), status=403)


def _lock(campaign: Campaign, claim: VictoryClaim | None = None) -> None:
    """Take the campaign's row lock, then reread the campaign (and the claim)."""
    # Two admins deciding at once are serialized; the second sees the first's decision.
    db.session.execute(
        select(Campaign.id).where(Campaign.id == campaign.id).with_for_update()
    ).all()
    db.session.refresh(campaign)
    if claim is not None:
        db.session.refresh(claim)


def pending_claim(campaign: Campaign) -> VictoryClaim | None:
    """The claim of this campaign waiting for an admin, if any."""
    return db.session.scalar(
        select(VictoryClaim).where(
            VictoryClaim.campaign_id == campaign.id, VictoryClaim.state == ClaimState.PENDING
        )
    )


def can_be_won(campaign: Campaign) -> bool:
    """Whether the campaign is in a state where a victory may be declared or marked."""
    return campaign.status in DECLARABLE and not campaign.is_hidden


def _require_winnable(campaign: Campaign) -> None:
    """Refuse victories on campaigns that already won, never ran, or are hidden."""
    if campaign.status == CampaignStatus.VICTORY:
        raise RuleError(_("This campaign is already a confirmed victory."), status=409)
    if not can_be_won(campaign):
        raise RuleError(
            _("Only an open or closed campaign in public view can be declared a victory."),
            status=409,
        )


def _require_no_pending(campaign: Campaign, message) -> None:
    """Refuse while a claim waits for an admin (409)."""
    if pending_claim(campaign) is not None:
        raise RuleError(str(message), status=409)


def declare_refusal(campaign: Campaign) -> RuleError | None:
    """Why an organizer cannot declare victory now, or None when they can."""
    try:
        _require_winnable(campaign)
        _require_no_pending(campaign, WAITING)
    except RuleError as exc:
        return exc
    return None


def _add_pending(claim: VictoryClaim) -> None:
    """Insert a pending claim; the partial unique index refuses a second one (409)."""
    try:
        with db.session.begin_nested():
            db.session.add(claim)
    except IntegrityError:
        raise RuleError(str(WAITING), status=409) from None


def declare_victory(
    actor: User, campaign: Campaign, *, summary: str, evidence_url: str
) -> VictoryClaim:
    """An organizer declares victory; the claim waits for an admin in the queue."""
    if not campaign.is_organizer(actor):
        raise RuleError(_("Only the campaign's organizers can declare victory."), status=403)
    _lock(campaign)
    _require_winnable(campaign)
    _require_no_pending(campaign, WAITING)
    summary = checked_text(summary, "summary", SUMMARY_MAX, _("Say what the decision maker did."))
    evidence_url = checked_url(evidence_url, "evidence_url")
    now = utcnow()
    claim = VictoryClaim(
        campaign_id=campaign.id, state=ClaimState.PENDING, direct=False, summary=summary,
        evidence_url=evidence_url, declared_by_id=actor.id, declared_at=now,
    )  # fmt: skip
    _add_pending(claim)
    campaign.victory_declared_at, campaign.victory_declared_by_id = now, actor.id
    record_audit(actor, "victory.declared", campaign, claim_id=claim.id, evidence_url=evidence_url)
    return claim


def _outcome_update(actor: User, campaign: Campaign, claim: VictoryClaim, now) -> Update:
    """Post the outcome on the timeline and ask for it to be emailed to consenting signers."""
    with force_locale(campaign.language):
        title = _("Victory: %(title)s", title=campaign.title)
        link_label = _("Evidence of the outcome")
    body = f"{claim.summary}\n\n[{link_label}](<{claim.evidence_url}>)"
    update = Update(
        campaign_id=campaign.id, author_id=actor.id, kind=UpdateKind.OUTCOME,
        title=title[: TITLE_MAX - 1] + "…" if len(title) > TITLE_MAX else title,
        body=body, body_html=render_markdown(body), created_at=now, published_at=now,
        emailed_at=now,
    )  # fmt: skip
    db.session.add(update)
    # Confirmed victories are always emailed: the weekly cap never refuses this one, though
    # it counts it (the cap protects signers' inboxes, whoever sends).
    enqueue_after_commit("send_update_emails")
    return update


def _email_organizers(campaign: Campaign, template: str, **payload) -> None:
    """Tell each organizer with an active account, in their language."""
    link = absolute_url("petitions.show", slug=campaign.slug)
    for user in organizers(campaign.id):
        if user.is_disabled:
            continue
        queue_email(
            user.email, template, locale=user.locale or "en", name=user.display_name,
            title=campaign.title, link=link, **payload,
        )  # fmt: skip


def _win(actor: User, campaign: Campaign, claim: VictoryClaim) -> Update:
    """Make the campaign a victory from a claim: close it, record it, post and email."""
    now = utcnow()
    claim.state, claim.decided_by_id, claim.decided_at = ClaimState.CONFIRMED, actor.id, now
    campaign.status = CampaignStatus.VICTORY
    campaign.closed_at = campaign.closed_at or now
    campaign.victory_confirmed_at, campaign.victory_confirmed_by_id = now, actor.id
    campaign.victory_summary, campaign.victory_evidence_url = claim.summary, claim.evidence_url
    campaign.victory_signature_count = campaign.signature_count
    update = _outcome_update(actor, campaign, claim, now)
    _email_organizers(
        campaign, "victory_confirmed", summary=claim.summary,
        evidence_url=claim.evidence_url, signatures=campaign.signature_count,
    )  # fmt: skip
    db.session.flush()
    webhook_events.victory_confirmed(campaign, update, closed=campaign.closed_at == now)
    return update


def confirm_victory(actor: User, claim: VictoryClaim) -> Update:
    """An admin confirms a pending claim; returns the outcome update posted."""
    _require_admin(actor)
    campaign = claim.campaign
    _lock(campaign, claim)
    if not claim.is_pending:
        raise RuleError(_("This claim was already decided."), status=409)
    _require_winnable(campaign)
    update = _win(actor, campaign, claim)
    record_audit(
        actor, "victory.confirmed", campaign, claim_id=claim.id,
        signatures=campaign.signature_count, update_id=update.id,
    )  # fmt: skip
    return update


def decline_victory(actor: User, claim: VictoryClaim, *, reason: str) -> None:
    """An admin declines a pending claim with a reason the organizers see."""
    _require_admin(actor)
    reason = checked_text(reason, "reason", REASON_MAX, _("Tell the organizers why."))
    campaign = claim.campaign
    _lock(campaign, claim)
    if not claim.is_pending:
        raise RuleError(_("This claim was already decided."), status=409)
    claim.state, claim.decline_reason = ClaimState.DECLINED, reason
    claim.decided_by_id, claim.decided_at = actor.id, utcnow()
    campaign.victory_declared_at = campaign.victory_declared_by_id = None
    _email_organizers(campaign, "victory_declined", reason=reason, summary=claim.summary)
    record_audit(actor, "victory.declined", campaign, claim_id=claim.id, reason=reason)
    db.session.flush()


def mark_victory(actor: User, campaign: Campaign, *, summary: str, evidence_url: str) -> Update:
    """An admin records a victory without an organizer's claim (e.g. USC at ~600 signatures).

    A waiting claim is refused rather than overridden: the organizers' own account of the
    outcome deserves a decision in the queue, where the admin can confirm it instead.
    """
    _require_admin(actor)
    _lock(campaign)
    _require_winnable(campaign)
    _require_no_pending(campaign, IN_QUEUE)
    summary = checked_text(summary, "summary", SUMMARY_MAX, _("Say what the decision maker did."))
    evidence_url = checked_url(evidence_url, "evidence_url")
    claim = VictoryClaim(
        campaign_id=campaign.id, state=ClaimState.PENDING, direct=True, summary=summary,
        evidence_url=evidence_url, declared_by_id=actor.id, declared_at=utcnow(),
    )  # fmt: skip
    _add_pending(claim)
    update = _win(actor, campaign, claim)
    record_audit(
        actor, "victory.marked", campaign, claim_id=claim.id,
        signatures=campaign.signature_count, update_id=update.id, evidence_url=evidence_url,
    )  # fmt: skip
    return update


def revoke_victory(actor: User, campaign: Campaign, *, reason: str) -> None:
    """An admin withdraws a confirmed victory: the campaign is closed, not reopened.

    The outcome update stays on the timeline: signers were emailed it, and deleting it would
    rewrite history (an organizer or admin can still delete it, audited, or post a correction).
    """
    _require_admin(actor)
    reason = checked_text(reason, "reason", REASON_MAX, _("Say why the victory is revoked."))
    _lock(campaign)
    if campaign.status != CampaignStatus.VICTORY:
        raise RuleError(_("Only a confirmed victory can be revoked."), status=409)
    now = utcnow()
    claim = db.session.scalar(
        select(VictoryClaim)
        .where(VictoryClaim.campaign_id == campaign.id, VictoryClaim.state == ClaimState.CONFIRMED)
        .order_by(VictoryClaim.decided_at.desc(), VictoryClaim.id.desc())
        .limit(1)
    )
    if claim is not None:
        claim.state, claim.revoke_reason = ClaimState.REVOKED, reason
        claim.revoked_by_id, claim.revoked_at = actor.id, now
    # The audit event keeps what the victory said; the claim keeps it too when there is one.
    record_audit(
        actor, "victory.revoked", campaign, reason=reason, claim_id=claim.id if claim else None,
        summary=campaign.victory_summary, evidence_url=campaign.victory_evidence_url,
        signatures=campaign.victory_signature_count,
    )  # fmt: skip
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = campaign.closed_at or now
    campaign.victory_declared_at = campaign.victory_declared_by_id = None
    campaign.victory_confirmed_at = campaign.victory_confirmed_by_id = None
    campaign.victory_summary = campaign.victory_evidence_url = None
    campaign.victory_signature_count = None
    db.session.flush()
