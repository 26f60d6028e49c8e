"""Webhook URLs stored normalized and sent as stored; refusals never name a resolved address."""

import logging
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import WebhookEndpoint
from campaigns.webhooks import targets
from campaigns.webhooks.targets import TargetRefused, check_registration, parse_target
from tests.conftest import login
from tests.webhooks.conftest import add_endpoint, deliver, deliveries
from tests.webhooks.test_delivery import queue_event

INTERNAL_IP = "10.2.3.4"


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("https://example.com/é?x=ü", "https://example.com/%C3%A9?x=%C3%BC"),
        ("https://Bücher.Example/über", "https://xn--bcher-kva.example/%C3%BCber"),
        ("HTTPS://Example.COM:443/h", "https://example.com/h"),
        ("https://example.com:8443", "https://example.com:8443/"),
        # Existing escapes are kept; a lone % is escaped itself.
        (
            "https://example.com/a%20b/%zz/100%?q=a%2Fb",
            "https://example.com/a%20b/%25zz/100%25?q=a%2Fb",
        ),
        # Reserved characters keep their meaning, so they are left alone.
        ("https://example.com/p;v=1,w@z:!$&'()*+/?a=b&c=[1];e", None),
        ('https://example.com/"<>`{|}^\\', "https://example.com/%22%3C%3E%60%7B%7C%7D%5E%5C"),
        ("https://example.com/h?x=1#part", "https://example.com/h?x=1"),  # fragment dropped
        ("https://[2606:2800:220:1::1]:8443/ö", "https://[2606:2800:220:1::1]:8443/%C3%B6"),
    ],
)
def test_urls_are_normalized_to_ascii_once_and_for_all(url, normalized):
    """IDNA host, percent-encoded path and query, and normalizing twice changes nothing."""
    normalized = normalized or url
    assert parse_target(url, allow_private=False).url == normalized
    assert parse_target(normalized, allow_private=False).url == normalized
    assert normalized.isascii()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a b",
        "https://example.com/a\tb",
        "https://example.com/a\x00b",
        "https://example.com/a\x7fb",
        "https://example.com/a\x85b",
        "https://example.com/a\u200bb",  # zero-width space
        "https://example.com/\u202egnp.exe",  # right-to-left override
        "https://exa\u202emple.com/",
        "https://example.com/\ud800",  # a lone surrogate cannot be UTF-8
        "https://" + "é" * 70 + ".com/",  # an IDNA label over 63 characters
        "https://ex\ufffdample.com/",  # prohibited in a host name by IDNA
        "https://example.com/" + "é" * 700,  # too long once encoded
    ],
)
def test_urls_that_cannot_be_sent_are_refused(url):
    """Spaces, control and invisible characters, hosts IDNA refuses, oversized: refused."""
    with pytest.raises(TargetRefused, match="not a web address"):
        parse_target(url, allow_private=False)


def test_registration_stores_the_normalized_url(app, client, make_user, make_campaign, monkeypatch):
    """The form stores the ASCII form, and a spelling with escapes is the same address."""
    monkeypatch.setattr(targets, "resolve", lambda host, port: ["93.184.216.34"])
    owner = make_user()
    slug = make_campaign(owner=owner)
    login(client, owner.email)
    data = {"url": "https://Bücher.example/é?x=ü#top", "events": ["campaign.closed"]}
    assert client.post(f"/campaigns/{slug}/webhooks", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(WebhookEndpoint.url)) == (
            "https://xn--bcher-kva.example/%C3%A9?x=%C3%BC"
        )
    again = {**data, "url": "https://xn--bcher-kva.example/%C3%A9?x=%C3%BC"}
    assert client.post(f"/campaigns/{slug}/webhooks", data=again).status_code == 409


def test_a_non_ascii_url_is_delivered_to_exactly_the_stored_path(
    private_app, make_campaign, receiver
):
    """Regression: a path with é used to fail every send with UnicodeEncodeError."""
    slug = make_campaign()
    stored = check_registration(receiver.url + "/café?q=ü&r=%2F", allow_private=True)
    add_endpoint(private_app, slug, stored)
    queue_event(private_app, slug)
    assert deliver(private_app) == {"delivered": 1, "retrying": 0, "failed": 0}
    parts = urlsplit(stored)
    assert receiver.requests[0]["path"] == f"{parts.path}?{parts.query}"
    assert receiver.requests[0]["path"] == "/hooks/caf%C3%A9?q=%C3%BC&r=%2F"


def test_a_row_stored_before_normalization_is_still_sent(private_app, make_campaign, receiver):
    """An endpoint saved raw (before this fix) is normalized at send time too."""
    slug = make_campaign()
    add_endpoint(private_app, slug, receiver.url + "/é")
    queue_event(private_app, slug)
    assert deliver(private_app)["delivered"] == 1
    assert receiver.requests[0]["path"] == "/hooks/%C3%A9"


@pytest.fixture
def internal_dns(monkeypatch):
    """internal.example.com resolves to a private address only our resolver knows."""
    monkeypatch.setattr(targets, "resolve", lambda host, port: [INTERNAL_IP])


def test_a_refusal_names_the_host_but_not_what_it_resolved_to(internal_dns, caplog):
    """The organizer learns only "non-public"; the server log keeps the address."""
    caplog.set_level(logging.INFO, logger="campaigns.webhooks")
    with pytest.raises(TargetRefused) as refused:
        check_registration("https://internal.example.com/h", allow_private=False)
    message = str(refused.value)
    assert message.startswith("internal.example.com resolves to a non-public address")
    assert INTERNAL_IP not in message and "private" not in message.replace("non-public", "")
    assert any(INTERNAL_IP in r.getMessage() and r.levelno >= logging.INFO for r in caplog.records)


def test_an_address_the_organizer_typed_is_shown_back():
    """A literal IP is theirs to see: 'is a non-public address', without the kind."""
    with pytest.raises(TargetRefused, match=r"^10\.2\.3\.4 is a non-public address"):
        check_registration(f"https://{INTERNAL_IP}/h", allow_private=False)


def test_the_form_does_not_show_the_resolved_address(
    client, make_user, make_campaign, internal_dns
):
    """Regression: the registration page said '10.2.3.4 is a private address'."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    login(client, owner.email)
    data = {"url": "https://internal.example.com/h", "events": ["campaign.closed"]}
    response = client.post(f"/campaigns/{slug}/webhooks", data=data)
    assert 400 <= response.status_code < 500
    assert "resolves to a non-public address" in response.text
    assert INTERNAL_IP not in response.text


def test_the_delivery_log_does_not_show_the_resolved_address(
    app, make_campaign, internal_dns, caplog
):
    """Regression: last_error showed the private address DNS answered at send time."""
    caplog.set_level(logging.INFO, logger="campaigns.webhooks")
    slug = make_campaign()
    add_endpoint(app, slug, "https://internal.example.com/hook")
    queue_event(app, slug)
    assert deliver(app)["retrying"] == 1
    [row] = deliveries(app)
    assert "internal.example.com resolves to a non-public address" in row.last_error
    assert INTERNAL_IP not in row.last_error
    assert any(INTERNAL_IP in r.getMessage() for r in caplog.records)


def test_a_failed_connection_does_not_show_the_resolved_address(
    private_app, make_campaign, monkeypatch
):
    """urllib3 names the IP it connected to; the log shows the host typed instead."""
    monkeypatch.setattr(targets, "resolve", lambda host, port: ["127.0.0.1"])
    slug = make_campaign()
    add_endpoint(private_app, slug, "http://closed.example.test:9/hook")
    queue_event(private_app, slug)
    assert deliver(private_app)["retrying"] == 1
    [row] = deliveries(private_app)
    assert "could not connect to closed.example.test:9" in row.last_error
    assert "refused" in row.last_error.lower() and "127.0.0.1" not in row.last_error
