"""Reporting a campaign: open to everyone, signed in or not."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaigns.extensions import db, limiter
from campaigns.models import ReportReason
from campaigns.moderation import reports
from campaigns.moderation.forms import ReportForm
from campaigns.petitions.queries import campaign_by_slug

bp = Blueprint("reports", __name__)


def report_limit() -> str:
    """Reports allowed per client address (the REPORT_LIMIT setting)."""
    return current_app.config["REPORT_LIMIT"]


@bp.route("/campaigns/<slug>/report", methods=["GET", "POST"])
@limiter.limit(report_limit, methods=["POST"])
def new(slug: str):
    """Ask why the campaign breaks the rules; 404 for campaigns the visitor cannot see."""
    user = current_user if current_user.is_authenticated else None
    campaign = campaign_by_slug(slug, page=False)
    if not (campaign.is_published and campaign.can_view(user)):
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        reports.report(
            user, campaign, reason=ReportReason(form.reason.data), details=form.details.data
        )
        db.session.commit()
        flash(_("Thank you. A moderator will look at this campaign."), "success")
        return redirect(url_for("petitions.show", slug=campaign.slug))
    status = 400 if form.is_submitted() else 200
    return render_template("moderation/report.html", campaign=campaign, form=form), status
