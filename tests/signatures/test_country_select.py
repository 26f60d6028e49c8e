"""The sign form's country list comes from a per-language cache, identical to WTForms' own."""

import pytest
from flask_babel import force_locale
from wtforms.widgets import Select

from campaigns.signatures.forms import SignForm, sign_form


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("country", ["FR", "GB", None])
def test_the_cached_list_renders_exactly_as_wtforms_would(app, locale, country):
    """Same HTML as WTForms' Select, whatever the language and the chosen country."""
    attrs = {"aria-invalid": "true", "aria-describedby": "country-error"}
    with app.test_request_context(), force_locale(locale):
        form = sign_form(SignForm, country)
        cached = [form.country(**kwargs) for kwargs in ({}, attrs)]
        form.country.widget = Select()
        assert cached == [form.country(**kwargs) for kwargs in ({}, attrs)]


def test_each_language_has_its_own_list_and_one_choice_is_selected(app):
    """French names in French, one option selected, and the choice escaped like any value."""
    with app.test_request_context():
        with force_locale("fr"):
            html = sign_form(SignForm, "DE").country()
            assert "Allemagne" in html and html.count("selected") == 1
            assert '<option selected value="DE">' in html
        with force_locale("en"):
            html = sign_form(SignForm, '"><script>').country()
            assert "Germany" in html and "selected" not in html and "<script>" not in html
