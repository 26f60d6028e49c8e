"""Signing forms. They check shape only; the signing rules live in signatures.services."""

import functools

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    Choice,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import Select, html_params

from campaigns.models import Visibility
from campaigns.petitions.countries import country_choices
from campaigns.signatures.services import NAME_MAX, POSTCODE_MAX, REASON_MAX

VISIBILITY_CHOICES = [
    SelectChoice(Visibility.COUNT_ONLY.value, _l("Count me, show nothing")),
    SelectChoice(Visibility.INITIALS.value, _l("Show my initials")),
    SelectChoice(Visibility.FULL_NAME.value, _l("Show my full name")),
]
# What each choice means for the signer, shown under it.
VISIBILITY_HINTS = {
    Visibility.COUNT_ONLY.value: _l(
        "You are added to the count. The list of signers shows “A supporter” and your country."
    ),
    Visibility.INITIALS.value: _l(
        "The list of signers shows your initials, such as “A. L.”, and your country."
    ),
    Visibility.FULL_NAME.value: _l("The list of signers shows your name and your country."),
}


class CountrySelect(Select):
    """The country list, its 250 options rendered once per language and process.

    Rendering them one by one was 40% of the campaign page's CPU, the page a viral
    campaign serves most. Only the chosen country differs between requests.
    """

    def __call__(self, field, **kwargs) -> Markup:
        """The same HTML as WTForms' Select, from the cached options."""
        kwargs.setdefault("id", field.id)
        if "required" not in kwargs and getattr(field.flags, "required", False):
            kwargs["required"] = True
        options = _country_options(str(get_locale() or "en"))
        if field.data:
            plain = Markup('<option value="{}">').format(field.data)
            chosen = Markup('<option selected value="{}">').format(field.data)
            options = options.replace(plain, chosen, 1)
        # html_params escapes every name and value it writes, as in WTForms' own Select.
        attributes = Markup(html_params(name=field.name, **kwargs))  # noqa: S704
        return Markup("<select {}>{}</select>").format(attributes, options)


@functools.lru_cache(maxsize=32)
def _country_options(locale: str) -> Markup:
    """Every country option, none selected, in the language of the request that asks first."""
    return Markup("").join(
        Select.render_option(Choice(choice.value, choice.label, False, choice.render_kw or {}))
        for choice in _country_choices()
    )


class SignDetailsForm(FlaskForm):
    """What guests and members both give: country, reason, how to show them, consent."""

    country = SelectField(
        _l("Country"),
        validators=[DataRequired(message=_l("Choose your country from the list."))],
        render_kw={"autocomplete": "country-name"},
        widget=CountrySelect(),
        # The signing service checks the code against the country list; walking the
        # 250 choices here as well would cost every signature for nothing.
        validate_choice=False,
    )
    reason = TextAreaField(
        _l("Why are you signing? (optional)"),
        validators=[
            Optional(),
            Length(max=REASON_MAX, message=_l("Your reason can be at most %(max)d characters.")),
        ],
        description=_l(
            "Up to %(n)s characters. Shown with your signature, as you choose below.", n=REASON_MAX
        ),
        render_kw={"maxlength": REASON_MAX, "rows": 3},
    )
    visibility = RadioField(
        _l("How to show my signature"),
        choices=VISIBILITY_CHOICES,
        default=Visibility.COUNT_ONLY.value,
        validators=[DataRequired(message=_l("Choose how your name is shown."))],
    )
    consent_updates = BooleanField(_l("Email me updates about this campaign"))
    submit = SubmitField(_l("Sign"))


class SignForm(SignDetailsForm):
    """A guest signs with name and email; the honeypot catches bots that fill every field."""

    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(message=_l("Enter your name.")),
            Length(max=NAME_MAX, message=_l("Your name can be at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "name", "maxlength": NAME_MAX},
    )
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(message=_l("Enter your email address.")), Length(max=254)],
        description=_l("We send you a link to confirm. Your address is never shown to anyone."),
        render_kw={"autocomplete": "email"},
    )
    postcode = StringField(
        _l("Postcode (optional)"),
        validators=[
            Optional(),
            Length(max=POSTCODE_MAX, message=_l("A postcode has at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "postal-code", "maxlength": POSTCODE_MAX},
    )
    # People never see this field, so anything typed in it came from a bot.
    website = StringField(
        _l("Leave this empty"), render_kw={"tabindex": "-1", "autocomplete": "off"}
    )


def guest_fields(formdata) -> dict | None:
    """A guest's signing fields read straight from the POST; None when the honeypot is filled.

    The happy path of a viral campaign skips the WTForms form: building and validating it
    cost about a quarter of a sign request, and services.sign checks every rule anyway.
    The form is built only to show errors (views.sign).
    """
    if formdata.get("website"):
        return None
    fields = ("name", "email", "country", "postcode", "reason")
    return {
        **{name: formdata.get(name, "") for name in fields},
        # As the radio buttons' default: count only, unless another choice was sent.
        "visibility": formdata.get("visibility", Visibility.COUNT_ONLY.value),
        # As BooleanField reads a checkbox: absent, empty or "false" is unticked.
        "consent_updates": formdata.get("consent_updates", "") not in BooleanField.false_values,
    }


class ResendForm(FlaskForm):
    """Ask for the confirmation email again."""

    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(message=_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField(_l("Send the confirmation again"))


def _country_choices() -> list[SelectChoice]:
    """The country list with its prompt, made only when the form is shown."""
    return [SelectChoice("", _l("Choose your country")), *country_choices(False)]


def sign_form(form_class: type[SignDetailsForm], country: str | None) -> SignDetailsForm:
    """A signing form with countries in the reader's language, the campaign's preselected."""
    form = form_class()
    form.country.choices = _country_choices
    if not form.is_submitted() and country:
        form.country.data = country
    return form
