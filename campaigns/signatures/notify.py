"""Emails about signatures: the signer's confirmation, and organizers' milestones."""

import sqlalchemy as sa

from campaigns.core.urls import absolute_url
from campaigns.extensions import db
from campaigns.mail.outbox import links_at_delivery, queue_email
from campaigns.models import Campaign, User, campaign_organizer
from campaigns.signatures.tokens import make_confirm_token, make_withdraw_token


def signer_links(signature_id: int) -> dict:
    """The withdraw link every email to a signer carries."""
    token = make_withdraw_token(signature_id)
    return {"withdraw_link": absolute_url("signatures.withdraw", token=token)}


def email_confirmation(
    campaign: Campaign, signature_id: int, email: str, name: str, locale: str
) -> None:
    """Queue the email whose link confirms the signature; its links are made at delivery."""
    queue_email(
        email,
        "signature_confirm",
        locale=locale,
        name=name,
        title=campaign.title,
        slug=campaign.slug,
        signature_id=signature_id,
    )


@links_at_delivery("signature_confirm")
def _confirmation_links(payload: dict) -> dict:
    """The confirm, withdraw and campaign links of a confirmation email.

    The confirm token is signed when the email is rendered, so its 7 days start then.
    Rows queued before links were made at delivery carry their links and no signature id.
    """
    signature_id = payload.get("signature_id")
    if signature_id is None:
        return {}
    return {
        "campaign_link": absolute_url("petitions.show", slug=payload["slug"]),
        "confirm_link": absolute_url("signatures.confirm", token=make_confirm_token(signature_id)),
        **signer_links(signature_id),
    }


def organizers(campaign_id: int) -> list[User]:
    """The owner and co-organizers of a campaign."""
    co = sa.select(campaign_organizer.c.user_id).where(
        campaign_organizer.c.campaign_id == campaign_id
    )
    owner = sa.select(Campaign.owner_id).where(Campaign.id == campaign_id)
    return list(
        db.session.scalars(sa.select(User).where(sa.or_(User.id.in_(co), User.id.in_(owner))))
    )


def email_organizers_milestones(campaign_id: int, passed: list[tuple[int, str]]) -> None:
    """Tell each organizer, in their language, that the campaign passed milestones."""
    campaign = db.session.get(Campaign, campaign_id)
    link = absolute_url("petitions.show", slug=campaign.slug)
    for user in organizers(campaign_id):
        for threshold, label in passed:
            queue_email(
                user.email, "milestone_reached", locale=user.locale or "en",
                name=user.display_name, title=campaign.title, threshold=threshold,
                label=label, is_goal=threshold == campaign.goal and not label, link=link,
            )  # fmt: skip
