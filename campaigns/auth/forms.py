"""Account forms. Validation here is about shape; rules live in services."""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from campaigns.core.emails import normalize_email


class EmailAddress:
    """Validate with email-validator and replace the data with the normalised address."""

    def __call__(self, form, field):
        """Normalise field.data or raise a field error."""
        try:
            field.data = normalize_email(field.data or "")
        except ValueError as exc:
            raise ValidationError(_l("Enter a valid email address.")) from exc


def email_field():
    """The email input used on every account form."""
    return EmailField(
        _l("Email address"),
        validators=[DataRequired(), Length(max=254), EmailAddress()],
        render_kw={"autocomplete": "email"},
    )


def new_password_fields():
    """A new password and its confirmation."""
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(max=256)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            InputRequired(),
            EqualTo("password", message=_l("The passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class NewPasswordForm(FlaskForm):
    """A form with a new password; its hint states the configured minimum length."""

    def __init__(self, *args, **kwargs):
        """Describe the password rule from settings."""
        super().__init__(*args, **kwargs)
        self.password.description = _(
            "At least %(n)d characters. A few unrelated words work well.",
            n=current_app.config["PASSWORD_MIN_LENGTH"],
        )


class RegisterForm(NewPasswordForm):
    """Create an account."""

    email = email_field()
    display_name = StringField(
        _l("Your name"),
        validators=[DataRequired(), Length(max=80)],
        render_kw={"autocomplete": "name"},
        description=_l("Shown on campaigns you start. Your signatures stay private by default."),
    )
    password, confirm = new_password_fields()
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    """Log in."""

    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(FlaskForm):
    """Ask for a reset link."""

    email = email_field()
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(NewPasswordForm):
    """Choose a new password from a reset link."""

    password, confirm = new_password_fields()
    submit = SubmitField(_l("Set new password"))


class ChangePasswordForm(NewPasswordForm):
    """Change the password while logged in."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields()
    submit = SubmitField(_l("Change password"))


class ProfileForm(FlaskForm):
    """Name and language on the account page."""

    display_name = StringField(
        _l("Your name"),
        validators=[DataRequired(), Length(max=80)],
        render_kw={"autocomplete": "name"},
    )
    locale = SelectField(_l("Language"))
    submit = SubmitField(_l("Save"))


class DeleteAccountForm(FlaskForm):
    """Delete the account, confirmed by password."""

    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Delete my account"))
