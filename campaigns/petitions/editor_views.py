"""Starting and editing a campaign step by step, previewing and submitting it for review."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from campaigns.core.forms import EmptyForm
from campaigns.extensions import db
from campaigns.petitions import queries, services
from campaigns.petitions.editor_steps import STEP_HANDLERS, STEPS, fail, tidy_cover_files
from campaigns.petitions.forms import BasicsForm

bp = Blueprint("editor", __name__)


def step_redirect(campaign, step: str, form):
    """After saving: stay on the step, or go to the next one (the preview after the last)."""
    if not form.next.data:
        return redirect(url_for("editor.edit", slug=campaign.slug, step=step))
    index = STEPS.index(step)
    if index + 1 < len(STEPS):
        return redirect(url_for("editor.edit", slug=campaign.slug, step=STEPS[index + 1]))
    return redirect(url_for("editor.preview", slug=campaign.slug))


@bp.route("/campaigns/new", methods=["GET", "POST"])
@login_required
def new():
    """Step 1 for a new campaign: saving it creates the draft."""
    if current_user.email_verified_at is None:
        return render_template("petitions/verify_first.html"), 403
    form = BasicsForm()
    form.set_choices(queries.active_categories())
    if form.validate_on_submit():
        try:
            campaign = services.start_campaign(
                current_user, title=form.title.data, category_id=form.category.data,
                country=form.country.data, language=str(get_locale() or "en"),
                discreet_email=form.discreet_email.data,
            )  # fmt: skip
        except services.CampaignError as exc:
            fail(form, exc)
        else:
            db.session.commit()
            flash(_("Draft saved."), "success")
            return step_redirect(campaign, "basics", form)
    status = 422 if form.errors else 200
    return render_template("petitions/edit_basics.html", form=form, campaign=None), status


@bp.route("/campaigns/<slug>/edit/<step>", methods=["GET", "POST"])
@login_required
def edit(slug: str, step: str):
    """One step of the editor for an organizer's draft or open campaign."""
    if step not in STEP_HANDLERS:
        abort(404)
    campaign = queries.campaign_for_organizer(slug, current_user)
    if not campaign.can_edit(current_user):
        flash(_("This campaign cannot be edited in its current state."), "error")
        return redirect(url_for("petitions.show", slug=slug))
    form, saved = STEP_HANDLERS[step](campaign)
    if saved:
        db.session.commit()
        tidy_cover_files(committed=True)
        flash(_("Changes saved."), "success")
        return step_redirect(campaign, step, form)
    db.session.rollback()
    tidy_cover_files(committed=False)
    status = 422 if form.errors else 200
    template = f"petitions/edit_{step.replace('-', '_')}.html"
    return render_template(template, form=form, campaign=campaign), status


@bp.get("/campaigns/<slug>/preview")
@login_required
def preview(slug: str):
    """The public page as it will look, with what is missing and the submit button."""
    campaign = queries.campaign_for_organizer(slug, current_user)
    return render_template(
        "petitions/show.html",
        campaign=campaign,
        preview=True,
        missing=services.missing_for_review(campaign),
        form=EmptyForm(),
        updates=[],
    )


@bp.post("/campaigns/<slug>/submit")
@login_required
def submit(slug: str):
    """Send the draft to the moderators."""
    campaign = queries.campaign_for_organizer(slug, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.submit_for_review(current_user, campaign)
    except services.CampaignError as exc:
        flash(exc.message, "error")
        return redirect(url_for("editor.preview", slug=slug)), 303
    db.session.commit()
    flash(_("Submitted. A moderator will review your campaign; we will email you."), "success")
    return redirect(url_for("petitions.show", slug=slug))


@bp.post("/campaigns/<slug>/withdraw")
@login_required
def withdraw(slug: str):
    """Take a campaign back from review, to edit it again."""
    campaign = queries.campaign_for_organizer(slug, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_submission(current_user, campaign)
    except services.CampaignError as exc:
        abort(exc.status, exc.message)
    db.session.commit()
    flash(_("Your campaign is a draft again."), "success")
    return redirect(url_for("editor.edit", slug=slug, step="basics"))


@bp.get("/campaigns/mine")
@login_required
def mine():
    """The campaigns the signed-in member owns or co-organizes, with their state."""
    return render_template(
        "petitions/mine.html",
        campaigns=queries.organized_by(current_user),
        invitations=queries.pending_invitations(email=current_user.email),
    )
