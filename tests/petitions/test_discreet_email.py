"""The organizer's "Discreet email" setting, on the basics step of the editor."""

import re

from campaigns.models import CampaignStatus
from tests.conftest import get_campaign


def basics(campaign, **extra) -> dict:
    """The basics form as the page posts it."""
    data = {"title": campaign.title, "category": campaign.category_id, "country": "GB"}
    return {**data, **extra}


def checkbox(response) -> str:
    """The discreet email checkbox's tag on a page."""
    [tag] = re.findall(r'<input[^>]*id="discreet_email"[^>]*>', response.get_data(as_text=True))
    return tag


def test_discreet_email_can_be_set_and_cleared_while_open(app, client, login_as, make_campaign):
    """An open campaign's organizer turns it on and off; the page explains what it does."""
    owner = login_as()
    slug = make_campaign(owner=owner, status=CampaignStatus.OPEN)
    page = client.get(f"/campaigns/{slug}/edit/basics").get_data(as_text=True)
    assert "Discreet email" in page and "share an inbox" in page
    assert 'aria-describedby="discreet_email-hint"' in page and 'id="discreet_email-hint"' in page
    campaign = get_campaign(app, slug)
    on = client.post(f"/campaigns/{slug}/edit/basics", data=basics(campaign, discreet_email="y"))
    assert on.status_code == 302 and get_campaign(app, slug).discreet_email is True
    assert "checked" in checkbox(client.get(f"/campaigns/{slug}/edit/basics"))
    off = client.post(f"/campaigns/{slug}/edit/basics", data=basics(campaign))
    assert off.status_code == 302 and get_campaign(app, slug).discreet_email is False
    assert "checked" not in checkbox(client.get(f"/campaigns/{slug}/edit/basics"))


def test_new_campaign_can_start_discreet(app, client, login_as, make_campaign):
    """Starting a campaign with the box ticked creates a discreet draft."""
    login_as()
    category = get_campaign(app, make_campaign()).category_id
    data = {"title": "Protect farmworker women", "category": category, "country": "US"}
    response = client.post("/campaigns/new", data={**data, "discreet_email": "y"})
    assert response.status_code == 302
    slug = response.headers["Location"].split("/campaigns/")[1].split("/")[0]
    assert get_campaign(app, slug).discreet_email is True


def test_only_organizers_change_it(app, client, login_as, make_campaign, make_user):
    """Someone else's campaign cannot be made discreet (or not)."""
    slug = make_campaign(owner=make_user())
    login_as()
    campaign = get_campaign(app, slug)
    response = client.post(
        f"/campaigns/{slug}/edit/basics", data=basics(campaign, discreet_email="y")
    )
    assert response.status_code == 403
    assert get_campaign(app, slug).discreet_email is False
