"""Queueing email: one outbox row per message, in the caller's transaction."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from campaigns.extensions import db
from campaigns.jobs import enqueue_after_commit
from campaigns.models import OutboxEmail

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
}


_INSERT = sa.insert(OutboxEmail.__table__)


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
