"""Markdown is rendered, then sanitised: no scripts, styles, images or raw HTML survive."""

from html.parser import HTMLParser

import pytest

from campaigns.core.markdown import render_markdown


def test_formatting_survives():
    """Paragraphs, emphasis, lists and headings render."""
    html = render_markdown("## Ask\n\nWe **demand**:\n\n- one\n- two")
    assert "<h2>Ask</h2>" in html and "<strong>demand</strong>" in html and "<li>one</li>" in html


def test_links_get_safe_rel():
    """Links keep their address and are marked nofollow, noopener and ugc."""
    html = render_markdown("[the law](https://example.org/law)")
    assert 'href="https://example.org/law"' in html
    assert 'rel="nofollow noopener ugc"' in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src="https://tracker.example/x.png" onerror="alert(1)">',
        "![pixel](https://tracker.example/x.png)",
        '<style>body{display:none}</style><p style="color:red">x</p>',
        "[click](javascript:alert(1))",
    ],
)
def test_dangerous_input_is_neutralised(payload):
    """Nothing executable or remotely loaded comes out as markup (escaped text is fine)."""
    parser = Elements()
    parser.feed(render_markdown(payload))
    assert not parser.tags & {"script", "img", "style", "iframe"}, parser.tags
    for name, value in parser.attributes:
        assert name not in {"style", "onerror", "src"}, name
        assert not (value or "").lower().startswith("javascript:"), value


class Elements(HTMLParser):
    """Collects the tags and attributes actually present in HTML."""

    def __init__(self):
        """Start empty."""
        super().__init__()
        self.tags, self.attributes = set(), []

    def handle_starttag(self, tag, attrs):
        """Record one element."""
        self.tags.add(tag)
        self.attributes.extend(attrs)
