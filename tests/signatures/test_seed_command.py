"""`flask signatures seed`: bulk confirmed signatures with an exact count (COPY on PostgreSQL)."""

import sqlalchemy as sa

from campaigns.extensions import db as _db
from campaigns.models import (
    Campaign,
    OutboxEmail,
    Signature,
    SignatureDelta,
    SignatureState,
)
from tests.conftest import get_campaign


def counted(app, slug) -> int:
    """Confirmed, non-suspect signatures of a campaign, counted in the database."""
    with app.app_context():
        return _db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .join(Campaign)
            .where(
                Campaign.slug == slug,
                Signature.state == SignatureState.CONFIRMED,
                Signature.suspect.is_(False),
            )
        )


def test_seed_adds_confirmed_signatures_and_sets_the_exact_count(app, runner, make_campaign):
    """Seeding twice adds unique confirmed rows; the stored count equals a real count."""
    slug = make_campaign()
    first = runner.invoke(args=["signatures", "seed", slug, "120"])
    assert first.exit_code == 0, first.output
    assert "signature_count=120" in first.output
    second = runner.invoke(args=["signatures", "seed", slug, "30"])
    assert second.exit_code == 0, second.output
    assert counted(app, slug) == 150
    assert get_campaign(app, slug).signature_count == 150


def test_seed_leaves_pending_deltas_for_the_aggregator(app, runner, make_campaign):
    """A delta not yet applied stays pending: stored count plus deltas equals the real count."""
    slug = make_campaign()
    campaign_id = get_campaign(app, slug).id
    with app.app_context():
        _db.session.add(SignatureDelta(campaign_id=campaign_id, delta=1))
        _db.session.commit()
    result = runner.invoke(args=["signatures", "seed", slug, "10"])
    assert result.exit_code == 0, result.output
    assert get_campaign(app, slug).signature_count == 9
    assert counted(app, slug) == 10


def test_seed_stamps_passed_milestones_without_email(app, runner, make_campaign):
    """Milestones and a goal the seeded count passes are stamped once, quietly."""
    slug = make_campaign(goal=40, milestones=[(25, "Quarter"), (500, "Far")])
    result = runner.invoke(args=["signatures", "seed", slug, "50"])
    assert result.exit_code == 0, result.output
    campaign = get_campaign(app, slug)
    assert campaign.goal_reached_at is not None
    reached = {m.threshold: m.reached_at is not None for m in campaign.milestones}
    assert reached == {25: True, 500: False}
    with app.app_context():
        assert _db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0


def test_seed_refuses_an_unknown_campaign(runner):
    """An unknown slug is a clear error, not a traceback."""
    result = runner.invoke(args=["signatures", "seed", "no-such-campaign", "5"])
    assert result.exit_code != 0
    assert "No campaign with the slug 'no-such-campaign'" in result.output


def test_seed_refuses_a_count_below_one(runner, make_campaign):
    """COUNT must be at least one."""
    result = runner.invoke(args=["signatures", "seed", make_campaign(), "0"])
    assert result.exit_code != 0


def test_seed_refuses_production_without_the_explicit_flag(app_factory, make_campaign):
    """Made-up signatures never land in a production database by accident."""
    app = app_factory(ENV_NAME="production", MAIL_BACKEND="console")
    slug = make_campaign()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["signatures", "seed", slug, "5"])
    assert refused.exit_code != 0 and "GROUNDSWELL_ENV=production" in refused.output
    assert get_campaign(app, slug).signature_count == 0
    allowed = runner.invoke(
        args=["signatures", "seed", slug, "5", "--fake-signatures-in-production"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert get_campaign(app, slug).signature_count == 5
