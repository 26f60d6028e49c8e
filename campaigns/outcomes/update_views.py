"""Campaign updates: the timeline page, the Atom feed, and posting, editing, deleting."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from campaigns.auth.limits import form_ip_limit
from campaigns.core.forms import EmptyForm
from campaigns.core.services import RuleError
from campaigns.extensions import db, limiter
from campaigns.outcomes import updates
from campaigns.outcomes.feeds import ATOM, feed_helpers
from campaigns.outcomes.update_forms import EditUpdateForm, UpdateForm
from campaigns.petitions import queries

bp = Blueprint("updates", __name__)
MAX_PAGE = 10_000


def _refuse(form, exc: RuleError) -> int:
    """Show a service's refusal on its field or atop the form; return the status to answer."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None and exc.status in (403, 404, 409):
        abort(exc.status, exc.message)
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)
        flash(exc.message, "error")
    return exc.status


def _update_or_404(campaign, update_id: int):
    """The campaign's (undeleted) update, or 404."""
    update = updates.update_of(campaign, update_id)
    if update is None:
        abort(404)
    return update


@bp.get("/campaigns/<slug>/updates")
def index(slug: str):
    """Everything that happened on the campaign, newest first, a page at a time."""
    campaign = queries.campaign_for_viewer(slug, current_user)
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    entries, page = updates.timeline_page(campaign, number)
    return render_template(
        "outcomes/updates.html", campaign=campaign, entries=entries, page=page, form=EmptyForm(),
        controls=updates.controls_for(current_user, campaign),
    )  # fmt: skip


@bp.get("/campaigns/<slug>/updates.atom")
def feed(slug: str):
    """The campaign's timeline as an Atom 1.0 feed."""
    campaign = queries.campaign_for_viewer(slug, current_user)
    entries = updates.timeline(campaign)
    updated = max((e.updated for e in entries), default=None)
    body = render_template(
        "outcomes/updates.xml", campaign=campaign, entries=entries, **feed_helpers(),
        updated=updated or campaign.published_at or campaign.created_at, rfc3339=updates.rfc3339,
        host=urlsplit(current_app.config["BASE_URL"]).hostname or "localhost",
    )  # fmt: skip
    return body, 200, {"Content-Type": ATOM}


@bp.route("/campaigns/<slug>/updates/new", methods=["GET", "POST"])
@login_required
@limiter.limit(form_ip_limit, methods=["POST"])
def new(slug: str):
    """An organizer posts an update, and may email it to signers who agreed to hear more."""
    campaign = queries.campaign_for_organizer(slug, current_user)
    if not updates.can_post(current_user, campaign):
        abort(409, _("Updates can be posted once the campaign is published."))
    form, status = UpdateForm(), None
    form.set_kinds()
    form.set_email_allowance(*updates.email_allowance(campaign))
    if form.validate_on_submit():
        try:
            update = updates.post_update(
                current_user, campaign, title=form.title.data, body=form.body.data,
                kind=form.kind.data, email_signers=form.email_signers.data,
            )  # fmt: skip
        except RuleError as exc:
            status = _refuse(form, exc)
        else:
            db.session.commit()
            flash(_("Update posted. Signers who agreed to hear more are being emailed.")
                  if update.signers_emailed else _("Update posted."), "success")  # fmt: skip
            return redirect(url_for("updates.index", slug=slug, _anchor=f"update-{update.id}"))
    status = status or (422 if form.errors else 200)
    return render_template("outcomes/update_form.html", campaign=campaign, form=form), status


@bp.route("/campaigns/<slug>/updates/<int:update_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, update_id: int):
    """Organizers (and admins) correct an update; the audit log keeps the old text."""
    campaign = queries.campaign_for_viewer(slug, current_user)
    if not updates.can_edit(current_user, campaign):
        abort(403)
    update = _update_or_404(campaign, update_id)
    form, status = EditUpdateForm(), None
    form.set_kinds(update.kind)
    if not form.is_submitted():
        form.fill(update)
    if form.validate_on_submit():
        try:
            updates.edit_update(current_user, update, title=form.title.data,
                                body=form.body.data, kind=form.kind.data)  # fmt: skip
        except RuleError as exc:
            status = _refuse(form, exc)
        else:
            db.session.commit()
            flash(_("Update saved."), "success")
            return redirect(url_for("updates.index", slug=slug, _anchor=f"update-{update.id}"))
    status = status or (422 if form.errors else 200)
    return render_template(
        "outcomes/update_form.html", campaign=campaign, form=form, update=update
    ), status


@bp.post("/campaigns/<slug>/updates/<int:update_id>/delete")
@login_required
def delete(slug: str, update_id: int):
    """Organizers, moderators and admins take an update down (kept for the audit log)."""
    campaign = queries.campaign_for_viewer(slug, current_user)
    if not updates.can_delete(current_user, campaign):
        abort(403)
    update = _update_or_404(campaign, update_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        updates.delete_update(current_user, update)
    except RuleError as exc:
        abort(exc.status, exc.message)
    db.session.commit()
    flash(_("Update deleted."), "success")
    return redirect(url_for("updates.index", slug=slug))
