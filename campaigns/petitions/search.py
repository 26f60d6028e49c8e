"""The text search matches: kept on the campaign row so one index covers it."""

from campaigns.models import Campaign


def search_text_for(campaign: Campaign) -> str:
    """Title, summary, body and decision makers, casefolded for matching in any script."""
    parts = [campaign.title or "", campaign.summary or "", campaign.body or ""]
    for maker in campaign.decision_makers:
        parts += [maker.name or "", maker.title or "", maker.organization or ""]
    return "\n".join(p for p in parts if p).casefold()


def refresh_search_text(campaign: Campaign) -> None:
    """Recompute the campaign's search text after an edit."""
    campaign.search_text = search_text_for(campaign)
