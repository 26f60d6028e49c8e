"""Register, verify email, log in and out, reset a forgotten password."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from campaigns.auth import services
from campaigns.auth.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from campaigns.auth.limits import (
    form_ip_limit,
    login_account_key,
    login_account_limit,
    login_ip_limit,
)
from campaigns.core.forms import EmptyForm
from campaigns.core.urls import next_from_request
from campaigns.extensions import db, limiter

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(form_ip_limit, methods=["POST"])
def register():
    """Create an account; always answer 'check your email' so addresses stay private."""
    if current_user.is_authenticated:
        return redirect(url_for("account.show"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register(
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                locale=str(get_locale() or "en"),
            )
        except services.PasswordRejected as exc:
            form.password.errors.extend(exc.problems)
        else:
            db.session.commit()
            return render_template("auth/check_email.html", email=form.email.data)
    return render_template("auth/register.html", form=form)


@bp.get("/verify/<token>")
def verify_email_page(token: str):
    """Show a button; mail scanners follow GET links, so only the POST verifies."""
    return render_template("auth/verify.html", form=EmptyForm(), token=token)


@bp.post("/verify/<token>")
def verify_email(token: str):
    """Mark the email address verified."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    user = services.verify_email(token)
    if user is None:
        flash(_("That link is invalid or has expired. Log in to get a new one."), "error")
        return redirect(url_for("auth.login"))
    db.session.commit()
    flash(_("Thank you, your email address is confirmed."), "success")
    return redirect(url_for("account.show" if current_user.is_authenticated else "auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_ip_limit, methods=["POST"])
@limiter.limit(login_account_limit, methods=["POST"], key_func=login_account_key)
def login():
    """Log in with email and password; `next` is followed only within this site."""
    if current_user.is_authenticated:
        return redirect(next_from_request())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.AccountDisabled:
            # Said only to someone who knows the password; a wrong one gets the usual answer.
            form.password.errors.append(_("This account is disabled."))
            return render_template("auth/login.html", form=form), 403
        if user is not None:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.display_name), "success")
            return redirect(next_from_request())
        form.password.errors.append(_("That email and password do not match an account."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out (a POST, so other sites cannot log people out)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("core.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(form_ip_limit, methods=["POST"])
def forgot_password():
    """Email a reset link if the account exists; the answer is the same either way."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("auth/check_email.html", email=form.email.data, reset=True)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(form_ip_limit, methods=["POST"])
def reset_password(token: str):
    """Choose a new password from an emailed, expiring, single-use link."""
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("That reset link is invalid, used or expired. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(user, form.password.data)
        except services.PasswordRejected as exc:
            form.password.errors.extend(exc.problems)
        else:
            db.session.commit()
            logout_user()
            flash(_("Your password is changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
