"""Campaign updates: posting, editing and deleting them, the weekly email cap, the timeline."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import format_datetime, format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select

from campaigns.core.markdown import render_markdown
from campaigns.core.services import RuleError, record_audit
from campaigns.extensions import db
from campaigns.jobs import enqueue_after_commit
from campaigns.models import Campaign, Role, Update, UpdateKind, User, utcnow
from campaigns.webhooks import hooks as webhook_events

# Milestone updates are the platform's to write (the timeline shows reached milestones itself).
ORGANIZER_KINDS = (UpdateKind.NEWS, UpdateKind.RESPONSE, UpdateKind.OUTCOME)
KIND_LABELS = {
    "news": _l("News"),
    "response": _l("Decision-maker response"),
    "outcome": _l("Outcome"),
    "milestone": _l("Milestone"),
    "goal": _l("Goal reached"),
}
TITLE_MAX = 160
BODY_MAX = 20_000
TIMELINE_LIMIT = 50
EMAIL_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class TimelineEntry:
    """One item of a campaign's timeline: an update, a milestone, the goal, or a response."""

    kind: str
    title: str
    when: datetime
    body_html: str
    anchor: str
    update: Update | None = None
    link: str | None = None
    # Orders events of the same moment: a higher milestone was passed after a lower one.
    rank: int = 0

    @property
    def label(self) -> str:
        """What kind of news this is, for people."""
        return str(KIND_LABELS[self.kind])

    @property
    def updated(self) -> datetime:
        """When the entry last changed (an edited update), for feeds."""
        if self.update is not None and self.update.updated_at is not None:
            return _aware(self.update.updated_at)
        return self.when


@dataclass(frozen=True)
class UpdateControls:
    """Which of the edit and delete buttons a viewer sees on a campaign's updates."""

    edit: bool = False
    delete: bool = False


def _aware(moment: datetime) -> datetime:
    """The moment in UTC; a naive value is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _is_staff(user: User | None, role: Role) -> bool:
    """Whether user is signed in and holds at least role."""
    return bool(user is not None and user.is_authenticated and user.has_role(role))


def can_post(user: User | None, campaign: Campaign) -> bool:
    """Organizers post on published campaigns that are not hidden."""
    return campaign.is_published and not campaign.is_hidden and campaign.is_organizer(user)


def can_edit(user: User | None, campaign: Campaign) -> bool:
    """The campaign's organizers and admins edit its updates."""
    return campaign.is_organizer(user) or _is_staff(user, Role.ADMIN)


def can_delete(user: User | None, campaign: Campaign) -> bool:
    """Organizers delete their campaign's updates; moderators and admins too, to moderate."""
    return campaign.is_organizer(user) or _is_staff(user, Role.MODERATOR)


def controls_for(user: User | None, campaign: Campaign) -> UpdateControls:
    """The update buttons this viewer sees on the campaign page and the updates page."""
    return UpdateControls(edit=can_edit(user, campaign), delete=can_delete(user, campaign))


def _cleaned(title: str, body: str, kind, *, allowed=ORGANIZER_KINDS) -> tuple:
    """Check an update's fields; return them tidied, or raise RuleError naming the field."""
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise RuleError(_("Give the update a title."), field="title")
    if len(title) > TITLE_MAX:
        raise RuleError(_("Keep the title to %(n)d characters.", n=TITLE_MAX), field="title")
    if not body:
        raise RuleError(_("Write what happened."), field="body")
    if len(body) > BODY_MAX:
        raise RuleError(_("Keep the update to %(n)d characters.", n=BODY_MAX), field="body")
    try:
        kind = UpdateKind(kind)
    except ValueError:
        kind = None
    if kind not in allowed:
        raise RuleError(_("Choose what kind of update this is."), field="kind")
    return title, body, kind


def _emailed_in_window(campaign: Campaign, now: datetime) -> list[datetime]:
    """When this campaign's updates were emailed in the 7 days before now, oldest first.

    Deleted updates count: their emails went out.
    """
    return list(
        db.session.scalars(
            select(Update.emailed_at)
            .where(Update.campaign_id == campaign.id, Update.emailed_at > now - EMAIL_WINDOW)
            .order_by(Update.emailed_at)
        )
    )


def email_limit() -> int:
    """How many updates may be emailed to one campaign's signers in any 7 days (a setting)."""
    return current_app.config["UPDATE_EMAILS_PER_WEEK"]


def emails_left_this_week(campaign: Campaign, now: datetime | None = None) -> int:
    """How many more updates may be emailed to this campaign's signers in the 7 days to now."""
    now = now or utcnow()
    used = db.session.scalar(
        select(func.count())
        .select_from(Update)
        .where(Update.campaign_id == campaign.id, Update.emailed_at > now - EMAIL_WINDOW)
    )
    return max(0, email_limit() - used)


def _next_email_at(limit: int, emailed: list[datetime], now: datetime) -> datetime | None:
    """When a slot frees up, given the emails in the window: None if emailing is off."""
    if limit <= 0:
        return None
    if len(emailed) < limit:
        return now
    # A slot frees up when enough of the oldest emails in the window have left it.
    return _aware(emailed[len(emailed) - limit]) + EMAIL_WINDOW


def email_allowance(campaign: Campaign, now: datetime | None = None) -> tuple:
    """(emails left this week, the weekly limit, when the next one is possible or None)."""
    now = now or utcnow()
    limit, emailed = email_limit(), _emailed_in_window(campaign, now)
    return max(0, limit - len(emailed)), limit, _next_email_at(limit, emailed, now)


def cap_message(campaign: Campaign, now: datetime | None = None) -> str:
    """Why an update cannot be emailed now, and when the next one can."""
    now = now or utcnow()
    limit = email_limit()
    allowed_at = _next_email_at(limit, _emailed_in_window(campaign, now), now)
    if allowed_at is None:
        return _("Emailing updates to signers is turned off on this site.")
    return ngettext(
        "Signers can be emailed at most %(num)d time in 7 days. "
        "The next email can go out on %(when)s.",
        "Signers can be emailed at most %(num)d times in 7 days. "
        "The next email can go out on %(when)s.",
        limit,
        when=format_datetime(allowed_at, "medium"),
    )


def post_update(
    actor: User,
    campaign: Campaign,
    *,
    title: str,
    body: str,
    kind,
    email_signers: bool,
    now: datetime | None = None,
) -> Update:
    """Publish an update on the campaign, and ask for it to be emailed to consenting signers."""
    if not campaign.is_organizer(actor):
        raise RuleError(_("Only the campaign's organizers can post updates."), status=403)
    if not campaign.is_published or campaign.is_hidden:
        raise RuleError(_("Updates can be posted once the campaign is published."), status=409)
    title, body, kind = _cleaned(title, body, kind)
    now = now or utcnow()
    if email_signers:
        # Lock the campaign row so two organizers posting at once cannot both take the last slot.
        db.session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
        if emails_left_this_week(campaign, now) <= 0:
            raise RuleError(cap_message(campaign, now), field="email_signers", status=429)
    update = Update(
        campaign_id=campaign.id, author_id=actor.id, kind=kind, title=title, body=body,
        body_html=render_markdown(body), created_at=now, published_at=now,
        emailed_at=now if email_signers else None,
    )  # fmt: skip
    db.session.add(update)
    db.session.flush()
    record_audit(
        actor, "update.posted", update,
        campaign_id=campaign.id, title=title, kind=kind.value, emailed=bool(email_signers),
    )  # fmt: skip
    webhook_events.update_published(campaign, update)
    if email_signers:
        enqueue_after_commit("send_update_emails")
    return update


def edit_update(
    actor: User, update: Update, *, title: str, body: str, kind, now: datetime | None = None
) -> Update:
    """Change an update's title, body or kind; the audit log keeps what it said before."""
    campaign = db.session.get(Campaign, update.campaign_id)
    if not can_edit(actor, campaign):
        raise RuleError(
            _("Only the campaign's organizers and admins can edit updates."), status=403
        )
    if update.is_deleted:
        raise RuleError(_("This update was deleted."), status=404)
    # An update the platform wrote as a milestone may keep that kind; organizers pick the others.
    title, body, kind = _cleaned(title, body, kind, allowed={*ORGANIZER_KINDS, update.kind})
    previous = {"title": update.title, "body": update.body, "kind": update.kind.value}
    if (title, body, kind.value) == tuple(previous.values()):
        return update  # nothing changed: no edit to record
    update.title, update.body, update.kind = title, body, kind
    update.body_html = render_markdown(body)
    update.updated_at = now or utcnow()
    record_audit(
        actor, "update.edited", update,
        campaign_id=update.campaign_id, previous_title=previous["title"],
        previous_body=previous["body"], previous_kind=previous["kind"],
    )  # fmt: skip
    return update


def delete_update(actor: User, update: Update, *, now: datetime | None = None) -> None:
    """Take an update off the timeline and feeds; the row stays for the audit trail."""
    campaign = db.session.get(Campaign, update.campaign_id)
    if not can_delete(actor, campaign):
        raise RuleError(
            _("Only the campaign's organizers and staff can delete updates."), status=403
        )
    if update.is_deleted:
        raise RuleError(_("This update was already deleted."), status=404)
    update.deleted_at = now or utcnow()
    record_audit(
        actor, "update.deleted", update,
        campaign_id=update.campaign_id, title=update.title, emailed=update.signers_emailed,
    )  # fmt: skip


def update_of(campaign: Campaign, update_id: int) -> Update | None:
    """The campaign's update with this id, unless it is another campaign's or deleted."""
    update = db.session.get(Update, update_id)
    if update is None or update.campaign_id != campaign.id or update.is_deleted:
        return None
    return update


def _published(campaign: Campaign):
    """A query for the campaign's visible updates, newest first."""
    return (
        select(Update)
        .where(
            Update.campaign_id == campaign.id,
            Update.published_at.is_not(None),
            Update.deleted_at.is_(None),
        )
        .order_by(Update.published_at.desc(), Update.id.desc())
    )


def _update_entry(update: Update) -> TimelineEntry:
    """A timeline entry for an update."""
    return TimelineEntry(
        kind=update.kind.value,
        title=update.title,
        when=_aware(update.published_at),
        body_html=update.body_html,
        anchor=f"update-{update.id}",
        update=update,
    )


def _plain_html(text: str) -> Markup:
    """Plain text as escaped HTML paragraphs, line breaks kept."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return Markup("").join(
        Markup("<p>%s</p>") % Markup("<br>").join(p.splitlines()) for p in paragraphs
    )


def _signatures(count: int) -> str:
    """'1,000 signatures', in the reader's language."""
    return ngettext(
        "%(count)s signature", "%(count)s signatures", count, count=format_number(count)
    )


def _events(campaign: Campaign) -> list[TimelineEntry]:
    """Reached milestones, the goal and recorded responses (already loaded with the page)."""
    entries = []
    for milestone in campaign.milestones:
        if milestone.reached_at is not None:
            reached = _("The campaign reached %(count)s.", count=_signatures(milestone.threshold))
            entries.append(TimelineEntry(
                kind="milestone", title=milestone.label or _signatures(milestone.threshold),
                when=_aware(milestone.reached_at), body_html=_plain_html(reached),
                anchor=f"timeline-milestone-{milestone.id}", rank=milestone.threshold,
            ))  # fmt: skip
    goal_milestone = any(
        m.threshold == campaign.goal and m.reached_at is not None for m in campaign.milestones
    )
    if campaign.goal_reached_at is not None and campaign.goal and not goal_milestone:
        entries.append(TimelineEntry(
            kind="goal", title=_("Goal of %(count)s reached", count=_signatures(campaign.goal)),
            when=_aware(campaign.goal_reached_at), body_html="", anchor="timeline-goal",
            rank=campaign.goal,
        ))  # fmt: skip
    for maker in campaign.decision_makers:
        if maker.responded_at is not None:
            url = maker.response_url
            entries.append(TimelineEntry(
                kind="response", title=_("Response from %(name)s", name=maker.name),
                when=_aware(maker.responded_at), body_html=_plain_html(maker.response or ""),
                anchor=f"timeline-response-{maker.id}",
                link=url if url and url.startswith(("https://", "http://")) else None,
            ))  # fmt: skip
    return entries


def _newest_first(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Sort entries newest first; at the same moment, updates, then higher milestones first."""
    return sorted(entries, key=lambda e: (e.when, e.update is not None, e.rank), reverse=True)


def timeline(campaign: Campaign, *, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    """The campaign's latest updates, reached milestones, goal and responses, newest first."""
    if not campaign.is_published:
        return []
    updates = db.session.scalars(_published(campaign).limit(limit))
    entries = [_update_entry(u) for u in updates] + _events(campaign)
    return _newest_first(entries)[:limit]


def timeline_page(campaign: Campaign, page: int, per_page: int = TIMELINE_LIMIT):
    """One page of the timeline, paged by updates: (entries, pagination).

    An event (milestone, goal, response) goes on the page of the next older update, or on the
    last page when it is older than every update.
    """
    pagination = db.paginate(_published(campaign), page=page, per_page=per_page, error_out=False)
    items = pagination.items
    if not campaign.is_published or (not items and page > 1):
        return [], pagination
    newer_than_page = None
    if page > 1:
        # The oldest update of the previous page: events at or after it are shown there.
        newer_than_page = db.session.scalar(
            _published(campaign).with_only_columns(Update.published_at)
            .offset((page - 1) * per_page - 1).limit(1)
        )  # fmt: skip
    oldest = _aware(items[-1].published_at) if items and pagination.has_next else None
    events = [
        e
        for e in _events(campaign)
        if (newer_than_page is None or e.when < _aware(newer_than_page))
        and (oldest is None or e.when >= oldest)
    ]
    return _newest_first([_update_entry(u) for u in items] + events), pagination


def rfc3339(moment: datetime) -> str:
    """A moment as Atom wants it: RFC 3339 in UTC."""
    return _aware(moment).isoformat(timespec="seconds")
