"""The account page's API keys: list, create (the key is shown once), revoke."""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from campaigns.api import keys
from campaigns.auth.limits import form_ip_limit
from campaigns.core.forms import EmptyForm
from campaigns.core.services import RuleError
from campaigns.extensions import db, limiter

bp = Blueprint("api_keys", __name__, url_prefix="/account/api-keys")


class NewKeyForm(FlaskForm):
    """A name for a new key, so its owner knows later what uses it."""

    name = StringField(
        _l("Name of the key"),
        validators=[DataRequired(), Length(max=keys.NAME_MAX)],
        description=_l("What will use it, for example “Our CRM sync”."),
        render_kw={"maxlength": keys.NAME_MAX, "autocomplete": "off"},
    )
    submit = SubmitField(_l("Create a key"))


def _page(form: NewKeyForm | None = None, status: int = 200, problem: str | None = None):
    """The list of the user's keys with the creation form (and why creating failed)."""
    return render_template(
        "api/keys.html",
        problem=problem,
        keys=keys.list_keys(current_user),
        may_create=keys.may_create_keys(current_user),
        max_keys=keys.MAX_ACTIVE_KEYS,
        form=form or NewKeyForm(formdata=None),
        revoke_form=EmptyForm(prefix="revoke"),
    ), status


@bp.get("")
@login_required
def index():
    """The signed-in user's API keys."""
    return _page()


@bp.post("")
@login_required
@limiter.limit(form_ip_limit)
def create():
    """Create a key and show it this once; the page must never be cached."""
    form = NewKeyForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        key, raw_key = keys.create_key(current_user, name=form.name.data)
    except RuleError as exc:
        if exc.status == 403:
            abort(403, exc.message)
        if exc.field:
            form.name.errors.append(exc.message)
        return _page(form, 400 if exc.field else exc.status, None if exc.field else exc.message)
    db.session.commit()
    response = make_response(render_template("api/keys_created.html", key=key, raw_key=raw_key))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:key_id>/revoke")
@login_required
def revoke(key_id: int):
    """Revoke one of the user's own keys at once."""
    if not EmptyForm(prefix="revoke").validate_on_submit():
        abort(400)
    try:
        key = keys.revoke_key(current_user, key_id)
    except RuleError as exc:
        abort(exc.status, exc.message)
    db.session.commit()
    flash(_("The key “%(name)s” is revoked; it no longer opens the API.", name=key.name), "success")
    return redirect(url_for("api_keys.index"))
