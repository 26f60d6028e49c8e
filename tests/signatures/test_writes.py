"""The signing INSERTs on PostgreSQL: one statement, and on its own when a guest signs."""

import psycopg
import pytest
import sqlalchemy as sa

from campaigns.extensions import db
from campaigns.signatures import services, writes
from campaigns.signatures.targets import guest_target
from tests.conftest import USING_POSTGRES, outbox_rows
from tests.signatures.test_services import signatures
from tests.signatures.test_sign_views import GUEST

pytestmark = pytest.mark.skipif(
    not USING_POSTGRES, reason="the one-statement signing path is PostgreSQL's"
)
DETAILS = {"name": "Ana Signer", "email": "ana@example.org", "country": "GB"}


def statements_during(app, action) -> list[str]:
    """The SQL statements sent through the driver, on any engine, while doing action().

    The guest's statement runs on the driver's own cursor (writes.py), out of SQLAlchemy's
    sight, so this listens one level down.
    """
    seen = []
    real_execute = psycopg.Cursor.execute

    def execute(cursor, query, *args, **kwargs):
        """Keep each statement's text, then run it."""
        seen.append(query if isinstance(query, str) else query.as_string(cursor))
        return real_execute(cursor, query, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(psycopg.Cursor, "execute", execute)
        action()
    return seen


def sign_twice(app, slug):
    """Sign once (the pools connect and look the server over), then again: the second's SQL."""
    with app.app_context():
        campaign = guest_target(slug)
        db.session.rollback()  # as when the target came from the process cache
        services.sign(campaign, **{**DETAILS, "email": "first@example.org"}, own_transaction=True)
        return statements_during(
            app, lambda: services.sign(campaign, **DETAILS, own_transaction=True)
        )


def test_a_guest_signature_commits_on_its_own_in_one_statement(app, make_campaign):
    """Signature and email go in with one autocommit statement: no ping, BEGIN or COMMIT."""
    sql = sign_twice(app, make_campaign())
    assert len(sql) == 1 and sql[0].startswith("WITH signed AS")
    with app.app_context():
        assert not db.session().in_transaction()  # nothing of the signature waits on it
    emails = ["ana@example.org", "first@example.org"]
    assert sorted(s.email for s in signatures(app)) == emails
    assert sorted(e.recipient for e in outbox_rows(app, "signature_confirm")) == emails


def test_a_restarted_server_costs_no_signer_a_503(app, make_campaign):
    """The server dropped every pooled connection: the next signings all go in, once each.

    The first dead connection empties the pool, as SQLAlchemy does for its own; retrying on
    the next pooled (and equally dead) connection would answer 503.
    """
    slug = make_campaign()
    with app.app_context():
        campaign = guest_target(slug)
        db.session.rollback()
        services.sign(campaign, **{**DETAILS, "email": "first@example.org"}, own_transaction=True)
        engine = writes._autocommit_engine()
        held = [engine.raw_connection() for _ in range(3)]  # three connections in the pool
        for connection in held:
            connection.close()
        with db.engine.connect() as conn:  # every other connection to this database ends
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ))  # fmt: skip
        signed = [
            services.sign(campaign, **{**DETAILS, "email": f"s{n}@example.org"},
                          own_transaction=True)
            for n in range(3)
        ]  # fmt: skip
    assert all(s.created for s in signed)
    assert len(signatures(app)) == 4 and len(outbox_rows(app, "signature_confirm")) == 4


def test_a_reply_lost_after_commit_still_asks_for_delivery(app, make_campaign, monkeypatch):
    """The first try committed but its answer never came: the retry finds the signature
    (nothing inserted) and the confirmation email is still handed to the runner at once."""
    slug = make_campaign()
    real_run = writes._run_once
    tries = []

    def lost_reply(engine, sql, params):
        """Commit for real, then fail as a dropped connection would; the second try is real."""
        tries.append(params["email"])
        result = real_run(engine, sql, params)
        if len(tries) == 1:
            raise sa.exc.OperationalError(sql, {}, Exception("lost"), connection_invalidated=True)
        return result

    monkeypatch.setattr(writes, "_run_once", lost_reply)
    with app.app_context():
        campaign = guest_target(slug)
        db.session.rollback()
        signed = services.sign(campaign, **DETAILS, own_transaction=True)
    assert tries == ["ana@example.org"] * 2 and not signed.created
    assert app.extensions["groundswell_jobs"].submitted == ["deliver_outbox"]
    assert len(signatures(app)) == 1 and len(outbox_rows(app, "signature_confirm")) == 1


def test_its_pool_closes_with_the_apps_engine(app, make_campaign):
    """Disposing the app's engine (tests, shutdown) closes the autocommit connections too."""
    sign_twice(app, make_campaign())
    with app.app_context():
        pool = app.extensions[writes.AUTOCOMMIT_ENGINE].pool
        assert pool.checkedin() == 1
        db.engine.dispose()
        assert pool.checkedin() == 0


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
    # The first fills the cache; the second opens the autocommit pool's first connection.
    for email in ("ana@example.org", "cy@example.org"):
        assert (
            client.post(f"/campaigns/{slug}/sign", data={**GUEST, "email": email}).status_code
            == 303
        )
    with app.app_context():
        sql = statements_during(
            app,
            lambda: client.post(
                f"/campaigns/{slug}/sign", data={**GUEST, "email": "bo@example.org"}
            ),
        )
    assert len(sql) == 1 and sql[0].startswith("WITH signed AS")
    assert len(signatures(app)) == 3 and len(outbox_rows(app, "signature_confirm")) == 3


def test_an_unreachable_server_answers_503_and_keeps_nothing(
    app_factory, make_campaign, monkeypatch
):
    """The autocommit pool cannot connect: the sign form says to retry, as for any outage."""
    app = app_factory(COUNT_CACHE_SECONDS=60)
    slug = make_campaign()
    client = app.test_client()
    assert client.post(f"/campaigns/{slug}/sign", data=GUEST).status_code == 303  # cached
    nowhere = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:1/nothing")
    monkeypatch.setattr(writes, "_autocommit_engine", lambda: nowhere)
    response = client.post(f"/campaigns/{slug}/sign", data={**GUEST, "email": "bo@example.org"})
    assert response.status_code == 503 and "Nothing was saved" in response.text
    assert len(signatures(app)) == 1
