"""Home page, language switcher and health check."""

from flask import Blueprint, flash, has_request_context, redirect, render_template, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from campaigns.auth.roles import ROLE_LABELS
from campaigns.core import services
from campaigns.core.forms import LanguageForm, language_choices
from campaigns.core.urls import safe_next
from campaigns.extensions import db
from campaigns.models import Role
from campaigns.petitions import discovery

bp = Blueprint("core", __name__)


@bp.app_context_processor
def inject_globals():
    """Every page carries the language switcher; emails rendered outside requests do not."""
    names = {"get_locale": get_locale, "Role": Role, "ROLE_LABELS": ROLE_LABELS}
    if has_request_context():
        # formdata=None: never parse the body here (it may be the oversized one behind a 413).
        form = LanguageForm(prefix="lang", formdata=None)
        form.language.choices = language_choices()
        names["language_form"] = form
    return names


@bp.get("/")
def index():
    """The home page: featured and trending campaigns, recent victories, totals."""
    return render_template("core/index.html", **discovery.home_page())


@bp.post("/language")
def set_language():
    """Switch the interface language for this browser and, if signed in, the account."""
    form = LanguageForm(prefix="lang")
    form.language.choices = language_choices()
    if not form.validate_on_submit():
        flash(_("Choose one of the languages offered."), "error")
        return redirect(safe_next(form.next.data))
    session["locale"] = form.language.data
    user = current_user if current_user.is_authenticated else None
    services.set_language(user, form.language.data)
    db.session.commit()
    return redirect(safe_next(form.next.data))


@bp.get("/healthz")
def healthz():
    """Liveness and database reachability, for load balancers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
