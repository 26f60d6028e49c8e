"""Human labels for campaign states, in the reader's language."""

from flask_babel import lazy_gettext as _l

from campaigns.models import CampaignStatus

STATUS_LABELS = {
    CampaignStatus.DRAFT: _l("Draft"),
    CampaignStatus.PENDING_REVIEW: _l("Waiting for review"),
    CampaignStatus.OPEN: _l("Open"),
    CampaignStatus.CLOSED: _l("Closed"),
    CampaignStatus.VICTORY: _l("Victory"),
    CampaignStatus.REJECTED: _l("Not approved"),
}


def status_label(status: CampaignStatus) -> str:
    """A campaign state as people say it."""
    return str(STATUS_LABELS[status])
