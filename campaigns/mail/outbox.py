"""Queueing email: one outbox row per message, in the caller's transaction."""

from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from campaigns.extensions import db
from campaigns.jobs import enqueue_after_commit
from campaigns.models import OutboxEmail, OutboxState

SUBJECTS = {
    "verify_email": _l("Confirm your email address"),
    "already_registered": _l("Someone tried to register with your email address"),
    "reset_password": _l("Reset your password"),
    "password_changed": _l("Your password was changed"),
    "account_deleted": _l("Your account was deleted"),
    "campaign_approved": _l("Your campaign is live"),
    "campaign_rejected": _l("Your campaign was not published"),
    "organizer_invitation": _l("You are invited to co-organize a campaign"),
    "signature_confirm": _l("Confirm your signature"),
    "milestone_reached": _l("Your campaign reached a milestone"),
    "signer_update": _l("News from a campaign you signed"),
    "victory_confirmed": _l("Your campaign's victory is confirmed"),
    "victory_declined": _l("Your victory claim was declined"),
}


_INSERT = sa.insert(OutboxEmail.__table__)
_DIALECT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
# Per template, what makes its links from the ids in the payload when the email is rendered.
# Signed tokens and absolute URLs cost more than the INSERT itself, so the signing path
# stores the signature's id and the worker makes the links (DESIGN.md section 3).
_LINK_BUILDERS: dict[str, Callable[[dict], dict]] = {}
# Per template, what sets its subject, sender name and extra headers from the rendering
# context, for emails whose envelope depends on their subject (a discreet campaign, say).
_ENVELOPE_BUILDERS: dict[str, Callable[[dict], dict]] = {}


class EmailCancelled(Exception):
    """What the email was about is gone (an update deleted, a signer unsubscribed): never send."""


def links_at_delivery(*templates: str):
    """Register a function that adds links to these templates' payloads when rendered."""

    def register(build: Callable[[dict], dict]) -> Callable[[dict], dict]:
        for template in templates:
            _LINK_BUILDERS[template] = build
        return build

    return register


def envelope_at_delivery(*templates: str):
    """Register a function giving these templates' envelope from their rendering context.

    It returns any of "subject", "sender_name" (the From display name) and "headers"
    (a dict of extra headers, see messages.EXTRA_HEADERS); what it leaves out is the default.
    It runs in the recipient's locale, after the links were made.
    """

    def register(build: Callable[[dict], dict]) -> Callable[[dict], dict]:
        for template in templates:
            _ENVELOPE_BUILDERS[template] = build
        return build

    return register


def email_context(template: str, payload: dict) -> dict:
    """What an email's templates see: its payload and the links made for it now."""
    build = _LINK_BUILDERS.get(template)
    return {**payload, **build(payload)} if build else dict(payload)


def email_envelope(template: str, context: dict) -> dict:
    """The subject, sender name and headers a template sets for this email ({} for defaults)."""
    build = _ENVELOPE_BUILDERS.get(template)
    return build(context) if build else {}


def email_insert_from(
    source, template: str, *, recipient, payload, locale, created_at, dedupe_key=None,
    dialect: str | None = None,
):  # fmt: skip
    """INSERT ... SELECT one due outbox row per row of `source` (a CTE); values are SQL.

    For a hot path that queues its email in the same statement as the change causing it.
    When rows went in, the caller asks for the delivery job: enqueue_after_commit, or
    enqueue_now if the statement committed on its own.

    With a dedupe_key (SQL) and the dialect's name, a row whose key is queued already is
    skipped (ON CONFLICT (dedupe_key) DO NOTHING), so a retried bulk insert adds nothing.
    """
    if template not in SUBJECTS:
        raise ValueError(f"unknown email template {template!r}")
    # Constants are written into the SQL (template names are identifiers from SUBJECTS).
    values = {
        "recipient": recipient,
        "template": sa.literal_column(f"'{template}'"),
        "payload": payload,
        "locale": locale,
        "state": sa.literal_column(f"'{OutboxState.PENDING.value}'"),
        "attempts": sa.literal_column("0"),
        "next_attempt_at": created_at,
        "created_at": created_at,
    }
    table = OutboxEmail.__table__
    if dedupe_key is None:
        return sa.insert(table).from_select(
            list(values), sa.select(*values.values()).select_from(source)
        )
    values["dedupe_key"] = dedupe_key
    # SQLite reads "SELECT ... FROM x ON CONFLICT" as a join unless the SELECT has a WHERE.
    rows = sa.select(*values.values()).select_from(source).where(sa.true())
    insert = _DIALECT_INSERTS[dialect](table).from_select(list(values), rows)
    # The unique index is partial (keyed rows only): the conflict target names its predicate.
    return insert.on_conflict_do_nothing(
        index_elements=["dedupe_key"], index_where=table.c.dedupe_key.is_not(None)
    )


def queue_email(recipient: str, template: str, *, locale: str = "en", **payload) -> None:
    """Add an email to the outbox; it is sent only if the surrounding transaction commits.

    A plain INSERT on the table rather than an ORM object or ORM-enabled insert: signing
    queues one per request, and the ORM's bookkeeping would cost more than the insert.
    """
    if template not in SUBJECTS:
        raise ValueError(f"unknown email template {template!r}")
    row = {"recipient": recipient, "template": template, "payload": payload, "locale": locale}
    db.session.execute(_INSERT, row)
    enqueue_after_commit("deliver_outbox")
