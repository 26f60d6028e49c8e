"""Moderation and reporting forms. Shape only; the rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from campaigns.models import ReportResolution
from campaigns.moderation.labels import REJECTION_LABELS, REPORT_LABELS
from campaigns.moderation.reports import DETAILS_MAX
from campaigns.moderation.services import HIDDEN_NOTE_MAX, NOTE_MAX


def _choices(labels: dict) -> list[SelectChoice]:
    """Select choices from a label table."""
    return [SelectChoice(value.value, label) for value, label in labels.items()]


class ApproveForm(FlaskForm):
    """Approve a campaign, with an optional note for the audit log."""

    note = TextAreaField(
        _l("Note for the audit log (optional)"),
        validators=[Optional(), Length(max=NOTE_MAX)],
    )
    submit = SubmitField(_l("Approve and publish"))


class RejectForm(FlaskForm):
    """Reject a campaign with a reason; the note goes to the organizer."""

    reason = SelectField(
        _l("Reason"), validators=[InputRequired()], choices=_choices(REJECTION_LABELS)
    )
    note = TextAreaField(
        _l("Note to the organizer (optional)"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        description=_l("Sent to the organizer with the reason."),
    )
    submit = SubmitField(_l("Reject"))


class HideForm(FlaskForm):
    """Hide a published campaign pending review."""

    note = TextAreaField(
        _l("Why hide it"),
        validators=[DataRequired(), Length(max=HIDDEN_NOTE_MAX)],
        description=_l("Seen by staff only."),
    )
    submit = SubmitField(_l("Hide pending review"))


class ResolveForm(FlaskForm):
    """Dismiss a campaign's reports or hide the campaign."""

    resolution = SelectField(
        _l("Decision"),
        validators=[InputRequired()],
        choices=[
            SelectChoice(ReportResolution.DISMISSED.value, _l("Dismiss the reports")),
            SelectChoice(ReportResolution.HIDDEN.value, _l("Hide the campaign pending review")),
        ],
    )
    note = TextAreaField(
        _l("Note for staff if you hide it (optional)"),
        validators=[Optional(), Length(max=HIDDEN_NOTE_MAX)],
    )
    submit = SubmitField(_l("Decide"))


class ReportForm(FlaskForm):
    """Anyone's report that a campaign breaks the rules."""

    reason = SelectField(
        _l("What is wrong with this campaign?"),
        validators=[InputRequired()],
        choices=_choices(REPORT_LABELS),
    )
    details = TextAreaField(
        _l("Details (optional)"),
        validators=[Optional(), Length(max=DETAILS_MAX)],
        description=_l("Up to 1,000 characters. Do not include anyone's private details."),
    )
    submit = SubmitField(_l("Send report"))
