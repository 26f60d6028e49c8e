"""Atom feeds: text made safe for XML, which refuses some characters even when escaped."""

import re

from markupsafe import Markup

ATOM = "application/atom+xml; charset=utf-8"
# Characters XML 1.0 cannot hold even escaped (most C0 controls, lone surrogates, U+FFFE/F).
# One of them in a title or summary would make the whole feed unreadable for everyone.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value) -> Markup:
    """Text escaped for an XML document (Markup is already), without characters XML refuses."""
    text = value.unescape() if isinstance(value, Markup) else str(value or "")
    return Markup.escape(_NOT_XML.sub("", text))


def xml_html(value) -> Markup:
    """HTML source escaped as text, for Atom's type="html" content."""
    return Markup.escape(_NOT_XML.sub("", str(value or "")))


def feed_helpers() -> dict:
    """What feed templates use to write user text: x (text) and x_html (HTML as text)."""
    return {"x": xml_text, "x_html": xml_html}
