"""Moderators' decisions on reported reasons: hide one from the public, or keep it.

Each verb is one guarded UPDATE, so two moderators deciding at once cannot both act;
the loser is told it was already dealt with. Both flush, never commit.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from campaigns.core.services import record_audit
from campaigns.extensions import db
from campaigns.models import Signature, User, utcnow
from campaigns.signatures.services import SignError


def _decide(signature: Signature, guards: list, values: dict) -> None:
    """Apply values when the guards still hold; SignError (409) when they no longer do."""
    done = db.session.execute(
        sa.update(Signature)
        .where(Signature.id == signature.id, Signature.reason.is_not(None), *guards)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise SignError(_("This reason has already been dealt with."), status=409)
    db.session.refresh(signature)


def hide_reason(actor: User, signature: Signature) -> None:
    """Hide the signature's reason from every public page; the reports stay on record."""
    reports = signature.reason_reports
    now = utcnow()
    _decide(
        signature,
        [Signature.reason_hidden_at.is_(None)],
        {"reason_hidden_at": now, "reason_reviewed_at": now},
    )
    record_audit(
        actor,
        "signature.reason_hidden",
        signature,
        campaign_id=signature.campaign_id,
        reports=reports,
    )
    db.session.flush()


def keep_reason(actor: User, signature: Signature) -> None:
    """Keep the reason public; its reports are dismissed and it leaves the queue."""
    reports = signature.reason_reports
    _decide(
        signature,
        # Reports cleared by an earlier keep leave nothing to decide until someone reports again.
        [Signature.reason_hidden_at.is_(None), Signature.reason_reports > 0],
        {"reason_reviewed_at": utcnow(), "reason_reports": 0},
    )
    record_audit(
        actor,
        "signature.reason_kept",
        signature,
        campaign_id=signature.campaign_id,
        reports=reports,
    )
    db.session.flush()
