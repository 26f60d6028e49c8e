"""Country names in the reader's language, from the CLDR data Babel ships."""

import functools

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

# Territory codes in CLDR that are not countries someone lives in.
_NOT_COUNTRIES = {"AQ", "EU", "EZ", "QO", "UN", "ZZ", "XA", "XB", "XK"}
GLOBAL = "global"


@functools.cache
def _names(locale_tag: str) -> dict[str, str]:
    """Two-letter territory codes and their names in one locale (CLDR data never changes)."""
    return {
        code: name
        for code, name in Locale.parse(locale_tag).territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def _territories(locale) -> dict[str, str]:
    """Territory names in the given Babel locale."""
    return _names(str(locale or "en"))


@functools.cache
def country_codes() -> frozenset[str]:
    """Every code a campaign or signature may use."""
    return frozenset(_names("en"))


@functools.cache
def _sorted_choices(locale_tag: str) -> tuple[SelectChoice, ...]:
    """Countries sorted by name in one locale, built once per locale."""
    names = _names(locale_tag)
    return tuple(
        SelectChoice(code, name)
        for code, name in sorted(names.items(), key=lambda item: item[1].casefold())
    )


def country_name(code: str | None) -> str:
    """The country's name in the current language; global campaigns say so."""
    if not code:
        return str(_l("Global"))
    return _territories(get_locale()).get(code, code)


def country_choices(include_global: bool = True) -> list[SelectChoice]:
    """Countries sorted by name in the current language, global first if offered."""
    choices = list(_sorted_choices(str(get_locale() or "en")))
    if include_global:
        choices.insert(0, SelectChoice(GLOBAL, str(_l("Global (no single country)"))))
    return choices
