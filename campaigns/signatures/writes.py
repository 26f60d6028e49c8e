"""The signing INSERTs: the signature, and with it its confirmation email.

DESIGN.md section 3: one transaction inserts the signature with ON CONFLICT DO NOTHING and
an outbox row only if a row was inserted. On PostgreSQL both are one statement (a
data-modifying CTE feeding an INSERT ... SELECT); SQLite runs the same two INSERTs one
after the other in the caller's transaction.

A guest's sign request writes nothing else, so on PostgreSQL it may run that statement as
its own transaction, on an autocommit connection: one round trip instead of three (BEGIN,
the statement, COMMIT), which the sign benchmark showed to matter on a viral campaign.
Those connections come from a pool of their own that does not ping a connection before
lending it (another round trip per signing): the statement is idempotent (ON CONFLICT DO
NOTHING), so a connection found dead is dropped and the statement sent once more instead.
It runs on the driver's cursor, compiled once: SQLAlchemy's execution layer cost more CPU
than the statement's own client work, on the path a viral campaign takes thousands of
times a minute.
"""

import functools
import threading

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from campaigns.extensions import db
from campaigns.jobs import enqueue_after_commit, enqueue_now
from campaigns.mail.outbox import email_insert_from
from campaigns.models import Campaign, Signature, SignatureSource, SignatureState, Visibility
from campaigns.signatures.notify import email_confirmation

AUTOCOMMIT_ENGINE = "groundswell_autocommit_engine"
_engine_lock = threading.Lock()

# The columns a guest's signing sets, named for the CTE's INSERT. What is the same for
# every guest is written into the SQL, so each signing binds and converts fewer values.
GUEST_COLUMNS = (
    "campaign_id", "email", "canonical_email", "email_domain", "name", "country", "postcode",
    "reason", "visibility", "consent_updates", "source", "ip_hash", "locale", "created_at",
)  # fmt: skip
GUEST_CONSTANTS = {
    "state": sa.literal_column(f"'{SignatureState.PENDING.value}'"),
    "suspect": sa.false(),  # suspect signatures take the plain INSERT: no email
    "suspect_reason": sa.null(),
    "resend_count": sa.literal_column("0"),
    "reason_reports": sa.literal_column("0"),
}


def _signature_insert(dialect_name: str):
    """INSERT ... ON CONFLICT (campaign, canonical email) DO NOTHING for one signature."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    # On the table, not the mapped class: an ORM-enabled insert runs the bulk-persistence
    # machinery on every call, several times the cost of the INSERT itself.
    return dialect.insert(Signature.__table__).on_conflict_do_nothing(
        index_elements=["campaign_id", "canonical_email"]
    )


@functools.cache
def _insert_statement(dialect_name: str):
    """The signature INSERT returning the new id (none when this person signed already)."""
    return _signature_insert(dialect_name).returning(Signature.__table__.c.id)


@functools.cache
def _insert_and_email_statement():
    """PostgreSQL: the signature INSERT and, for the row it inserted, the confirmation email."""
    table = Signature.__table__
    signed = (
        _signature_insert("postgresql")
        .values({**{name: sa.bindparam(name) for name in GUEST_COLUMNS}, **GUEST_CONSTANTS})
        .returning(table.c.id, table.c.email, table.c.name, table.c.locale, table.c.created_at)
        .cte("signed")
    )
    payload = sa.func.json_build_object(
        sa.literal_column("'signature_id'"), signed.c.id,
        sa.literal_column("'name'"), signed.c.name,
        sa.literal_column("'title'"), sa.cast(sa.bindparam("title"), sa.Text),
        sa.literal_column("'slug'"), sa.cast(sa.bindparam("slug"), sa.Text),
    )  # fmt: skip
    emailed = email_insert_from(
        signed, "signature_confirm", recipient=signed.c.email, payload=payload,
        locale=signed.c.locale, created_at=signed.c.created_at,
    ).cte("emailed")  # fmt: skip
    # A data-modifying CTE runs to completion even though the SELECT does not read it.
    return sa.select(signed.c.id).add_cte(emailed)


def insert_signature(values: dict) -> int | None:
    """Insert a signature unless this person signed already; the new id or None."""
    statement = _insert_statement(db.session.get_bind().dialect.name)
    return db.session.execute(statement, values).scalar()


def insert_and_email(
    campaign: Campaign, values: dict, *, own_transaction: bool = False
) -> int | None:
    """Insert a pending signature and queue its confirmation email only if it was inserted.

    own_transaction: on PostgreSQL, commit both now as one autocommit statement, unless the
    session has begun a transaction already (for a request that writes nothing else).
    Otherwise the rows join the caller's transaction.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        signature_id = insert_signature(values)
        if signature_id is not None:
            email_confirmation(
                campaign, signature_id, values["email"], values["name"], values["locale"]
            )
        return signature_id
    params = {**values, "title": campaign.title, "slug": campaign.slug}
    # A session that already began holds (or may hold) a pooled connection: taking a second
    # one per request could exhaust the pool under load, so join its transaction instead.
    if not own_transaction or db.session().in_transaction():
        signature_id = db.session.execute(_insert_and_email_statement(), params).scalar()
        if signature_id is not None:
            enqueue_after_commit("deliver_outbox")
        return signature_id
    # The values SQLAlchemy's column types would have converted, for the driver itself.
    params["visibility"] = Visibility(params["visibility"]).value
    params["source"] = SignatureSource(params["source"]).value
    signature_id, retried = _autocommit(_insert_and_email_sql(), params)
    # After a retry, "nothing inserted" may mean the first try did insert, and its reply was
    # lost: ask for delivery anyway, so that email goes out now rather than at the sweep.
    if signature_id is not None or retried:
        enqueue_now("deliver_outbox")
    return signature_id


def _autocommit_engine() -> sa.Engine:
    """This app's pool of autocommit connections, not pinged before use; made on first use.

    Disposed with the app's own engine, so whatever closes that closes these too.
    """
    engine = current_app.extensions.get(AUTOCOMMIT_ENGINE)
    if engine is not None:
        return engine
    with _engine_lock:
        engine = current_app.extensions.get(AUTOCOMMIT_ENGINE)
        if engine is None:
            main = db.engine
            options = {
                **current_app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                "pool_pre_ping": False,
                "isolation_level": "AUTOCOMMIT",
                "pool_reset_on_return": None,  # nothing to roll back: every statement commits
            }
            engine = sa.create_engine(main.url, **options)
            sa.event.listen(main, "engine_disposed", lambda _: engine.dispose())
            current_app.extensions[AUTOCOMMIT_ENGINE] = engine
    return engine


@functools.cache
def _insert_and_email_sql() -> str:
    """The PostgreSQL statement as psycopg (config.py's driver) takes it: %(name)s parameters."""
    return str(_insert_and_email_statement().compile(dialect=postgresql.psycopg.dialect()))


def _autocommit(sql: str, params: dict) -> tuple:
    """Run one idempotent statement on its own: the first column of its first row (or None),
    and whether it had to be sent twice.

    A dead connection means the server went away (a restart, a failover), which takes every
    pooled connection with it: the whole pool is emptied, as SQLAlchemy does for its own
    connections, and the statement sent once more on a fresh one. Driver errors are raised as
    SQLAlchemy's, as every other query's are, so an outage still answers 503 (core.errors).
    """
    engine = _autocommit_engine()
    try:
        return _run_once(engine, sql, params), False
    except sa.exc.DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    engine.dispose()  # the idle connections died with this one
    return _run_once(engine, sql, params), True


def _run_once(engine: sa.Engine, sql: str, params: dict):
    """One try on one pooled connection."""
    dbapi = engine.dialect.loaded_dbapi
    connection = None
    try:
        connection = engine.raw_connection()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return row[0] if row else None
    except dbapi.Error as exc:  # connecting failed (no connection), or the statement did
        dead = connection is not None and engine.dialect.is_disconnect(
            exc, connection.dbapi_connection, None
        )
        if dead:
            connection.invalidate(exc)
        raise sa.exc.DBAPIError.instance(
            sql, params, exc, dbapi.Error, hide_parameters=True, connection_invalidated=dead,
            dialect=engine.dialect,
        ) from exc  # fmt: skip
    finally:
        if connection is not None:
            connection.close()
