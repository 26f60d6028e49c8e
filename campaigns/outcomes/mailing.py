"""Emailing updates to consenting signers: the fan-out into the outbox, and the email itself.

Posting an update only stamps `emailed_at` and asks for the `send_update_emails` job. The job
queues one outbox row per recipient in batches of UPDATE_FANOUT_BATCH_SIZE, walking the
partial index ix_signature_update_recipients in id order. Each batch commits with the update's
cursor, and every row carries a unique dedupe key, so a job that dies and runs again resumes
where it stopped and never queues anyone twice.
"""

import functools

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from campaigns.core.urls import absolute_url
from campaigns.extensions import db
from campaigns.jobs import enqueue_after_commit
from campaigns.mail.messages import sender_display_name
from campaigns.mail.outbox import (
    EmailCancelled,
    email_insert_from,
    envelope_at_delivery,
    links_at_delivery,
)
from campaigns.models import Campaign, OutboxEmail, Signature, SignatureState, Update, utcnow
from campaigns.outcomes.unsubscribe import make_unsubscribe_token
from campaigns.outcomes.updates import KIND_LABELS
from campaigns.signatures.notify import signer_links

TEMPLATE = "signer_update"
# Campaign titles are up to 160 characters; a From name longer than a line gets cut anyway.
SENDER_TITLE_MAX = 50


def recipients():
    """Who gets a campaign's update emails: the predicate of ix_signature_update_recipients.

    Written as the index's own predicate, with the state as a literal rather than a bound
    parameter, so that the planners (a generic PostgreSQL plan too) can use the index.
    """
    return sa.and_(
        Signature.state == sa.literal_column(f"'{SignatureState.CONFIRMED.value}'"),
        Signature.consent_updates,
        sa.not_(Signature.suspect),
    )


def updates_to_send() -> list[int]:
    """Ids of updates whose email was requested and whose fan-out has not finished."""
    return list(
        db.session.scalars(
            sa.select(Update.id)
            .where(
                Update.emailed_at.is_not(None),
                Update.email_queued_at.is_(None),
                Update.deleted_at.is_(None),
            )
            .order_by(Update.id)
        )
    )


def fan_out_updates() -> dict[int, int]:
    """Fan out every update waiting to be emailed; {update id: recipients queued}."""
    waiting = updates_to_send()
    db.session.commit()
    done = {}
    for update_id in waiting:
        queued = fan_out_update(update_id)
        if queued is not None:
            done[update_id] = queued
    return done


def _claim(update_id: int):
    """The update's fan-out state, row-locked; None if finished, deleted or another worker's.

    SKIP LOCKED on PostgreSQL: a second worker leaves the update to the first one. SQLite
    ignores the lock; the guarded cursor update in _advance keeps workers apart there.
    """
    return db.session.execute(
        sa.select(Update.id, Update.campaign_id, Update.email_cursor)
        .where(
            Update.id == update_id,
            Update.emailed_at.is_not(None),
            Update.email_queued_at.is_(None),
            Update.deleted_at.is_(None),
        )
        .with_for_update(skip_locked=True)
    ).first()


def _batch_end(campaign_id: int, cursor: int, size: int) -> int | None:
    """The last signature id of the next batch of recipients after `cursor` (None: no more)."""
    ids = (
        sa.select(Signature.id)
        .where(Signature.campaign_id == campaign_id, recipients(), Signature.id > cursor)
        .order_by(Signature.id)
        .limit(size)
        .subquery()
    )
    return db.session.scalar(sa.select(sa.func.max(ids.c.id)))


def _json_object(dialect: str, **values):
    """A JSON object built in SQL (json_build_object on PostgreSQL, json_object on SQLite)."""
    build = sa.func.json_build_object if dialect == "postgresql" else sa.func.json_object
    args = []
    for key, value in values.items():
        args += [sa.literal_column(f"'{key}'"), value]
    return build(*args)


def _queue_batch(update_id: int, campaign_id: int, cursor: int, end: int) -> int:
    """Queue the update's email for recipients with ids in (cursor, end]; how many went in."""
    dialect = db.session.get_bind().dialect.name
    batch = (
        sa.select(Signature.id, Signature.email, Signature.locale)
        .where(
            Signature.campaign_id == campaign_id,
            recipients(),
            Signature.id > cursor,
            Signature.id <= end,
        )
        .subquery("recipients")  # not a CTE: SQLite reports no rowcount for WITH ... INSERT
    )
    now = sa.bindparam("now", utcnow(), type_=OutboxEmail.__table__.c.created_at.type)
    insert = email_insert_from(
        batch, TEMPLATE, recipient=batch.c.email, locale=batch.c.locale, created_at=now,
        payload=_json_object(dialect, update_id=sa.literal(update_id), signature_id=batch.c.id),
        dedupe_key=sa.literal(f"update:{update_id}:") + sa.cast(batch.c.id, sa.String),
        dialect=dialect,
    )  # fmt: skip
    # SQLAlchemy keeps an INSERT's rowcount only when asked: rows skipped as dupes don't count.
    return db.session.execute(insert.execution_options(preserve_rowcount=True)).rowcount


def _advance(update_id: int, cursor: int, end: int, queued: int) -> bool:
    """Move the cursor past this batch, unless another worker moved it first."""
    result = db.session.execute(
        sa.update(Update)
        .where(Update.id == update_id, Update.email_cursor == cursor)
        .values(email_cursor=end, email_recipients=Update.email_recipients + queued)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _finish(update_id: int) -> int:
    """Stamp the fan-out finished; returns how many recipients were queued in all."""
    db.session.execute(
        sa.update(Update)
        .where(Update.id == update_id, Update.email_queued_at.is_(None))
        .values(email_queued_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return db.session.scalar(sa.select(Update.email_recipients).where(Update.id == update_id))


def fan_out_update(update_id: int) -> int | None:
    """Queue one email per recipient of an update, a committed batch at a time.

    Returns the number of recipients queued, or None when there is nothing to do here
    (finished, deleted, or another worker is on it).
    """
    size = current_app.config["UPDATE_FANOUT_BATCH_SIZE"]
    while True:
        state = _claim(update_id)
        if state is None:
            db.session.rollback()
            return None
        end = _batch_end(state.campaign_id, state.email_cursor, size)
        if end is None:
            total = _finish(update_id)
            db.session.commit()
            return total
        queued = _queue_batch(update_id, state.campaign_id, state.email_cursor, end)
        if not _advance(update_id, state.email_cursor, end, queued):
            db.session.rollback()  # another worker queued this batch meanwhile: read again
            continue
        # Delivery starts with the first batch instead of waiting for the last one.
        enqueue_after_commit("deliver_outbox")
        db.session.commit()


# What an update email reads when it is sent (one query per email, nothing cached, so a
# deletion or an unsubscribe a moment ago is seen).
_FACTS = (
    Update.title, Update.kind, Update.body, Update.body_html, Update.deleted_at,
    Update.campaign_id, Campaign.title.label("campaign_title"), Campaign.slug,
    Campaign.discreet_email, Campaign.hidden_at, Signature.campaign_id.label("signed_campaign_id"),
    Signature.state, Signature.consent_updates, Signature.suspect,
)  # fmt: skip


@functools.cache
def _facts_query():
    """The query behind _facts, built once per process (it runs once per email)."""
    return (
        sa.select(*_FACTS)
        .join(Campaign, Campaign.id == Update.campaign_id)
        .join(Signature, Signature.id == sa.bindparam("signature_id"))
        .where(Update.id == sa.bindparam("update_id"))
    )


def _facts(update_id: int, signature_id: int):
    """What the email needs to know now: the update, its campaign and the signer's consent."""
    params = {"update_id": update_id, "signature_id": signature_id}
    return db.session.execute(_facts_query(), params).first()


def _still_wanted(facts) -> bool:
    """Whether the update still stands and the signer still wants its news."""
    return (
        facts is not None
        and facts.deleted_at is None
        and facts.hidden_at is None
        and facts.signed_campaign_id == facts.campaign_id
        and facts.state == SignatureState.CONFIRMED
        and facts.consent_updates
        and not facts.suspect
    )


@links_at_delivery(TEMPLATE)
def _update_email(payload: dict) -> dict:
    """The update's content and links, read when the email is sent.

    A deleted update, a hidden campaign, or a signer who withdrew or unsubscribed since the
    fan-out cancels the email.
    """
    facts = _facts(payload["update_id"], payload["signature_id"])
    if not _still_wanted(facts):
        raise EmailCancelled(f"update {payload['update_id']} is no longer wanted")
    unsubscribe = absolute_url(
        "unsubscribe.show", token=make_unsubscribe_token(payload["signature_id"])
    )
    updates = absolute_url("updates.index", slug=facts.slug)
    return {
        "update_title": facts.title,
        "update_kind": str(KIND_LABELS.get(str(facts.kind), "")),
        "update_body": facts.body,
        "update_body_html": facts.body_html,
        "campaign_title": facts.campaign_title,
        "discreet": facts.discreet_email,
        "update_link": f"{updates}#update-{payload['update_id']}",
        "campaign_link": absolute_url("petitions.show", slug=facts.slug),
        "unsubscribe_link": unsubscribe,
        "unsubscribe_all_link": f"{unsubscribe}?scope=all",
        **signer_links(payload["signature_id"]),
    }


def _sender_name(campaign_title: str) -> str:
    """ "<campaign> via Groundswell", the title shortened so the name fits on a line."""
    title = " ".join(campaign_title.split())
    if len(title) > SENDER_TITLE_MAX:
        title = title[: SENDER_TITLE_MAX - 1].rstrip() + "…"
    return _("%(campaign)s via %(site)s", campaign=title, site=sender_display_name())


@envelope_at_delivery(TEMPLATE)
def _update_envelope(context: dict) -> dict:
    """Subject and sender that name the campaign unless it is discreet; one-click unsubscribe."""
    headers = {
        "List-Unsubscribe": f"<{context['unsubscribe_link']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if context["discreet"]:
        return {"headers": headers}
    subject = _(
        "%(update)s — %(campaign)s",
        update=context["update_title"],
        campaign=context["campaign_title"],
    )
    return {
        "subject": subject,
        "sender_name": _sender_name(context["campaign_title"]),
        "headers": headers,
    }


@functools.cache
def _discreet_query():
    """A campaign's discreet_email by slug, built once (it runs once per confirmation)."""
    return sa.select(Campaign.discreet_email).where(Campaign.slug == sa.bindparam("slug"))


@envelope_at_delivery("signature_confirm")
def _confirmation_envelope(context: dict) -> dict:
    """The confirmation comes from "<campaign> via Groundswell" unless the campaign is discreet."""
    slug = context.get("slug")
    if slug is None:
        return {}
    discreet = db.session.scalar(_discreet_query(), {"slug": slug})
    if discreet is None or discreet:
        return {}
    return {"sender_name": _sender_name(context["title"])}
