"""Site-wide forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField


class EmptyForm(FlaskForm):
    """A form with only a CSRF token, for one-button POSTs."""

    submit = SubmitField(_l("Submit"))


class LanguageForm(FlaskForm):
    """The language switcher."""

    language = SelectField(_l("Language"))
    next = HiddenField()
    submit = SubmitField(_l("Change language"))
