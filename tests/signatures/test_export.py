"""The organizers' CSV of confirmed signatures: what is in it, who gets it, and the audit."""

import csv
import io

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import (
    AuditEvent,
    Campaign,
    Role,
    Signature,
    SignatureSource,
    SignatureState,
    Visibility,
    utcnow,
)
from tests.conftest import login


def add(app, slug, email, *, name="Rosa Parks", visibility=Visibility.FULL_NAME, **fields):
    """Insert a signature (confirmed unless told otherwise)."""
    values = {"state": SignatureState.CONFIRMED, "confirmed_at": utcnow(), **fields}
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        _db.session.add(Signature(
            campaign_id=campaign.id, email=email, canonical_email=email,
            email_domain=email.split("@")[1], name=name, country="GB", visibility=visibility,
            **values,
        ))  # fmt: skip
        _db.session.commit()


@pytest.fixture
def campaign(app, make_user, make_campaign):
    """An open campaign with signatures of every kind; returns (owner, slug)."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    add(app, slug, "full@example.org", postcode="SW1A 1AA", reason="It matters.")
    add(app, slug, "initials@example.org", visibility=Visibility.INITIALS)
    add(app, slug, "hidden@example.org", visibility=Visibility.COUNT_ONLY)
    add(app, slug, "formula@example.org", name="=HYPERLINK(1)", reason="@SUM(A1)")
    add(app, slug, "moderated@example.org", reason="Libel", reason_hidden_at=utcnow())
    add(app, slug, "paper@example.org", source=SignatureSource.IMPORT)
    add(app, slug, "pending@example.org", state=SignatureState.PENDING, confirmed_at=None)
    add(app, slug, "suspect@example.org", suspect=True)
    add(app, slug, "gone@example.org", state=SignatureState.WITHDRAWN)
    return owner, slug


def rows(response) -> list[list[str]]:
    """The CSV body as rows."""
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_has_counted_signatures_as_shown_and_never_an_email(app, client, campaign):
    """Names as each signer chose, hidden reasons left out, formulas defused, no emails."""
    owner, slug = campaign
    login(client, owner.email)
    response = client.get(f"/campaigns/{slug}/signatures.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    body = response.get_data(as_text=True)
    assert "@example.org" not in body
    header, *data = rows(response)
    assert header == ["Name", "Country", "Postcode", "Reason", "Signed on", "Source"]
    assert len(data) == 6  # pending, suspect and withdrawn signatures do not count
    names = [row[0] for row in data]
    assert names[:3] == ["Rosa Parks", "R. P.", ""]
    assert data[0][2:4] == ["SW1A 1AA", "It matters."]
    assert data[3][0] == "'=HYPERLINK(1)" and data[3][3] == "'@SUM(A1)"
    assert data[4][3] == ""  # a reason a moderator hid stays hidden
    assert [row[5] for row in data] == ["web"] * 5 + ["import"]


def test_every_export_is_in_the_audit_log(app, client, campaign):
    """Who exported which campaign, and how many rows."""
    owner, slug = campaign
    login(client, owner.email)
    client.get(f"/campaigns/{slug}/signatures.csv").get_data()
    with app.app_context():
        event = _db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "signatures.exported")
        )
        assert event.actor_id == owner.id and event.details["rows"] == 6


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("member", 403), ("moderator", 403), ("admin", 200), ("co", 200)],
)
def test_only_organizers_and_admins_export(app, client, make_user, make_campaign, who, status):
    """Anonymous visitors log in first; members and moderators are refused."""
    co = make_user()
    slug = make_campaign(co_organizers=[co])
    users = {"member": make_user(), "moderator": make_user(role=Role.MODERATOR),
             "admin": make_user(role=Role.ADMIN), "co": co}  # fmt: skip
    if who != "anonymous":
        login(client, users[who].email)
    response = client.get(f"/campaigns/{slug}/signatures.csv")
    assert response.status_code == status
    if status == 302:
        assert "/login" in response.headers["Location"]


def test_unknown_or_unseen_campaign_is_404(app, client, login_as, make_campaign):
    """A draft someone else owns is not there, for its CSV either."""
    from campaigns.models import CampaignStatus

    slug = make_campaign(status=CampaignStatus.DRAFT)
    login_as()
    assert client.get(f"/campaigns/{slug}/signatures.csv").status_code == 404
    assert client.get("/campaigns/no-such-campaign/signatures.csv").status_code == 404
