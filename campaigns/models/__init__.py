"""Typed SQLAlchemy models, one module per aggregate, re-exported here."""

from campaigns.database import utcnow
from campaigns.models.audit import AuditEvent
from campaigns.models.campaign import (
    Campaign,
    CampaignStatus,
    DecisionMaker,
    Milestone,
    RejectionReason,
    Scope,
    campaign_organizer,
)
from campaigns.models.outbox import OutboxEmail, OutboxState
from campaigns.models.signature import Signature, SignatureSource, SignatureState, Visibility
from campaigns.models.update import Update, UpdateKind
from campaigns.models.user import Role, User

__all__ = [
    "AuditEvent",
    "Campaign",
    "CampaignStatus",
    "DecisionMaker",
    "Milestone",
    "OutboxEmail",
    "OutboxState",
    "RejectionReason",
    "Role",
    "Scope",
    "Signature",
    "SignatureSource",
    "SignatureState",
    "Update",
    "UpdateKind",
    "User",
    "Visibility",
    "campaign_organizer",
    "utcnow",
]
