"""What the campaign page shows about signing: the right form, or why there is none."""

from flask import current_app

from campaigns.models import Campaign, User, utcnow
from campaigns.signatures import queries
from campaigns.signatures.forms import (
    VISIBILITY_HINTS,
    SignDetailsForm,
    SignForm,
    sign_form,
)
from campaigns.signatures.services import closed_reason


def signs_in_one_click(user: User | None) -> bool:
    """Members with a confirmed email sign without a confirmation email."""
    return bool(user is not None and user.is_authenticated and user.email_verified)


def new_sign_form(campaign: Campaign, user: User | None) -> SignDetailsForm:
    """The form this visitor signs with: the one-click member form or the guest form."""
    form_class = SignDetailsForm if signs_in_one_click(user) else SignForm
    return sign_form(form_class, campaign.country)


def signing_context(campaign: Campaign, user: User | None, form=None) -> dict:
    """Template values for the sign form and the recent signers list."""
    closed = closed_reason(campaign)
    if form is None and closed is None:
        form = new_sign_form(campaign, user)
    signers = []
    if campaign.is_published:
        signers = queries.recent_signers(campaign, current_app.config["RECENT_SIGNERS"])
    return {
        "sign_form": None if closed else form,
        "sign_closed": closed,
        "sign_as_member": signs_in_one_click(user),
        "sign_unverified": bool(user is not None and user.is_authenticated)
        and not signs_in_one_click(user),
        "visibility_hints": VISIBILITY_HINTS,
        "signers": signers,
        "now": utcnow(),
    }
