"""Typed SQLAlchemy models, one module per aggregate, re-exported here."""

from campaigns.database import utcnow
from campaigns.models.audit import AuditEvent
from campaigns.models.campaign import (
    Campaign,
    CampaignStatus,
    DecisionMaker,
    Milestone,
    RejectionReason,
    campaign_organizer,
)
from campaigns.models.category import Category
from campaigns.models.integration import (
    ApiKey,
    DeliveryState,
    ImportState,
    SignatureImport,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from campaigns.models.moderation import (
    CampaignInvitation,
    CampaignReport,
    CampaignRevision,
    ReportReason,
    ReportResolution,
)
from campaigns.models.outbox import OutboxEmail, OutboxState
from campaigns.models.signature import (
    Signature,
    SignatureDelta,
    SignatureSource,
    SignatureState,
    Visibility,
)
from campaigns.models.update import Update, UpdateKind
from campaigns.models.user import Role, User
from campaigns.models.victory import ClaimState, VictoryClaim

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Campaign",
    "CampaignInvitation",
    "CampaignReport",
    "CampaignRevision",
    "CampaignStatus",
    "Category",
    "ClaimState",
    "DecisionMaker",
    "DeliveryState",
    "ImportState",
    "Milestone",
    "OutboxEmail",
    "OutboxState",
    "RejectionReason",
    "ReportReason",
    "ReportResolution",
    "Role",
    "Signature",
    "SignatureDelta",
    "SignatureImport",
    "SignatureSource",
    "SignatureState",
    "Update",
    "UpdateKind",
    "User",
    "VictoryClaim",
    "Visibility",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "campaign_organizer",
    "utcnow",
]
