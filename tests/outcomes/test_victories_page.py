"""/victories, its Atom feed, the home page count and the victory banner."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from campaigns.models import CampaignStatus, utcnow

ATOM = "{http://www.w3.org/2005/Atom}"
NOW = utcnow()


def won(make_campaign, title, days_ago, **fields):
    """A confirmed victory, days_ago days old."""
    values = {
        "status": CampaignStatus.VICTORY,
        "victory_confirmed_at": NOW - timedelta(days=days_ago),
        "victory_summary": f"{title} won.",
        "victory_evidence_url": f"https://news.example.org/{days_ago}",
        **fields,
    }
    return make_campaign(title=title, **values)


@pytest.fixture
def victories(make_campaign):
    """Three public victories, plus campaigns /victories must leave out."""
    slugs = {
        "USC": won(make_campaign, "USC refuses the pledge", 1, signature_count=620,
                   victory_signature_count=598,
                   decision_makers=[("Elizabeth M. Daley", "Dean", "USC")]),
        "Academy": won(make_campaign, "Academy expels him", 5, signature_count=140000,
                       victory_signature_count=140000),
        "Bill": won(make_campaign, "Survivors' Bill of Rights", 30),
    }  # fmt: skip
    won(make_campaign, "Hidden victory", 0, hidden_at=NOW)
    make_campaign(title="Closed campaign", status=CampaignStatus.CLOSED)
    make_campaign(title="Open campaign", status=CampaignStatus.OPEN)
    make_campaign(title="Draft campaign", status=CampaignStatus.DRAFT)
    return slugs


def test_victories_newest_first_with_what_happened(client, victories):
    """Newest confirmation first: title and link, decision makers, count at victory, date."""
    page = client.get("/victories")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    titles = re.findall(r'<h3 lang="en"><a href="/campaigns/[^"]+">([^<]+)</a>', html)
    assert titles == [
        "USC refuses the pledge",
        "Academy expels him",
        "Survivors&#39; Bill of Rights",
    ]
    assert "3 victories" in html
    usc = html.split("USC refuses the pledge</a>")[1].split("</li>")[0]
    assert "Elizabeth M. Daley (USC)" in usc and "USC refuses the pledge won." in usc
    assert "<strong>598</strong>" in usc and "<strong>620</strong>" not in usc
    assert (NOW - timedelta(days=1)).date().isoformat() in usc
    assert 'href="https://news.example.org/1"' in usc
    assert f'href="/campaigns/{victories["USC"]}"' in html
    for absent in ("Hidden victory", "Closed campaign", "Open campaign", "Draft campaign"):
        assert absent not in html
    assert 'type="application/atom+xml"' in html


def test_victories_paginate(client, make_campaign):
    """Twenty a page; a page past the end or a bad number never errors."""
    for n in range(23):
        won(make_campaign, f"Victory number {n}", n)
    first = client.get("/victories").get_data(as_text=True)
    assert "Victory number 0<" in first and "Victory number 19<" in first
    assert "Victory number 20<" not in first and "Page 1 of 2" in first
    second = client.get("/victories?page=2").get_data(as_text=True)
    assert "Victory number 22<" in second and "Victory number 0<" not in second
    assert client.get("/victories?page=abc").status_code == 200
    beyond = client.get("/victories?page=99999999999")
    assert beyond.status_code == 200 and "Go to the first page" in beyond.get_data(True)


def test_empty_list_and_feed(client):
    """No victories yet: a friendly sentence, and a valid empty feed."""
    assert "No victory confirmed yet." in client.get("/victories").get_data(as_text=True)
    feed = ET.fromstring(client.get("/victories.atom").data)
    assert feed.findall(f"{ATOM}entry") == [] and feed.find(f"{ATOM}updated").text


def test_atom_feed(client, victories):
    """Atom 1.0 with absolute links, one entry per public victory, newest first."""
    response = client.get("/victories.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text == "http://localhost/victories"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {
        "self": "http://localhost/victories.atom",
        "alternate": "http://localhost/victories",
    }
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "USC refuses the pledge",
        "Academy expels him",
        "Survivors' Bill of Rights",
    ]
    usc = entries[0]
    alternate = usc.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == f"http://localhost/campaigns/{victories['USC']}"
    assert usc.find(f"{ATOM}link[@rel='related']").get("href") == "https://news.example.org/1"
    assert usc.find(f"{ATOM}summary").text == "USC refuses the pledge won."
    content = usc.find(f"{ATOM}content")
    assert content.get("type") == "html" and "598 signatures at victory" in content.text
    assert "Elizabeth M. Daley" in content.text
    assert usc.find(f"{ATOM}updated").text.startswith((NOW - timedelta(days=1)).date().isoformat())
    for entry in entries:
        for link in entry.findall(f"{ATOM}link"):
            assert link.get("href").startswith(("http://", "https://"))


def test_feed_escapes_what_organizers_wrote(client, make_campaign):
    """Markup in titles and summaries is text in the feed, never markup."""
    won(make_campaign, "<b>Bold</b> & brave", 1, victory_summary="<script>x</script>")
    feed = ET.fromstring(client.get("/victories.atom").data)
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "<b>Bold</b> & brave"
    assert "<script>" not in entry.find(f"{ATOM}content").text
    assert "&lt;script&gt;" in entry.find(f"{ATOM}content").text


def test_feed_survives_characters_xml_refuses(client, make_campaign):
    """A control character typed into a summary or name drops out; the feed still parses."""
    won(make_campaign, "Vertical\x0btab", 1, victory_summary="They\x0bdropped it\x1b.",
        decision_makers=[("Dean\x07Bell", "Dean", "Uni\x01")])  # fmt: skip
    feed = ET.fromstring(client.get("/victories.atom").data)
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Verticaltab"
    assert entry.find(f"{ATOM}summary").text == "Theydropped it."
    assert "DeanBell" in entry.find(f"{ATOM}content").text


def test_home_page_counts_and_links_victories(client, victories):
    """The home page counts public victories and links to /victories."""
    html = client.get("/").get_data(as_text=True)
    totals = html.split('id="totals-title"')[1].split("</section>")[0]
    assert "<dd>3</dd>" in totals and 'href="/victories"' in totals
    assert "See all 3 confirmed victories" in totals
    recent = html.split('id="victories-title"')[1].split("</section>")[0]
    assert 'href="/victories"' in recent


def test_victory_banner_shows_date_and_evidence(client, victories):
    """The campaign page of a victory says when it was confirmed and links the evidence."""
    html = client.get(f"/campaigns/{victories['Academy']}").get_data(as_text=True)
    banner = html.split('class="banner banner-success"')[1].split("</div>")[0]
    assert "Victory!" in banner and "Academy expels him won." in banner
    assert "Confirmed by Groundswell on" in banner
    assert 'href="https://news.example.org/5"' in banner
