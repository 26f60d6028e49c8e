"""The public campaign page, and closing and reopening a campaign."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from campaigns.auth.decorators import role_required
from campaigns.core.forms import EmptyForm
from campaigns.core.urls import absolute_url
from campaigns.extensions import db
from campaigns.models import Role
from campaigns.outcomes import updates
from campaigns.petitions import queries, services
from campaigns.petitions.countries import country_name
from campaigns.petitions.labels import status_label
from campaigns.signatures.page import signing_context

bp = Blueprint("petitions", __name__)


@bp.app_context_processor
def inject_campaign_helpers():
    """Helpers campaign templates use everywhere: country names, absolute links, labels."""
    return {
        "country_name": country_name,
        "absolute_url": absolute_url,
        "status_label": status_label,
    }


@bp.get("/campaigns/<slug>")
def show(slug: str):
    """The campaign page: what is asked, of whom, how far it has come, and how to share it."""
    return render_campaign(queries.campaign_for_viewer(slug, current_user))


def render_campaign(campaign, *, sign_form=None, status: int = 200):
    """The campaign page; a sign form that came back with errors is shown as it was."""
    return render_template(
        "petitions/show.html",
        campaign=campaign,
        timeline=updates.timeline(campaign),
        update_controls=updates.controls_for(current_user, campaign),
        form=EmptyForm(),
        preview=False,
        **signing_context(campaign, current_user, sign_form),
    ), status


def _transition(slug: str, verb, done: str):
    """Apply a lifecycle verb to a campaign after the CSRF check, then show its page."""
    campaign = queries.campaign_for_viewer(slug, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        verb(current_user, campaign)
    except services.CampaignError as exc:
        abort(exc.status, exc.message)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("petitions.show", slug=slug))


@bp.post("/campaigns/<slug>/close")
@login_required
def close(slug: str):
    """The owner or an admin closes the campaign to new signatures."""
    return _transition(slug, services.close_campaign, _("The campaign is closed."))


@bp.post("/campaigns/<slug>/reopen")
@role_required(Role.ADMIN)
def reopen(slug: str):
    """An admin reopens a closed campaign."""
    return _transition(slug, services.reopen_campaign, _("The campaign is open again."))
