"""Admin forms: roles, disabling accounts, and the GET forms that filter lists."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from campaigns.auth.roles import ROLE_LABELS

MAX_PAGE = 10_000


def _clean(value):
    """Trim text and drop control characters (PostgreSQL refuses NUL)."""
    if not isinstance(value, str):
        return value
    return "".join(ch for ch in value if ch.isprintable()).strip()


class RoleForm(FlaskForm):
    """Change one account's role."""

    role = SelectField(
        _l("Role"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()]
    )
    submit = SubmitField(_l("Change role"))


class DisableForm(FlaskForm):
    """Disable one account, saying why for the audit log."""

    reason = StringField(
        _l("Reason (kept in the audit log)"),
        validators=[Optional(), Length(max=500)],
        filters=[_clean],
    )
    submit = SubmitField(_l("Disable"))


class _FilterForm(FlaskForm):
    """A GET form over a list: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)])

    def __init__(self, *args, **kwargs):
        """Mark every filter optional, so the field macro never renders required="None"."""
        super().__init__(*args, **kwargs)
        for field in self:
            field.flags.required = False


class UserSearchForm(_FilterForm):
    """Find accounts by email address or name."""

    q = SearchField(
        _l("Email address or name"), validators=[Optional(), Length(max=254)], filters=[_clean]
    )


class AuditFilterForm(_FilterForm):
    """Narrow the audit log by who, what, which campaign and when."""

    actor = SearchField(
        _l("Who (email address, or part of it)"),
        validators=[Optional(), Length(max=254)],
        filters=[_clean],
    )
    action = SelectField(_l("Action"), validators=[Optional()])
    campaign = SearchField(
        _l("Campaign address"),
        description=_l("The part after /campaigns/ in the campaign's address."),
        validators=[Optional(), Length(max=120)],
        filters=[_clean],
    )
    date_from = DateField(_l("From (day)"), validators=[Optional()])
    date_to = DateField(_l("To (day, included)"), validators=[Optional()])

    def load_actions(self, actions: list[str]) -> None:
        """Offer the actions the log holds."""
        self.action.choices = [SelectChoice("", _l("Any action"))] + [
            SelectChoice(action, action) for action in actions
        ]

    def validate_date_to(self, field) -> None:
        """The period must not end before it starts."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Choose a day on or after the first day."))
