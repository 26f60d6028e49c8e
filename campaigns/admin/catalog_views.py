"""Admin catalog: the category list and the featured campaigns."""

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaigns.admin import catalog
from campaigns.admin.catalog_forms import CategoryForm, FeatureForm, MoveForm
from campaigns.auth.decorators import role_required
from campaigns.core.forms import EmptyForm
from campaigns.core.urls import safe_next
from campaigns.extensions import db
from campaigns.models import Category, Role
from campaigns.petitions.queries import campaign_by_slug

bp = Blueprint("catalog", __name__)


def _page(status: int = 200, new_form: CategoryForm | None = None, failed=None):
    """The category list; a form that failed is passed in to show its errors."""
    return render_template(
        "admin/categories.html",
        rows=catalog.categories_with_usage(),
        new_form=new_form or CategoryForm(prefix="new", formdata=None),
        failed=failed,
        rename_form=CategoryForm,
        move_form=MoveForm,
        button=EmptyForm(formdata=None),
    ), status


def _apply(action, done: str, status_on_error: int = 409):
    """Run one catalog change: commit and go back to the list, or say why not."""
    try:
        action()
    except catalog.CatalogError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _page(status=status_on_error)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("catalog.categories"))


@bp.route("/categories", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def categories():
    """List the categories; POST adds one."""
    form = CategoryForm(prefix="new")
    if not form.is_submitted():
        return _page()
    if not form.validate():
        return _page(status=400, new_form=form)
    try:
        category = catalog.create_category(current_user, name=form.name.data)
    except catalog.CatalogError as exc:
        db.session.rollback()
        form.name.errors.append(str(exc))
        return _page(status=400, new_form=form)
    db.session.commit()
    flash(_("Category %(name)s added.", name=category.name), "success")
    return redirect(url_for("catalog.categories"))


@bp.post("/categories/<int:category_id>/rename")
@role_required(Role.ADMIN)
def rename(category_id: int):
    """Change a category's name (its address stays)."""
    category = db.get_or_404(Category, category_id)
    form = CategoryForm(prefix=f"c{category.id}")
    if not form.validate_on_submit():
        return _page(status=400, failed=form)
    action = partial(catalog.rename_category, current_user, category, name=form.name.data)
    return _apply(action, _("Category renamed."), status_on_error=400)


@bp.post("/categories/<int:category_id>/move")
@role_required(Role.ADMIN)
def move(category_id: int):
    """Move a category one place up or down."""
    category = db.get_or_404(Category, category_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _page(status=400)
    offset = -1 if form.direction.data == "up" else 1
    action = partial(catalog.move_category, current_user, category, offset=offset)
    return _apply(action, _("Order saved."))


@bp.post("/categories/<int:category_id>/archive")
@role_required(Role.ADMIN)
def archive(category_id: int):
    """Stop offering a category to new campaigns."""
    category = db.get_or_404(Category, category_id)
    if not EmptyForm().validate_on_submit():
        return _page(status=400)
    action = partial(catalog.archive_category, current_user, category)
    return _apply(action, _("Category archived."))


@bp.post("/categories/<int:category_id>/unarchive")
@role_required(Role.ADMIN)
def unarchive(category_id: int):
    """Offer an archived category again."""
    category = db.get_or_404(Category, category_id)
    if not EmptyForm().validate_on_submit():
        return _page(status=400)
    action = partial(catalog.unarchive_category, current_user, category)
    return _apply(action, _("Category restored."))


@bp.post("/categories/<int:category_id>/delete")
@role_required(Role.ADMIN)
def delete(category_id: int):
    """Delete a category no campaign uses."""
    category = db.get_or_404(Category, category_id)
    if not EmptyForm().validate_on_submit():
        return _page(status=400)
    action = partial(catalog.delete_category, current_user, category)
    return _apply(action, _("Category deleted."))


@bp.post("/campaigns/<slug>/feature")
@role_required(Role.ADMIN)
def feature(slug: str):
    """Feature a published campaign on the home page, or stop featuring it."""
    campaign = campaign_by_slug(slug, page=False)
    form = FeatureForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        featured = catalog.toggle_featured(current_user, campaign)
    except catalog.CatalogError as exc:
        db.session.rollback()
        abort(409, str(exc))
    db.session.commit()
    flash(_("Featured on the home page.") if featured else _("No longer featured."), "success")
    if form.next.data:
        return redirect(safe_next(form.next.data))
    return redirect(url_for("moderation.review", slug=campaign.slug))
