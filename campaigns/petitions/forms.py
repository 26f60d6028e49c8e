"""Campaign editing forms, one per step. They check shape; the rules live in services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from campaigns.auth.forms import EmailAddress
from campaigns.petitions.countries import country_choices

MAX_GOAL = 100_000_000


class StepForm(FlaskForm):
    """Every step saves the draft; one button also moves on to the next step."""

    save = SubmitField(_l("Save draft"))
    next = SubmitField(_l("Save and continue"))


class BasicsForm(StepForm):
    """Step 1: what the campaign is called, its category and where it applies."""

    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(min=5, max=120)],
        description=_l("Name the decision maker and what they should do, in 120 characters."),
    )
    category = SelectField(_l("Category"), coerce=int, validate_choice=False)
    country = SelectField(_l("Country"), validate_choice=False)
    discreet_email = BooleanField(
        _l("Discreet email"),
        description=_l(
            "For signers who share an inbox or a computer: emails to signers leave the "
            "campaign's title out of the subject and the sender's name. The email itself "
            "still names it. You can change this at any time."
        ),
    )

    def set_choices(self, categories) -> None:
        """Offer the active categories and every country (or global)."""
        self.category.choices = [SelectChoice(c.id, c.name) for c in categories]
        self.country.choices = country_choices()


class MakerForm(Form):
    """One decision maker (a sub-form without its own CSRF token)."""

    name = StringField(_l("Name"), validators=[Length(max=160)])
    title = StringField(_l("Title or role"), validators=[Length(max=160)])
    organization = StringField(_l("Organization"), validators=[Length(max=160)])


class MakersForm(StepForm):
    """Step 2: who can make this happen. Blank rows are ignored."""

    makers = FieldList(FormField(MakerForm), min_entries=1, max_entries=10)
    add = SubmitField(_l("Add another decision maker"))


class StoryForm(StepForm):
    """Step 3: summary, the story in Markdown, and an optional cover image."""

    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("One or two sentences shown in lists and when the page is shared."),
    )
    body = TextAreaField(
        _l("Why this matters"),
        validators=[DataRequired(), Length(max=20_000)],
        description=_l(
            "Markdown: **bold**, *italic*, lists, headings (##) and links. No images or HTML."
        ),
    )
    cover = FileField(
        _l("Cover image (optional)"),
        description=_l("JPEG, PNG or WebP. It is resized and its metadata removed."),
    )
    cover_alt = StringField(
        _l("Describe the cover image"),
        validators=[Length(max=200)],
        description=_l("For people who cannot see it. Leave empty if it is decorative."),
    )
    remove_cover = BooleanField(_l("Remove the cover image"))


class MilestoneForm(Form):
    """A milestone: a signature count and what reaching it means."""

    threshold = IntegerField(
        _l("Signatures"), validators=[Optional(), NumberRange(min=1, max=MAX_GOAL)]
    )
    label = StringField(_l("Label"), validators=[Length(max=160)])


class GoalForm(StepForm):
    """Step 4: the victory threshold, milestones on the way, and an optional deadline."""

    goal = IntegerField(
        _l("Goal (signatures)"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_GOAL)],
        description=_l("How many signatures you aim for. You can raise it later."),
    )
    milestones = FieldList(FormField(MilestoneForm), min_entries=3, max_entries=10)
    add = SubmitField(_l("Add another milestone"))
    deadline = DateField(
        _l("Deadline (optional)"),
        validators=[Optional()],
        description=_l("The campaign closes at the end of this day (UTC), at most a year out."),
    )


class InviteForm(FlaskForm):
    """The owner invites a co-organizer by email address."""

    email = EmailField(
        _l("Email address of the person to invite"),
        validators=[DataRequired(), Length(max=254), EmailAddress()],
    )
    submit = SubmitField(_l("Send invitation"))
