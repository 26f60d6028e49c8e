"""`flask demo` loads realistic data once."""

from sqlalchemy import func, select

from campaigns.extensions import db
from campaigns.models import Campaign, CampaignStatus, Role, Signature, SignatureState, User
from tests.conftest import login


def test_demo_is_idempotent_and_consistent(app, runner):
    """Two runs give the same data; counts equal the confirmed signatures; logins work."""
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@groundswell.example" in first.output
    second = runner.invoke(args=["demo"])
    assert "(0 campaigns added)" in second.output
    with app.app_context():
        campaigns = db.session.scalars(select(Campaign)).all()
        assert len(campaigns) == 6
        statuses = {c.status for c in campaigns}
        assert {CampaignStatus.OPEN, CampaignStatus.VICTORY} <= statuses
        for campaign in campaigns:
            confirmed = db.session.scalar(
                select(func.count(Signature.id)).where(
                    Signature.campaign_id == campaign.id,
                    Signature.state == SignatureState.CONFIRMED,
                )
            )
            assert campaign.signature_count == confirmed
        usc = next(c for c in campaigns if c.slug == "usc-refuse-weinstein-pledge")
        assert usc.signature_count == 598 and usc.victory_confirmed_by_id is not None
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
        assert admin.email == "admin@groundswell.example"
    client = app.test_client()
    assert (
        login(client, "admin@groundswell.example", "demo admin rocks ledger 41").status_code == 302
    )
    assert client.get("/admin/users").status_code == 200
    home = client.get("/")
    assert b"Protect farmworker women" in home.data and b"140,000" in home.data
