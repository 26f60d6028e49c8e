"""Every marked string has a French translation."""

from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[2] / "campaigns/translations/fr/LC_MESSAGES/messages.po"


def test_french_catalog_is_complete():
    """No French message is missing or fuzzy; placeholders are kept."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for placeholder in ("%(n)d", "%(name)s", "%(email)s", "%(role)s", "%(total)d"):
            if placeholder in ids[0] and not all(placeholder in s for s in strings):
                problems.append(f"{message.id}: {placeholder}")
    assert problems == []
