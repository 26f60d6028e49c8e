"""The account page: profile, password, verification email, deletion."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from campaigns.auth import services
from campaigns.auth.forms import ChangePasswordForm, DeleteAccountForm, ProfileForm
from campaigns.auth.limits import form_ip_limit
from campaigns.core.forms import EmptyForm, language_choices
from campaigns.extensions import db, limiter

bp = Blueprint("account", __name__, url_prefix="/account")


def _profile_form(**kwargs) -> ProfileForm:
    """The profile form with the site's languages as choices."""
    form = ProfileForm(prefix="profile", **kwargs)
    form.locale.choices = language_choices()
    return form


def _page(**forms):
    """Render the account page with any forms not given filled from the account."""
    forms.setdefault("profile_form", _profile_form(obj=current_user))
    forms.setdefault("password_form", ChangePasswordForm(prefix="change", formdata=None))
    forms.setdefault("delete_form", DeleteAccountForm(prefix="delete", formdata=None))
    return render_template("auth/account.html", resend_form=EmptyForm(prefix="resend"), **forms)


@bp.get("/")
@login_required
def show():
    """The signed-in user's account."""
    return _page()


@bp.post("/profile")
@login_required
def update_profile():
    """Save name and language."""
    form = _profile_form()
    if not form.validate_on_submit():
        return _page(profile_form=form), 400
    services.update_profile(
        current_user, display_name=form.display_name.data, locale=form.locale.data
    )
    db.session.commit()
    session["locale"] = form.locale.data
    flash(_("Your details are saved."), "success")
    return redirect(url_for("account.show"))


@bp.post("/password")
@login_required
@limiter.limit(form_ip_limit)
def change_password():
    """Change the password; other sessions are logged out, this one stays in."""
    form = ChangePasswordForm(prefix="change")
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.WrongPassword:
            form.current_password.errors.append(_("Your current password was not right."))
        except services.PasswordRejected as exc:
            form.password.errors.extend(exc.problems)
        else:
            db.session.commit()
            # The login token changed: renew this browser's session and remember-me cookie.
            remembered = "remember_token" in request.cookies
            login_user(current_user._get_current_object(), remember=remembered)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("account.show"))
    return _page(password_form=form), 400


@bp.post("/verification")
@login_required
@limiter.limit(form_ip_limit)
def resend_verification():
    """Send the verification email again."""
    if not EmptyForm(prefix="resend").validate_on_submit():
        abort(400)
    if current_user.email_verified:
        flash(_("Your email address is already confirmed."), "info")
        return redirect(url_for("account.show"))
    services.send_verification(current_user)
    db.session.commit()
    flash(_("We sent a new link to %(email)s.", email=current_user.email), "info")
    return redirect(url_for("account.show"))


@bp.post("/delete")
@login_required
@limiter.limit(form_ip_limit)
def delete():
    """Delete the account after the password is confirmed."""
    form = DeleteAccountForm(prefix="delete")
    if form.validate_on_submit():
        try:
            services.delete_account(current_user._get_current_object(), form.password.data)
        except services.WrongPassword:
            form.password.errors.append(_("Your password was not right."))
        else:
            db.session.commit()
            logout_user()
            flash(_("Your account is deleted."), "info")
            return redirect(url_for("core.index"))
    return _page(delete_form=form), 400
