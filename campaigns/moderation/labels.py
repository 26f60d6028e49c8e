"""Human, translated names for rejection reasons, report reasons and resolutions."""

from flask_babel import lazy_gettext as _l

from campaigns.models import RejectionReason, ReportReason, ReportResolution

REJECTION_LABELS = {
    RejectionReason.DUPLICATE: _l("Duplicate of another campaign"),
    RejectionReason.OFF_TOPIC: _l("Off-topic"),
    RejectionReason.NO_DECISION_MAKER: _l("No real decision maker"),
    RejectionReason.PRIVATE_PERSON: _l("Names a private person"),
    RejectionReason.LIBELLOUS: _l("Libellous or about a court case"),
    RejectionReason.SPAM: _l("Spam"),
}

REPORT_LABELS = {
    ReportReason.SPAM: _l("Spam or advertising"),
    ReportReason.LIBELLOUS: _l("Libellous or about a court case"),
    ReportReason.PRIVATE_PERSON: _l("Names a private person"),
    ReportReason.HARASSMENT: _l("Harassment or hate"),
    ReportReason.MISLEADING: _l("Misleading or false"),
    ReportReason.OTHER: _l("Something else"),
}

RESOLUTION_LABELS = {
    ReportResolution.DISMISSED: _l("Dismissed"),
    ReportResolution.HIDDEN: _l("Campaign hidden"),
}


def label_globals() -> dict:
    """The label tables, for templates (emails included, which render outside requests)."""
    return {
        "REJECTION_LABELS": REJECTION_LABELS,
        "REPORT_LABELS": REPORT_LABELS,
        "RESOLUTION_LABELS": RESOLUTION_LABELS,
    }
