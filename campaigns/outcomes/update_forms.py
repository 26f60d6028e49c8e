"""Forms for writing and editing campaign updates. They check shape; the rules live in services."""

from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from campaigns.outcomes.updates import BODY_MAX, KIND_LABELS, ORGANIZER_KINDS, TITLE_MAX


class EditUpdateForm(FlaskForm):
    """An update's title, kind and Markdown body."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    kind = SelectField(_l("Kind of update"))
    body = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(), Length(max=BODY_MAX)],
        description=_l(
            "Markdown: **bold**, *italic*, lists, headings (##) and links. No images or HTML."
        ),
        render_kw={"rows": 12},
    )
    submit = SubmitField(_l("Save the update"))

    def set_kinds(self, current=None) -> None:
        """Offer the kinds organizers may choose, plus the update's own if it is another."""
        kinds = list(ORGANIZER_KINDS)
        if current is not None and current not in kinds:
            kinds.append(current)
        self.kind.choices = [SelectChoice(k.value, str(KIND_LABELS[k.value])) for k in kinds]

    def fill(self, update) -> None:
        """Start from what the update says now."""
        self.title.data, self.body.data, self.kind.data = (
            update.title,
            update.body,
            update.kind.value,
        )


class UpdateForm(EditUpdateForm):
    """A new update, which may also be emailed to signers who agreed to hear more."""

    email_signers = BooleanField(_l("Also email this update to signers"))
    submit = SubmitField(_l("Post the update"))

    def set_email_allowance(self, left: int, limit: int, next_at) -> None:
        """Say on the checkbox how many emails are left this week and who receives them."""
        if left > 0:
            self.email_signers.label.text = ngettext(
                "Also email this update to signers who agreed to receive updates "
                "(%(num)d email left this week, of %(limit)d)",
                "Also email this update to signers who agreed to receive updates "
                "(%(num)d emails left this week, of %(limit)d)",
                left,
                limit=limit,
            )
        elif next_at is None:
            self.email_signers.label.text = _("Emailing signers is turned off on this site")
            self.email_signers.render_kw = {"disabled": True}
        else:
            self.email_signers.label.text = _(
                "No emails to signers left this week; the next one can go out on %(when)s",
                when=format_datetime(next_at, "medium"),
            )
            self.email_signers.render_kw = {"disabled": True}
