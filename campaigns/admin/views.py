"""Admin pages: accounts with their roles, and the audit trail."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from campaigns.admin.forms import RoleForm
from campaigns.auth.decorators import role_required
from campaigns.auth.roles import ROLE_LABELS
from campaigns.auth.services import set_role
from campaigns.extensions import db
from campaigns.models import AuditEvent, Role, User

bp = Blueprint("admin", __name__)


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    """All accounts, newest first, paginated."""
    page = db.paginate(select(User).order_by(User.id.desc()), per_page=50, error_out=False)
    return render_template("admin/users.html", page=page, role_form=RoleForm)


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


@bp.get("/audit")
@role_required(Role.MODERATOR)
def audit():
    """The audit trail, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("admin/audit.html", page=page)
