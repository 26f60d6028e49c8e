"""The moderators' queue: claim, approve, reject, hide, reports and revisions."""

from collections.abc import Callable
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaigns.admin.catalog_forms import FeatureForm
from campaigns.auth.decorators import role_required
from campaigns.core.forms import EmptyForm
from campaigns.extensions import db
from campaigns.models import Campaign, CampaignReport, RejectionReason, ReportResolution, Role
from campaigns.moderation import queries, services
from campaigns.moderation import reports as report_services
from campaigns.moderation.forms import ApproveForm, HideForm, RejectForm, ResolveForm
from campaigns.moderation.labels import label_globals
from campaigns.petitions.queries import campaign_by_slug

MAX_PAGE = 10_000

bp = Blueprint("moderation", __name__)


@bp.app_context_processor
def inject_labels():
    """Reason labels for every template, emails included."""
    return label_globals()


def _campaign_or_404(slug: str) -> Campaign:
    """Any campaign by slug: moderators may see them all."""
    return campaign_by_slug(slug)


def _review_page(campaign: Campaign, status: int = 200, **forms):
    """The review page; forms that failed validation are passed in to show their errors."""
    return render_template(
        "moderation/review.html",
        campaign=campaign,
        holder=services.claim_holder(campaign),
        expires=services.claim_expires_at(campaign),
        awaits_decision=services.awaits_decision(campaign),
        reports=queries.open_reports_for(campaign),
        button=EmptyForm(formdata=None),
        approve_form=forms.get("approve_form") or ApproveForm(prefix="approve", formdata=None),
        reject_form=forms.get("reject_form") or RejectForm(prefix="reject", formdata=None),
        hide_form=forms.get("hide_form") or HideForm(prefix="hide", formdata=None),
        feature_form=FeatureForm(formdata=None),
    ), status


def _decide(campaign: Campaign, action: Callable[[], object], done: str, endpoint: str):
    """Run one decision: commit and redirect, or show why it was refused (409)."""
    try:
        action()
    except services.ModerationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _review_page(campaign, status=409)
    db.session.commit()
    flash(done, "success")
    if endpoint == "moderation.queue":
        return redirect(url_for(endpoint))
    return redirect(url_for(endpoint, slug=campaign.slug))


def _checked_button(campaign: Campaign):
    """A 400 page for a one-button POST without a valid CSRF token, else None."""
    return None if EmptyForm().validate_on_submit() else _review_page(campaign, status=400)


@bp.get("/")
@role_required(Role.MODERATOR)
def queue():
    """Campaigns awaiting review (oldest first), hidden campaigns and the report count."""
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    page = db.paginate(queries.pending_review_query(), page=number, per_page=30, error_out=False)
    return render_template(
        "moderation/queue.html",
        page=page,
        hidden=queries.hidden_awaiting(),
        counts=queries.queue_counts(),
        suspect=queries.suspect_by_campaign(),
        claim_holder=services.claim_holder,
    )


@bp.get("/campaigns/<slug>")
@role_required(Role.MODERATOR)
def review(slug: str):
    """The full campaign with its claim state and the decision forms."""
    return _review_page(_campaign_or_404(slug))


@bp.post("/campaigns/<slug>/claim")
@role_required(Role.MODERATOR)
def claim(slug: str):
    """Take the campaign so no other moderator reviews it at the same time."""
    campaign = _campaign_or_404(slug)
    if (refused := _checked_button(campaign)) is not None:
        return refused
    action = partial(services.claim, current_user, campaign)
    return _decide(campaign, action, _("You are reviewing this campaign."), "moderation.review")


@bp.post("/campaigns/<slug>/release")
@role_required(Role.MODERATOR)
def release(slug: str):
    """Give the campaign back to the queue."""
    campaign = _campaign_or_404(slug)
    if (refused := _checked_button(campaign)) is not None:
        return refused
    action = partial(services.release, current_user, campaign)
    return _decide(campaign, action, _("The campaign is back in the queue."), "moderation.queue")


@bp.post("/campaigns/<slug>/approve")
@role_required(Role.MODERATOR)
def approve(slug: str):
    """Publish the campaign; its organizer is emailed."""
    campaign = _campaign_or_404(slug)
    form = ApproveForm(prefix="approve")
    if not form.validate_on_submit():
        return _review_page(campaign, status=400, approve_form=form)
    action = partial(services.approve, current_user, campaign, note=form.note.data)
    return _decide(campaign, action, _("The campaign is open."), "moderation.queue")


@bp.post("/campaigns/<slug>/reject")
@role_required(Role.MODERATOR)
def reject(slug: str):
    """Turn the campaign down with a reason; its organizer is emailed."""
    campaign = _campaign_or_404(slug)
    form = RejectForm(prefix="reject")
    if not form.validate_on_submit():
        return _review_page(campaign, status=400, reject_form=form)
    reason = RejectionReason(form.reason.data)
    action = partial(services.reject, current_user, campaign, reason=reason, note=form.note.data)
    return _decide(campaign, action, _("The campaign was rejected."), "moderation.queue")


@bp.post("/campaigns/<slug>/hide")
@role_required(Role.MODERATOR)
def hide(slug: str):
    """Take a published campaign out of public view pending review."""
    campaign = _campaign_or_404(slug)
    form = HideForm(prefix="hide")
    if not form.validate_on_submit():
        return _review_page(campaign, status=400, hide_form=form)
    action = partial(services.hide, current_user, campaign, note=form.note.data)
    return _decide(campaign, action, _("The campaign is hidden."), "moderation.review")


@bp.post("/campaigns/<slug>/unhide")
@role_required(Role.MODERATOR)
def unhide(slug: str):
    """Put a hidden campaign back in public view."""
    campaign = _campaign_or_404(slug)
    if (refused := _checked_button(campaign)) is not None:
        return refused
    action = partial(services.unhide, current_user, campaign)
    return _decide(campaign, action, _("The campaign is public again."), "moderation.review")


@bp.get("/campaigns/<slug>/revisions")
@role_required(Role.MODERATOR)
def revisions(slug: str):
    """Every kept version of the summary and body, with what changed each time."""
    campaign = _campaign_or_404(slug)
    history = queries.revision_history(campaign)
    return render_template("moderation/revisions.html", campaign=campaign, history=history)


def _reports_page(status: int = 200, failed: ResolveForm | None = None):
    """The open reports, grouped by campaign."""
    return render_template(
        "moderation/reports.html",
        groups=report_services.open_report_groups(),
        failed=failed,
        form=ResolveForm,
    ), status


@bp.get("/reports")
@role_required(Role.MODERATOR)
def reports():
    """Open reports, the campaign reported longest ago first."""
    return _reports_page()


@bp.post("/reports/<int:report_id>/resolve")
@role_required(Role.MODERATOR)
def resolve_report(report_id: int):
    """Dismiss a campaign's reports up to this one, or hide the campaign."""
    report = db.get_or_404(CampaignReport, report_id)
    form = ResolveForm(prefix=f"r{report.id}")
    if not form.validate_on_submit():
        return _reports_page(status=400, failed=form)
    resolution = ReportResolution(form.resolution.data)
    try:
        report_services.resolve_report(
            current_user, report, resolution=resolution, note=form.note.data or ""
        )
    except services.ModerationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _reports_page(status=409)
    db.session.commit()
    flash(_("The reports were dealt with."), "success")
    return redirect(url_for("moderation.reports"))
