"""The signing INSERTs on PostgreSQL: one statement, and on its own when a guest signs."""

import pytest
import sqlalchemy as sa

from campaigns.extensions import db
from campaigns.signatures import services
from campaigns.signatures.targets import guest_target
from tests.conftest import USING_POSTGRES, outbox_rows
from tests.signatures.test_services import signatures
from tests.signatures.test_sign_views import GUEST

pytestmark = pytest.mark.skipif(
    not USING_POSTGRES, reason="the one-statement signing path is PostgreSQL's"
)
DETAILS = {"name": "Ana Signer", "email": "ana@example.org", "country": "GB"}


def statements_during(app, action) -> list[str]:
    """The SQL statements the app's engine ran while doing action()."""
    seen = []

    def record(conn, cursor, statement, *args):
        """Keep each statement's text."""
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_a_guest_signature_commits_on_its_own_in_one_statement(app, make_campaign):
    """Signature and email go in with one autocommit statement: no BEGIN, no COMMIT."""
    slug = make_campaign()
    with app.app_context():
        campaign = guest_target(slug)
        db.session.rollback()  # as when the target came from the process cache
        sql = statements_during(
            app, lambda: services.sign(campaign, **DETAILS, own_transaction=True)
        )
        db.session.rollback()  # nothing of the signature waits on the session
    assert len(sql) == 1 and sql[0].startswith("WITH signed AS")
    assert [s.email for s in signatures(app)] == ["ana@example.org"]
    assert [e.recipient for e in outbox_rows(app, "signature_confirm")] == ["ana@example.org"]


def test_signing_again_inserts_nothing_and_emails_nobody(app, make_campaign):
    """The same person a second time: no row, no second email, the same answer."""
    slug = make_campaign()
    with app.app_context():
        campaign = guest_target(slug)
        db.session.rollback()
        first = services.sign(campaign, **DETAILS, own_transaction=True)
        again = services.sign(campaign, **{**DETAILS, "email": "ANA@example.org"},
                              own_transaction=True)  # fmt: skip
    assert first.created and not again.created and again.signature_id is None
    assert len(signatures(app)) == 1 and len(outbox_rows(app, "signature_confirm")) == 1


def test_a_begun_transaction_is_joined_not_bypassed(app, make_campaign):
    """With the session's transaction open, the rows are part of it and roll back with it."""
    slug = make_campaign()
    with app.app_context():
        campaign = guest_target(slug)  # the lookup began the session's transaction
        services.sign(campaign, **DETAILS, own_transaction=True)
        db.session.rollback()
    assert signatures(app) == [] and outbox_rows(app) == []


def test_the_statement_is_atomic(app, make_campaign):
    """If the email's INSERT fails inside the statement, the signature is not kept either."""
    slug = make_campaign()
    with app.app_context():
        db.session.execute(sa.text(
            "CREATE FUNCTION refuse_mail() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'mail refused'; END $$"
        ))  # fmt: skip
        db.session.execute(sa.text(
            "CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox_email "
            "FOR EACH ROW EXECUTE FUNCTION refuse_mail()"
        ))  # fmt: skip
        db.session.commit()
        try:
            campaign = guest_target(slug)
            db.session.rollback()
            with pytest.raises(sa.exc.DBAPIError, match="mail refused"):
                services.sign(campaign, **DETAILS, own_transaction=True)
        finally:
            db.session.rollback()
            db.session.execute(sa.text("DROP TRIGGER refuse_mail ON outbox_email"))
            db.session.execute(sa.text("DROP FUNCTION refuse_mail()"))
            db.session.commit()
    assert signatures(app) == [] and outbox_rows(app) == []


def test_the_sign_page_uses_it_once_the_campaign_is_cached(app_factory, make_campaign):
    """Over HTTP with the process cache on: the second signer's request writes on its own."""
    app = app_factory(COUNT_CACHE_SECONDS=60)
    slug = make_campaign()
    client = app.test_client()
    assert client.post(f"/campaigns/{slug}/sign", data=GUEST).status_code == 303
    with app.app_context():
        sql = statements_during(
            app,
            lambda: client.post(
                f"/campaigns/{slug}/sign", data={**GUEST, "email": "bo@example.org"}
            ),
        )
    assert len(sql) == 1 and sql[0].startswith("WITH signed AS")
    assert len(signatures(app)) == 2 and len(outbox_rows(app, "signature_confirm")) == 2
