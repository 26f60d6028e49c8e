"""The form for adding a webhook endpoint. It checks shape; the rules live in services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from campaigns.models import WebhookEvent
from campaigns.webhooks.services import EVENT_LABELS
from campaigns.webhooks.targets import URL_MAX


class EndpointForm(FlaskForm):
    """An HTTPS address and the events to send to it."""

    url = StringField(
        _l("Receiver address"),
        validators=[DataRequired(), Length(max=URL_MAX)],
        description=_l(
            "An https:// address on the public internet, such as https://example.org/hooks."
        ),
        render_kw={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"},
    )
    events = SelectMultipleField(
        _l("Events to send"),
        choices=[SelectChoice(event.value, EVENT_LABELS[event]) for event in WebhookEvent],
        validate_choice=False,  # the service says which choice is wrong, in words
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField(_l("Add the endpoint"))
