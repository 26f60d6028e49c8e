"""Decision makers' responses: recorded, shown prominently, corrected and removed."""

from datetime import date, timedelta

import pytest

from campaigns.models import CampaignStatus, Role
from tests.conftest import login
from tests.outcomes.victory_helpers import audit_event, maker_of

LETTER = "https://university.example.edu/statement"


def respond(client, slug, maker_id, **fields):
    """Submit the response form; fields override a valid response."""
    data = {"responded_at": "2024-03-01", "response": "We will not accept the gift.",
            "response_url": LETTER, **fields}  # fmt: skip
    return client.post(f"/campaigns/{slug}/decision-makers/{maker_id}/response", data=data)


@pytest.fixture
def campaign(make_user, make_campaign):
    """An open campaign with two decision makers; returns (owner, slug)."""
    owner = make_user("owner@example.org")
    slug = make_campaign(
        owner=owner,
        decision_makers=[
            ("Elizabeth Daley", "Dean", "School of Cinematic Arts"),
            ("Board of Trustees", None, "University"),
        ],
    )
    return owner, slug


def test_recorded_response_is_shown_prominently(app, client, campaign):
    """The response shows near the top with who, when, what and the link; audited."""
    owner, slug = campaign
    dean = maker_of(app, slug)
    login(client, owner.email)
    page = client.get(f"/campaigns/{slug}/decision-makers/{dean.id}/response")
    assert page.status_code == 200 and "Response from Elizabeth Daley" in page.get_data(True)
    assert respond(client, slug, dean.id).status_code == 302
    saved = maker_of(app, slug)
    assert saved.has_responded and saved.responded_at.date() == date(2024, 3, 1)
    assert saved.response == "We will not accept the gift." and saved.response_url == LETTER
    assert saved.response_recorded_by_id == owner.id and saved.response_recorded_at is not None
    client.post("/logout")
    html = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    section = html.split('id="responses-heading"')[1].split("</section>")[0]
    assert "Elizabeth Daley" in section and "Responded" in section
    assert "March 1, 2024" in section and 'datetime="2024-03-01"' in section
    assert "We will not accept the gift." in section and f'href="{LETTER}"' in section
    assert "Board of Trustees" not in section  # no response from them yet
    assert html.index('id="responses-heading"') < html.index('class="campaign-body"')
    event = audit_event(app, "decision_maker.response_recorded")
    assert event.actor_id == owner.id and event.details["maker_id"] == dean.id
    assert event.details["previous"] is None


def test_a_link_alone_or_a_text_alone_is_enough(app, client, campaign):
    """Either a text or a link makes a response."""
    owner, slug = campaign
    login(client, owner.email)
    dean, board = maker_of(app, slug), maker_of(app, slug, 1)
    assert respond(client, slug, dean.id, response="").status_code == 302
    assert respond(client, slug, board.id, response_url="").status_code == 302
    assert maker_of(app, slug).response is None and maker_of(app, slug).response_url == LETTER
    assert maker_of(app, slug, 1).response_url is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"response": "", "response_url": ""}, "Give what they said, a link to it, or both."),
        ({"response_url": "javascript:alert(1)"}, "starting with http:// or https://"),
        ({"response_url": "www.example.org"}, "starting with http:// or https://"),
        ({"responded_at": (date.today() + timedelta(days=3)).isoformat()}, "cannot be in the"),
        ({"responded_at": ""}, "Give the date of the response."),
        ({"responded_at": "1st of March"}, "Not a valid date value."),
        ({"responded_at": "1066-10-14"}, "Give the date of the response."),
        ({"response": "x" * 5001}, "Field cannot be longer than 5000 characters."),
    ],
)
def test_validation(app, client, campaign, fields, message):
    """No text and no link, a bad link, a future or missing date: 422 with a message."""
    owner, slug = campaign
    login(client, owner.email)
    response = respond(client, slug, maker_of(app, slug).id, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert not maker_of(app, slug).has_responded


def test_edit_and_clear(app, client, campaign, make_user):
    """A recorded response can be corrected, then removed; both are audited."""
    owner, slug = campaign
    dean = maker_of(app, slug)
    login(client, owner.email)
    respond(client, slug, dean.id)
    form = client.get(f"/campaigns/{slug}/decision-makers/{dean.id}/response").get_data(True)
    assert 'value="2024-03-01"' in form and "We will not accept the gift." in form
    assert respond(client, slug, dean.id, response="Corrected quote.").status_code == 302
    assert maker_of(app, slug).response == "Corrected quote."
    edited = audit_event(app, "decision_maker.response_recorded")
    assert edited.details["previous"]["response"] == "We will not accept the gift."
    assert respond(client, slug, dean.id, clear="Remove").status_code == 302
    cleared = maker_of(app, slug)
    assert not cleared.has_responded and cleared.response is None and cleared.response_url is None
    event = audit_event(app, "decision_maker.response_cleared")
    assert event.details["previous"]["response"] == "Corrected quote."
    assert 'id="responses-heading"' not in client.get(f"/campaigns/{slug}").get_data(True)
    assert respond(client, slug, dean.id, clear="Remove").status_code == 409


def test_admin_records_moderator_may_not(app, client, campaign, make_user):
    """Admins record responses on any campaign; moderators and members may not."""
    _owner, slug = campaign
    dean = maker_of(app, slug)
    admin = make_user(role=Role.ADMIN)
    login(client, admin.email)
    page = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    assert "Record a response from Elizabeth Daley" in page
    assert respond(client, slug, dean.id).status_code == 302
    assert maker_of(app, slug).response_recorded_by_id == admin.id
    client.post("/logout")
    for role in (Role.MODERATOR, Role.MEMBER):
        login(client, make_user(role=role).email)
        assert respond(client, slug, dean.id, response="Changed").status_code == 403
        page = client.get(f"/campaigns/{slug}").get_data(as_text=True)
        assert "Record a response from" not in page and "Edit the response of" not in page
        client.post("/logout")
    assert maker_of(app, slug).response == "We will not accept the gift."


def test_responses_on_closed_and_won_campaigns(app, client, make_user, make_campaign):
    """Decision makers often answer after a campaign closed or won."""
    owner = make_user()
    login(client, owner.email)
    for status in (CampaignStatus.CLOSED, CampaignStatus.VICTORY):
        slug = make_campaign(owner=owner, status=status)
        assert respond(client, slug, maker_of(app, slug).id).status_code == 302
        assert maker_of(app, slug).has_responded
