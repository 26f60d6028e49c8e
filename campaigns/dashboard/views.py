"""The campaign dashboard: figures for the campaign's organizers and for admins."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from campaigns.dashboard import chart, stats
from campaigns.models import Campaign, User
from campaigns.petitions.queries import campaign_for_viewer

bp = Blueprint("dashboard", __name__)


def may_view_dashboard(user: User, campaign: Campaign) -> bool:
    """Organizers (owner and co-organizers) see their campaign's dashboard; admins any."""
    return campaign.can_run_tools(user)


@bp.get("/campaigns/<slug>/dashboard")
@login_required
def show(slug: str):
    """Counts, signatures per day, countries, sources, milestones and a projected date."""
    campaign = campaign_for_viewer(slug, current_user)
    if not may_view_dashboard(current_user, campaign):
        abort(403, _("Only the campaign's organizers can see its dashboard."))
    # Any other ?days= shows the default window: a made-up one cannot ask for years of rows.
    figures = stats.dashboard_stats(campaign, request.args.get("days", 30, type=int))
    title = _("Confirmed signatures per day, last %(days)d days", days=figures.window)
    svg = chart.bar_chart(
        figures.days, title=title, desc=chart.describe(figures.days), ident="daily-chart"
    )
    response = current_app.make_response(
        render_template(
            "dashboard/show.html", campaign=campaign, stats=figures, chart=svg,
            chart_title=title, windows=stats.WINDOWS,
            cached=current_app.config["DASHBOARD_CACHE_SECONDS"] > 0,
        )
    )  # fmt: skip
    response.headers["Cache-Control"] = "private, no-store"
    return response
