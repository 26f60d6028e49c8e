"""Managing co-organizers: invite, accept, revoke, remove, leave."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from campaigns.auth.limits import form_ip_limit
from campaigns.core.forms import EmptyForm
from campaigns.extensions import db, limiter
from campaigns.petitions import organizers, queries
from campaigns.petitions.forms import InviteForm
from campaigns.petitions.services import CampaignError

bp = Blueprint("organizers", __name__)


@bp.route("/campaigns/<slug>/organizers", methods=["GET", "POST"])
@login_required
@limiter.limit(form_ip_limit, methods=["POST"])
def manage(slug: str):
    """Who organizes the campaign; the owner invites others here."""
    campaign = queries.campaign_for_organizer(slug, current_user)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            organizers.invite(current_user, campaign, form.email.data)
        except CampaignError as exc:
            if exc.status == 403:
                abort(403, exc.message)
            form.email.errors = [*form.email.errors, exc.message]
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("organizers.manage", slug=slug))
    return render_template(
        "petitions/organizers.html", campaign=campaign, form=form, button=EmptyForm(),
        invitations=queries.pending_invitations(campaign=campaign),
    ), (422 if form.errors else 200)  # fmt: skip


def _owner_action(slug: str, action, done: str):
    """Run an owner-only change after the CSRF check and return to the organizers page."""
    campaign = queries.campaign_for_organizer(slug, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        action(campaign)
    except CampaignError as exc:
        abort(exc.status, exc.message)
    db.session.commit()
    flash(done, "success")
    if campaign.is_organizer(current_user):
        return redirect(url_for("organizers.manage", slug=slug))
    return redirect(url_for("petitions.show", slug=slug))


@bp.post("/campaigns/<slug>/organizers/<int:user_id>/remove")
@login_required
def remove(slug: str, user_id: int):
    """The owner removes a co-organizer; a co-organizer may remove themself."""
    return _owner_action(
        slug,
        lambda c: organizers.remove(current_user, c, user_id),
        _("Co-organizer removed."),
    )


@bp.post("/campaigns/<slug>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(slug: str, invitation_id: int):
    """The owner withdraws an invitation."""
    return _owner_action(
        slug,
        lambda c: organizers.revoke(current_user, c, invitation_id),
        _("Invitation withdrawn."),
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@login_required
def accept(token: str):
    """Show the invitation; the button (a POST, not the emailed link) accepts it."""
    invitation = organizers.invitation_from_token(token)
    if invitation is None:
        abort(404, _("This invitation link is invalid, expired or already used."))
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            campaign = organizers.accept(current_user, invitation)
        except CampaignError as exc:
            abort(exc.status, exc.message)
        db.session.commit()
        flash(_("You now co-organize this campaign."), "success")
        return redirect(url_for("petitions.show", slug=campaign.slug))
    return render_template("petitions/invitation.html", invitation=invitation, form=form)
