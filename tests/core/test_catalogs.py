"""Every marked string is translated into every offered language, placeholders and markup kept."""

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from campaigns.config import Defaults

TRANSLATIONS = Path(__file__).resolve().parents[2] / "campaigns/translations"
SOURCE = Defaults.BABEL_DEFAULT_LOCALE
TRANSLATED = sorted(code for code in Defaults.LANGUAGES if code != SOURCE)
# What a translation must carry over exactly, compared as multisets.
TOKENS = {
    "placeholder": re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%%"),
    "brace field": re.compile(r"\{[A-Za-z_]?[\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}"),
    "HTML tag": re.compile(r"</?[A-Za-z][^<>]*>"),
    "HTML entity": re.compile(r"&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);"),
    "Markdown": re.compile(r"\*\*|##+|`"),
}


def read_catalog(path: Path, locale: str | None):
    """A catalog (or the template, locale None) read with Babel."""
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def catalog_of(locale: str):
    """One language's catalog."""
    return read_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)


def edges(text: str) -> tuple[str, str, int]:
    """Leading and trailing whitespace, and the number of line breaks."""
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :], text.count("\n")


def problems_of(message) -> list[str]:
    """What is wrong with one message's translation."""
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    if message.fuzzy or not all(strings):
        return ["fuzzy or untranslated"]
    problems = []
    for string in strings:
        for kind, pattern in TOKENS.items():
            # Every plural form carries every token of the msgid and msgid_plural.
            wanted = Counter(pattern.findall(ids[-1])) | Counter(pattern.findall(ids[0]))
            if Counter(pattern.findall(string)) != wanted:
                problems.append(f"{kind}s differ in {string!r}")
        if edges(string) != edges(ids[-1]):
            problems.append(f"whitespace at the edges differs in {string!r}")
    return problems


def test_every_offered_language_has_a_catalog():
    """LANGUAGES and the catalogs on disk name the same languages."""
    on_disk = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    assert on_disk == sorted(Defaults.LANGUAGES)
    assert {"fr", "es", "hi"} <= set(TRANSLATED)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_catalog_is_complete_and_keeps_placeholders(locale):
    """No message missing or fuzzy; placeholders, tags, entities, Markdown and edges kept."""
    catalog = catalog_of(locale)
    assert not catalog.fuzzy, "a fuzzy header makes pybabel compile skip the catalog"
    problems = []
    for message in catalog:
        if message.id:
            problems += [f"{message.id!r}: {p}" for p in problems_of(message)]
            problems += [f"{message.id!r}: {e}" for e in message.check(catalog)]
    assert problems == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_catalog_holds_every_extracted_message(locale):
    """Each catalog has every msgid of messages.pot (`make messages` keeps them in step)."""
    template = read_catalog(TRANSLATIONS / "messages.pot", None)
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog_of(locale) if m.id}
    assert sorted(wanted - have) == []


@pytest.mark.parametrize(("locale", "plural_forms"), [("es", 2), ("hi", 2), ("fr", 2)])
def test_plural_forms_are_declared(locale, plural_forms):
    """Plural messages have as many forms as the language's Plural-Forms header says."""
    catalog = catalog_of(locale)
    assert catalog.num_plurals == plural_forms
    plurals = [m for m in catalog if m.id and m.pluralizable]
    assert plurals and all(len(m.string) == plural_forms for m in plurals)


def test_the_checker_catches_a_lost_placeholder():
    """The placeholder check fails on a dropped or renamed placeholder and on a lost tag."""
    from babel.messages.catalog import Message

    assert problems_of(Message("Use %(n)d chars.", "Utilisez %(m)d caractères."))
    assert problems_of(Message("<b>Hi</b> %(name)s", "Hola %(name)s"))
    assert problems_of(Message("Hello ", "Hola"))
    assert not problems_of(Message("<b>Hi</b> %(name)s", "<b>Hola</b> %(name)s"))
