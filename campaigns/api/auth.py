"""Who is calling (the API key in 'Authorization: Bearer <key>'), and what its key may read.

Both APIs (/api/v1 and the OSDI view) authorize and audit reading signatures here, so the
rule and its audit trail are one and the same whichever API a client uses.
"""

import functools
from datetime import timedelta

import sqlalchemy as sa
from flask import g, request
from flask_babel import gettext as _
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from campaigns.core.services import record_audit
from campaigns.extensions import db
from campaigns.models import ApiKey, AuditEvent, Campaign, utcnow

REALM = "groundswell"
READ_ACTION = "api.signatures_read"
# A sync job polling every minute would otherwise bury the audit log: one event an hour.
READ_AUDIT_EVERY = timedelta(hours=1)


def require_key() -> ApiKey:
    """The active key sent with the request, or a 401 asking for one."""
    from campaigns.api import keys  # the key verbs live with the account pages' part

    key = keys.authenticate(keys.key_from_request(request.headers))
    if key is None:
        raise Unauthorized(
            _("A valid API key is needed: send it as 'Authorization: Bearer <key>'."),
            www_authenticate=WWWAuthenticate("bearer", {"realm": REALM}),
        )
    return key


def may_read_signatures(key: ApiKey, campaign: Campaign) -> bool:
    """Organizers' keys read their own campaigns' signatures; admins' keys read any."""
    return campaign.can_run_tools(key.user)


def authorize_signatures_read(key: ApiKey, campaign: Campaign, api: str) -> None:
    """A 403 unless the key may read the campaign's signatures; else audit the read."""
    if not may_read_signatures(key, campaign):
        raise Forbidden()
    record_signatures_read(key, campaign, api)


def record_signatures_read(key: ApiKey, campaign: Campaign, api: str) -> bool:
    """Audit a key reading a campaign's signatures, once per key and campaign an hour."""
    # One probe of ix_audit_event_target (this campaign's events), narrowed by the rest.
    recent = db.session.scalar(
        sa.select(AuditEvent.id)
        .where(
            AuditEvent.target_type == "campaign",
            AuditEvent.target_id == str(campaign.id),
            AuditEvent.action == READ_ACTION,
            AuditEvent.actor_id == key.user_id,
            AuditEvent.created_at >= utcnow() - READ_AUDIT_EVERY,
            AuditEvent.details["key_id"].as_integer() == key.id,
        )
        .limit(1)
    )
    if recent is not None:
        return False
    record_audit(key.user, READ_ACTION, campaign, campaign_id=campaign.id, key_id=key.id,
                 key_prefix=key.prefix, api=api)  # fmt: skip
    return True


def key_required(view):
    """Refuse the request with a 401 unless it carries an active key (then in g.api_key)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        """Authenticate, then run the view."""
        g.api_key = require_key()
        return view(*args, **kwargs)

    return wrapped
