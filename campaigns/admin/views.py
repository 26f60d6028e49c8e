"""The admin area: the dashboard, accounts (find, role, disable) and the audit log."""

from collections.abc import Callable
from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaigns.admin import queries
from campaigns.admin.dashboard import dashboard as dashboard_data
from campaigns.admin.forms import AuditFilterForm, DisableForm, RoleForm, UserSearchForm
from campaigns.auth.decorators import role_required
from campaigns.auth.roles import ROLE_LABELS
from campaigns.auth.services import disable_account, enable_account, set_role
from campaigns.core.forms import EmptyForm
from campaigns.core.services import RuleError
from campaigns.extensions import db
from campaigns.models import Role, User

PER_PAGE = 50

bp = Blueprint("admin", __name__)


@bp.get("/")
@role_required(Role.ADMIN)
def dashboard():
    """Every queue with its count and link, and a few totals."""
    return render_template("admin/dashboard.html", **dashboard_data())


def _users_page(form: UserSearchForm, status: int = 200, failed: DisableForm | None = None):
    """One page of accounts found by the search form, or its errors with a 400."""
    page = None
    if form.validate():
        query = queries.user_search_query(form.q.data)
        page = db.paginate(query, page=form.page.data or 1, per_page=PER_PAGE, error_out=False)
    else:
        status = 400
    return render_template(
        "admin/users.html",
        form=form,
        page=page,
        role_form=RoleForm,
        disable_form=DisableForm,
        failed=failed,
        button=EmptyForm(formdata=None),
    ), status


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    """Accounts, newest first; ?q= finds them by email address or name."""
    return _users_page(UserSearchForm(formdata=request.args))


@bp.post("/users/<int:user_id>/role")
@role_required(Role.ADMIN)
def change_role(user_id: int):
    """Give an account another role; admins cannot demote themselves."""
    user = db.get_or_404(User, user_id)
    form = RoleForm(prefix=f"u{user.id}")
    if not form.validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot change your own role."), "error")
        return redirect(url_for("admin.users"))
    set_role(current_user, user, Role(form.role.data))
    db.session.commit()
    label = ROLE_LABELS[Role(form.role.data)]
    flash(_("%(email)s is now %(role)s.", email=user.email, role=label), "success")
    return redirect(url_for("admin.users"))


def _showing(user: User) -> UserSearchForm:
    """The search form narrowed to one account, so its row (and any error) is on the page."""
    return UserSearchForm(formdata=None, q=user.email)


def _account_change(user: User, change: Callable[[], None], done: str):
    """Run one change to an account: commit and go back to it, or show why not."""
    try:
        change()
    except RuleError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _users_page(_showing(user), status=exc.status)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("admin.users", q=user.email), 303)


@bp.post("/users/<int:user_id>/disable")
@role_required(Role.ADMIN)
def disable(user_id: int):
    """Disable an account: it cannot log in and its sessions end at once."""
    user = db.get_or_404(User, user_id)
    form = DisableForm(prefix=f"d{user.id}")
    if not form.validate_on_submit():
        return _users_page(_showing(user), status=400, failed=form)
    return _account_change(
        user,
        partial(disable_account, current_user, user, reason=form.reason.data or ""),
        _("%(email)s is disabled and logged out everywhere.", email=user.email),
    )


@bp.post("/users/<int:user_id>/enable")
@role_required(Role.ADMIN)
def enable(user_id: int):
    """Let a disabled account log in again."""
    user = db.get_or_404(User, user_id)
    if not EmptyForm().validate_on_submit():
        return _users_page(_showing(user), status=400)
    return _account_change(
        user,
        partial(enable_account, current_user, user),
        _("%(email)s can log in again.", email=user.email),
    )


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit():
    """The audit log, newest first, narrowed by actor, action, campaign and days."""
    form = AuditFilterForm(formdata=request.args)
    form.load_actions(queries.audit_actions())
    valid = form.validate()
    campaign_id = None
    if valid and form.campaign.data:
        campaign_id = queries.campaign_id_for_slug(form.campaign.data)
        if campaign_id is None:
            form.campaign.errors.append(_("No campaign has this address."))
            valid = False
    if not valid:
        return render_template("admin/audit.html", form=form, page=None), 400
    query = queries.audit_query(
        actor=form.actor.data,
        action=form.action.data,
        campaign_id=campaign_id,
        since=form.date_from.data,
        until=form.date_to.data,
    )
    page = db.paginate(query, page=form.page.data or 1, per_page=PER_PAGE, error_out=False)
    targets = queries.audit_targets(page.items)
    return render_template("admin/audit.html", form=form, page=page, targets=targets)
