"""Model invariants: unique signatures, aware timestamps, roles and edit rights."""

from datetime import UTC

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from campaigns.extensions import db as _db
from campaigns.models import Campaign, CampaignStatus, Role, Signature, User, utcnow


def campaign(owner=None, slug="c1"):
    """A minimal campaign."""
    return Campaign(
        slug=slug, title="T", summary="S", body="B", body_html="<p>B</p>", goal=10,
        owner=owner,
    )  # fmt: skip


def signature(campaign_id, email="a@example.org"):
    """A minimal signature."""
    return Signature(
        campaign_id=campaign_id, email=email, canonical_email=email, email_domain="example.org",
        name="A", country="US",
    )  # fmt: skip


def test_one_signature_per_campaign_and_canonical_email(db):
    """The database refuses a second signature with the same canonical email."""
    c = campaign()
    db.session.add(c)
    db.session.flush()
    db.session.add(signature(c.id))
    db.session.commit()
    db.session.add(signature(c.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_timestamps_are_timezone_aware(db):
    """Timestamps come back in UTC on every database."""
    user = User(email="a@example.org", display_name="A", password_hash="x")
    db.session.add(user)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user.id).created_at.tzinfo == UTC


def test_naive_datetime_is_refused(db):
    """Naive datetimes are a bug; they are not silently stored."""
    from datetime import datetime

    db.session.add(User(email="a@example.org", display_name="A", password_hash="x",
                        created_at=datetime(2020, 1, 1)))  # fmt: skip
    with pytest.raises(Exception, match="naive"):
        db.session.commit()
    db.session.rollback()


def test_constraint_names_follow_the_convention(db):
    """Named constraints make later migrations reviewable."""
    inspector = inspect(_db.engine)
    uniques = {u["name"] for u in inspector.get_unique_constraints("signature")}
    assert "uq_signature_campaign_id_canonical_email" in uniques


def _viewer(role, organizer):
    """(user, campaign) where user has role (None: anonymous) and may own the campaign."""
    user = None if role is None else User(id=7, email="u@example.org", role=role)
    c = campaign()
    c.owner_id = 7 if organizer else 8
    return user, c


@pytest.mark.parametrize(
    ("role", "organizer", "status", "hidden", "view", "edit"),
    [
        (None, False, CampaignStatus.OPEN, False, True, False),
        (None, False, CampaignStatus.DRAFT, False, False, False),
        (None, False, CampaignStatus.OPEN, True, False, False),
        (Role.MEMBER, False, CampaignStatus.PENDING_REVIEW, False, False, False),
        (Role.MEMBER, True, CampaignStatus.DRAFT, False, True, True),
        (Role.MEMBER, True, CampaignStatus.PENDING_REVIEW, False, True, False),
        (Role.MEMBER, True, CampaignStatus.OPEN, False, True, True),
        (Role.MEMBER, True, CampaignStatus.OPEN, True, False, False),
        (Role.MEMBER, True, CampaignStatus.CLOSED, False, True, False),
        (Role.MODERATOR, False, CampaignStatus.DRAFT, True, True, False),
        (Role.ADMIN, False, CampaignStatus.OPEN, False, True, False),
    ],
)
def test_view_and_edit_truth_table(role, organizer, status, hidden, view, edit):
    """The public sees published pages; organizers edit drafts and open campaigns; staff see all."""
    user, c = _viewer(role, organizer)
    c.status = status
    c.hidden_at = utcnow() if hidden else None
    assert c.can_view(user) is view
    assert c.can_edit(user) is edit


@pytest.mark.parametrize(
    ("role", "organizer", "expected"),
    [(None, False, False), (Role.MEMBER, False, False), (Role.MEMBER, True, True),
     (Role.MODERATOR, False, False), (Role.ADMIN, False, True)],
)  # fmt: skip
def test_close_truth_table(role, organizer, expected):
    """Only the owner or an admin closes an open campaign."""
    user, c = _viewer(role, organizer)
    c.status = CampaignStatus.OPEN
    assert c.can_close(user) is expected
    c.status = CampaignStatus.CLOSED
    assert c.can_close(user) is False


def test_next_milestone_and_progress():
    """The next milestone is the nearest threshold ahead, the goal included."""
    from campaigns.models import Milestone

    c = campaign()
    c.goal, c.signature_count = 1000, 150
    c.milestones = [Milestone(threshold=100, label="a"), Milestone(threshold=500, label="b")]
    assert (c.next_milestone, c.progress_percent) == (500, 15)
    c.signature_count = 1200
    assert (c.next_milestone, c.progress_percent) == (None, 100)


def test_role_order():
    """member < moderator < admin."""
    admin = User(role=Role.ADMIN)
    member = User(role=Role.MEMBER)
    assert admin.has_role(Role.MODERATOR) and not member.has_role(Role.MODERATOR)
