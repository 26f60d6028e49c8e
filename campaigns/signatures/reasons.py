"""Reporting a signer's public reason, for moderators to review."""

import sqlalchemy as sa
from flask_babel import gettext as _

from campaigns.extensions import db
from campaigns.models import Campaign, Signature, SignatureState, utcnow
from campaigns.models.campaign import PUBLISHED
from campaigns.signatures.services import SignError


def report_reason(signature_id: int) -> Campaign:
    """Count one report against a reason the public can see; the campaign it is shown on.

    One guarded UPDATE: only confirmed, counted signatures with a reason that is not hidden,
    on a public campaign, can be reported. reason_reported_at holds the latest report, so a
    reason reported again after a moderator kept it returns to their queue.
    """
    public_campaigns = sa.select(Campaign.id).where(
        Campaign.status.in_(PUBLISHED), Campaign.hidden_at.is_(None)
    )
    campaign_id = db.session.execute(
        sa.update(Signature)
        .where(
            Signature.id == signature_id,
            Signature.state == SignatureState.CONFIRMED,
            Signature.suspect.is_(False),
            Signature.reason.is_not(None),
            Signature.reason_hidden_at.is_(None),
            Signature.campaign_id.in_(public_campaigns),
        )
        .values(reason_reports=Signature.reason_reports + 1, reason_reported_at=utcnow())
        .returning(Signature.campaign_id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if campaign_id is None:
        raise SignError(_("There is no reason to report here."), status=404)
    return db.session.get(Campaign, campaign_id)
