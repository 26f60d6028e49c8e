"""Who may use the sign widget's routes: every role against every route and campaign state."""

import pytest

from campaigns.models import CampaignStatus, Role, utcnow
from tests.conftest import login
from tests.embed.test_embed import GUEST, token_for

ROLES = ("anonymous", "member", "owner", "co_organizer", "moderator", "admin")
DRAFT, PENDING, OPEN, CLOSED, VICTORY = (
    CampaignStatus.DRAFT, CampaignStatus.PENDING_REVIEW, CampaignStatus.OPEN,
    CampaignStatus.CLOSED, CampaignStatus.VICTORY,
)  # fmt: skip
HIDDEN = "hidden"
OK = "ok"
WIDGET, SIGNED = "/campaigns/{slug}/embed", "/campaigns/{slug}/embed/signed"
# (action, method, path, campaign state, send a form token, outcome per role in ROLES order).
# The widget is public and the same for everyone: organizers and staff get no more than the
# public, because a frame on another site carries nobody's session.
TABLE = [
    ("widget open", "GET", WIDGET, OPEN, False, [OK] * 6),
    ("widget closed", "GET", WIDGET, CLOSED, False, [OK] * 6),
    ("widget won", "GET", WIDGET, VICTORY, False, [OK] * 6),
    ("widget draft", "GET", WIDGET, DRAFT, False, [404] * 6),
    ("widget pending", "GET", WIDGET, PENDING, False, [404] * 6),
    ("widget hidden", "GET", WIDGET, HIDDEN, False, [404] * 6),
    ("widget sign open", "POST", WIDGET, OPEN, True, [OK] * 6),
    ("widget sign, no token", "POST", WIDGET, OPEN, False, [400] * 6),
    ("widget sign closed", "POST", WIDGET, CLOSED, True, [409] * 6),
    ("widget sign draft", "POST", WIDGET, DRAFT, True, [404] * 6),
    ("widget sign hidden", "POST", WIDGET, HIDDEN, True, [404] * 6),
    ("widget check email", "GET", SIGNED, OPEN, False, [OK] * 6),
    ("widget check email draft", "GET", SIGNED, DRAFT, False, [404] * 6),
]


@pytest.fixture
def people(make_user):
    """One user per signed-in role, the owner and co-organizer of every campaign made here."""
    return {
        "member": make_user(),
        "owner": make_user(),
        "co_organizer": make_user(),
        "moderator": make_user(role=Role.MODERATOR),
        "admin": make_user(role=Role.ADMIN),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("action", "method", "path", "state", "with_token", "expected"),
    TABLE,
    ids=[r[0] for r in TABLE],
)
def test_widget_authorization_table(
    app, client, people, make_campaign, role, action, method, path, state, with_token, expected
):
    """Each role gets exactly the outcome the table states."""
    fields = {"status": OPEN, "hidden_at": utcnow()} if state == HIDDEN else {"status": state}
    slug = make_campaign(owner=people["owner"], co_organizers=[people["co_organizer"]], **fields)
    if role != "anonymous":
        assert login(client, people[role].email).status_code == 302
    data = {**GUEST, "embed_token": token_for(app, slug)} if with_token else GUEST
    response = client.open(path.format(slug=slug), method=method, data=data)
    got = OK if response.status_code in (200, 303) else response.status_code
    assert got == expected[ROLES.index(role)], (action, role, response.status_code)
