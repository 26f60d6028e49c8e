"""Model invariants: unique signatures, aware timestamps, roles and edit rights."""

from datetime import UTC

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from campaigns.extensions import db as _db
from campaigns.models import Campaign, Role, Signature, User


def campaign(owner=None, slug="c1"):
    """A minimal campaign."""
    return Campaign(
        slug=slug, title="T", summary="S", body="B", body_html="<p>B</p>", category="c", goal=10,
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


@pytest.mark.parametrize(
    ("role", "organizer", "expected"),
    [
        (None, False, False),
        (Role.MEMBER, False, False),
        (Role.MEMBER, True, True),
        (Role.MODERATOR, False, True),
        (Role.ADMIN, False, True),
    ],
)
def test_can_edit_truth_table(role, organizer, expected):
    """Organizers edit their own campaigns; moderators and admins any."""
    user = None if role is None else User(id=7, email="u@example.org", role=role)
    owner = user if organizer else User(id=8, email="o@example.org", role=Role.MEMBER)
    c = campaign()
    c.owner_id = owner.id
    assert c.can_edit(user) is expected


def test_role_order():
    """member < moderator < admin."""
    admin = User(role=Role.ADMIN)
    member = User(role=Role.MEMBER)
    assert admin.has_role(Role.MODERATOR) and not member.has_role(Role.MODERATOR)
