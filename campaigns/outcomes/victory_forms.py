"""Victory and response forms. They check shape; the rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from campaigns.outcomes.responses import TEXT_MAX
from campaigns.outcomes.victories import REASON_MAX, SUMMARY_MAX, URL_MAX

# Typed as text (styled like the other inputs); the service checks it is an http(s) link.
URL_INPUT = {"inputmode": "url", "autocomplete": "url", "spellcheck": "false"}


class VictoryForm(FlaskForm):
    """What the decision maker did, and a link that shows it."""

    summary = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(), Length(max=SUMMARY_MAX)],
        description=_l(
            "Say what the decision maker did, in a few sentences. "
            "It is shown on the campaign page and on the victories page."
        ),
    )
    evidence_url = StringField(
        _l("Link to the evidence"),
        validators=[DataRequired(), Length(max=URL_MAX)],
        description=_l("A public page that shows it: an announcement, a news article, a decision."),
        render_kw=URL_INPUT,
    )
    submit = SubmitField(_l("Declare victory"))


class DeclineForm(FlaskForm):
    """An admin declines a claim, saying why; the organizers read it."""

    reason = TextAreaField(
        _l("Why is it declined?"),
        validators=[DataRequired(), Length(max=REASON_MAX)],
        description=_l("Sent to the organizers and shown to them on the campaign page."),
    )
    submit = SubmitField(_l("Decline"))


class RevokeForm(FlaskForm):
    """An admin revokes a confirmed victory, saying why."""

    reason = TextAreaField(
        _l("Why is the victory revoked?"),
        validators=[DataRequired(), Length(max=REASON_MAX)],
        description=_l("Kept in the audit log and shown to the organizers."),
    )
    submit = SubmitField(_l("Revoke the victory"))


class ResponseForm(FlaskForm):
    """A decision maker's response: when, and what they said or a link to it."""

    # Optional here so "Remove" works with an empty form; saving without a date is refused.
    responded_at = DateField(_l("Date of the response"), validators=[Optional()])
    response = TextAreaField(
        _l("What they said"),
        validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("Quote or summarize the response. Give this, a link, or both."),
    )
    response_url = StringField(
        _l("Link to the response (optional)"),
        validators=[Optional(), Length(max=URL_MAX)],
        description=_l("A letter, a statement or an article, starting with https://."),
        render_kw=URL_INPUT,
    )
    submit = SubmitField(_l("Save the response"))
    clear = SubmitField(_l("Remove the recorded response"))
