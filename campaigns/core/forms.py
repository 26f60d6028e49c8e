"""Site-wide forms."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, SubmitField


def language_choices() -> list[SelectChoice]:
    """The site's languages, each labelled in its own language."""
    languages = current_app.config["LANGUAGES"]
    return [
        SelectChoice(code, label, render_kw={"lang": code}) for code, label in languages.items()
    ]


class EmptyForm(FlaskForm):
    """A form with only a CSRF token, for one-button POSTs."""

    submit = SubmitField(_l("Submit"))


class LanguageForm(FlaskForm):
    """The language switcher."""

    language = SelectField(_l("Language"))
    next = HiddenField()
    submit = SubmitField(_l("Change language"))
