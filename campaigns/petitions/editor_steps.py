"""The editor's steps: each fills its form from the campaign, and saves it on a valid POST."""

from flask import flash, g
from flask_login import current_user

from campaigns.petitions import covers, queries, services
from campaigns.petitions.countries import GLOBAL
from campaigns.petitions.forms import BasicsForm, GoalForm, MakersForm, StoryForm

STEPS = ["basics", "decision-makers", "story", "goal"]


def fail(form, exc: services.CampaignError) -> None:
    """Show a service's refusal next to the field it concerns, or at the top of the page."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")
        form.form_errors.append(exc.message)


def _attempt(form, action) -> bool:
    """Run a service call; on refusal, show why and report failure."""
    try:
        action()
    except services.CampaignError as exc:
        fail(form, exc)
        return False
    return True


def basics(campaign):
    """Title (locked once open), category and country."""
    form = BasicsForm()
    categories = queries.active_categories()
    if campaign.category is not None and campaign.category not in categories:
        categories.append(campaign.category)  # archived since: keep it, don't switch silently
    form.set_choices(categories)
    if not form.is_submitted():
        form.title.data, form.category.data = campaign.title, campaign.category_id
        form.country.data = campaign.country or GLOBAL
        form.discreet_email.data = campaign.discreet_email
    if campaign.is_published:
        form.title.data = campaign.title
    saved = form.validate_on_submit() and _attempt(
        form,
        lambda: services.update_basics(
            current_user, campaign, title=form.title.data,
            category_id=form.category.data, country=form.country.data,
            discreet_email=form.discreet_email.data,
        ),
    )  # fmt: skip
    return form, saved


def decision_makers(campaign):
    """Who the campaign addresses; locked once open."""
    form = MakersForm()
    if not form.is_submitted():
        for _ in range(len(campaign.decision_makers) - 1):
            form.makers.append_entry()
        for entry, maker in zip(form.makers.entries, campaign.decision_makers, strict=False):
            entry.form.name.data, entry.form.title.data = maker.name, maker.title
            entry.form.organization.data = maker.organization
    if form.is_submitted() and form.add.data:
        if len(form.makers.entries) < form.makers.max_entries:
            form.makers.append_entry()
        return form, False
    makers = [
        services.Maker(
            e.form.name.data or "", e.form.title.data or "", e.form.organization.data or ""
        )
        for e in form.makers.entries
    ]
    saved = form.validate_on_submit() and _attempt(
        form, lambda: services.set_decision_makers(current_user, campaign, makers)
    )
    return form, saved


def story(campaign):
    """Summary, body and cover image."""
    form = StoryForm()
    if not form.is_submitted():
        form.summary.data, form.body.data = campaign.summary, campaign.body
        form.cover_alt.data = campaign.cover_alt
    if not form.validate_on_submit():
        return form, False
    old_cover, cover = campaign.cover_image, campaign.cover_image
    upload = form.cover.data
    if upload and getattr(upload, "filename", ""):
        try:
            cover = covers.store_cover(upload.stream)
        except covers.CoverError as exc:
            form.cover.errors = [*form.cover.errors, str(exc)]
            return form, False
    elif form.remove_cover.data:
        cover = None
    saved = _attempt(
        form,
        lambda: services.update_story(
            current_user, campaign, summary=form.summary.data, body=form.body.data,
            cover_image=cover, cover_alt=form.cover_alt.data,
        ),
    )  # fmt: skip
    if cover != old_cover:
        # Files are not transactional: drop the old one only after the commit, the new one if
        # the change is not saved.
        g.cover_files = {"old": old_cover, "new": cover}
    return form, saved


def goal(campaign):
    """Goal, milestones and deadline."""
    form = GoalForm()
    if not form.is_submitted():
        form.goal.data = campaign.goal
        form.deadline.data = campaign.deadline.date() if campaign.deadline else None
        wanted = min(len(campaign.milestones) + 1, form.milestones.max_entries)
        for _ in range(wanted - len(form.milestones.entries)):
            form.milestones.append_entry()
        for entry, milestone in zip(form.milestones.entries, campaign.milestones, strict=False):
            entry.form.threshold.data, entry.form.label.data = milestone.threshold, milestone.label
    if form.is_submitted() and form.add.data:
        if len(form.milestones.entries) < form.milestones.max_entries:
            form.milestones.append_entry()
        return form, False
    milestones = [
        (e.form.threshold.data, e.form.label.data or "")
        for e in form.milestones.entries
        if e.form.threshold.data is not None
    ]
    saved = form.validate_on_submit() and _attempt(
        form,
        lambda: services.set_goal(
            current_user, campaign, goal=form.goal.data, milestones=milestones,
            deadline=services.deadline_from_date(form.deadline.data),
        ),
    )  # fmt: skip
    return form, saved


def tidy_cover_files(committed: bool) -> None:
    """After a story step: remove whichever cover file the database no longer points to."""
    files = g.pop("cover_files", None)
    if files:
        covers.delete_cover(files["old"] if committed else files["new"])


STEP_HANDLERS = {
    "basics": basics,
    "decision-makers": decision_makers,
    "story": story,
    "goal": goal,
}
