"""A country written on a paper form: a two-letter code or a name, in any site language."""

import functools
import unicodedata

from babel import Locale
from flask import current_app

from campaigns.petitions.countries import country_codes

# Names people write that CLDR spells differently (or not at all), folded.
EXTRA_NAMES = {
    "uk": "GB", "u k": "GB", "great britain": "GB", "britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "usa": "US", "united states of america": "US", "america": "US",
    "holland": "NL", "the netherlands": "NL", "czech republic": "CZ", "turkey": "TR",
    "ivory coast": "CI", "burma": "MM", "swaziland": "SZ", "macedonia": "MK",
    "russian federation": "RU", "republic of korea": "KR", "viet nam": "VN",
}  # fmt: skip
# Paper forms are filled in by hand in many languages, not only the site's: names in these
# are recognised too. English is applied last, so it wins the rare name two languages share.
WRITTEN_IN = ("de", "es", "fr", "it", "nl", "pt")
LATIN_END = "\u0250"  # Basic Latin through Latin Extended-B


def fold(text: str) -> str:
    """Compare names loosely: accents on Latin letters, case, punctuation and spacing ignored.

    "España" folds to "espana"; a name in Devanagari or Cyrillic keeps its letters and marks
    (a Devanagari vowel sign is a combining mark, and dropping it would change the name).
    """
    kept: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch) and kept and kept[-1] < LATIN_END:
            continue
        kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept)).casefold().replace("&", " and ")
    # Punctuation and symbols go (the dots of "U.K."); letters and marks of any script stay.
    return " ".join("".join(ch for ch in text if unicodedata.category(ch)[0] not in "PS").split())


@functools.cache
def _index(languages: tuple[str, ...]) -> dict[str, str]:
    """Folded names (site languages and WRITTEN_IN, English winning ties) and codes, to codes."""
    codes = country_codes()
    index: dict[str, str] = {}
    for tag in (*languages, *WRITTEN_IN, "en"):
        for code, name in Locale.parse(tag).territories.items():
            if code in codes and fold(name):
                index[fold(name)] = code
    index.update(EXTRA_NAMES)
    index.update({code.casefold(): code for code in codes})
    return index


def country_code(value: str) -> str | None:
    """The two-letter code for "GB", "gb", "United Kingdom", "Royaume-Uni"...; None if unknown."""
    languages = tuple(sorted(current_app.config["LANGUAGES"]))
    folded = fold(value)
    return _index(languages).get(folded) if folded else None
