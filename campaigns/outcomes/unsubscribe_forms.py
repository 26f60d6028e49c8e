"""The unsubscribe page's form: two buttons, one per scope."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField
from wtforms.validators import InputRequired

from campaigns.outcomes.unsubscribe import Scope


class UnsubscribeForm(FlaskForm):
    """Which updates to stop; each button posts its own `scope`."""

    scope = SelectField(
        _l("Stop"),
        choices=[
            SelectChoice(Scope.CAMPAIGN.value, _l("this campaign")),
            SelectChoice(Scope.ALL.value, _l("all campaigns")),
        ],
        validators=[InputRequired()],
    )
