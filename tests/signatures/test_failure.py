"""Failures: an unreachable database answers 503 and keeps nothing; Redis down still signs."""

import logging

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from campaigns.extensions import db as _db
from campaigns.models import OutboxEmail, Signature
from campaigns.signatures import writes
from tests.conftest import make_app, outbox_rows
from tests.signatures.test_sign_views import GUEST, sign, signatures

NOWHERE = "postgresql://postgres@127.0.0.1:1/nothing"


def drop(statement: str) -> sa.exc.OperationalError:
    """The error psycopg raises when the server goes away mid-transaction."""
    return sa.exc.OperationalError(statement, {}, Exception("server closed the connection"))


def test_unreachable_database_answers_503_not_500():
    """Nothing listens on port 1: the sign form says to retry, with Retry-After."""
    app = make_app(NOWHERE)
    try:
        response = app.test_client().post("/campaigns/any/sign", data=GUEST)
    finally:
        app.extensions["groundswell_jobs"].stop()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "Nothing was saved" in response.text and "try again in a minute" in response.text


def test_failure_after_the_insert_leaves_no_half_saved_signature(
    app, client, make_campaign, monkeypatch, caplog
):
    """The connection drops after the INSERT, while queueing the email: all rolled back.

    On SQLite the email is a second INSERT; on PostgreSQL both rows go in with one statement,
    and the drop comes right after it, before COMMIT.
    """
    slug = make_campaign()

    def fail(*args, **kwargs):
        """Lose the database between the signature and its email."""
        assert _db.session.execute(sa.select(sa.func.count(Signature.id))).scalar() == 1
        raise drop("INSERT INTO outbox_email ...")

    monkeypatch.setattr(writes, "email_confirmation", fail)
    monkeypatch.setattr(writes, "enqueue_after_commit", fail)
    with caplog.at_level(logging.ERROR, logger="campaigns.core.errors"):
        response = sign(client, slug)
    assert response.status_code == 503 and "Nothing was saved" in response.text
    assert "Database unavailable" in caplog.text
    assert signatures(app) == [] and outbox_rows(app) == []
    monkeypatch.undo()
    assert sign(client, slug).status_code == 303  # the next request works again
    assert len(signatures(app)) == 1


def test_failure_at_commit_is_503_too(app, client, make_campaign, monkeypatch):
    """A drop during COMMIT: 503, and the rolled-back rows are gone."""
    slug = make_campaign()
    real_commit = _db.session.commit

    def commit():
        """Flush the rows, then lose the connection instead of committing."""
        _db.session.flush()
        raise drop("COMMIT")

    monkeypatch.setattr(_db.session, "commit", commit, raising=False)
    response = sign(client, slug)
    monkeypatch.setattr(_db.session, "commit", real_commit, raising=False)
    assert response.status_code == 503
    with app.app_context():
        assert _db.session.scalar(sa.select(sa.func.count(OutboxEmail.id))) == 0
    assert signatures(app) == []


def test_other_database_errors_stay_500s(app_factory, make_campaign, monkeypatch):
    """A bug (an integrity error) is not dressed up as an outage."""
    app = app_factory(PROPAGATE_EXCEPTIONS=False)
    slug = make_campaign()

    def broken(*args, **kwargs):
        """Fail as a programming error would."""
        raise sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(writes, "email_confirmation", broken)
    monkeypatch.setattr(writes, "enqueue_after_commit", broken)
    response = sign(app.test_client(), slug)
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert signatures(app) == []


def test_signing_works_with_redis_down(app_factory, make_campaign, caplog):
    """Limits fall back to this process, the log says so, and the signature is saved."""
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    slug = make_campaign()
    with caplog.at_level(logging.WARNING):
        response = sign(app.test_client(), slug)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/campaigns/{slug}/signed"
    [row] = signatures(app)
    assert row.suspect is False
    assert len(outbox_rows(app, "signature_confirm")) == 1
    assert "Rate limit storage unreachable" in caplog.text
    assert "fall back to this process" in caplog.text


def test_database_errors_never_carry_signers_details(app):
    """Engine errors (and so the logs) hide statement parameters such as emails."""
    row = {"campaign_id": 999_999, "email": "secret.signer@example.org", "country": "GB",
           "name": "Secret Signer"}  # fmt: skip
    with app.app_context():
        with pytest.raises(IntegrityError) as caught:  # no such campaign: a foreign key error
            _db.session.execute(sa.insert(Signature.__table__), row)
        _db.session.rollback()
    assert "secret.signer" not in str(caught.value) and "Secret Signer" not in str(caught.value)
