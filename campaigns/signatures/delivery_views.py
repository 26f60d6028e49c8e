"""The printable delivery document for a campaign's decision maker (organizers and admins)."""

from flask import Blueprint, Response, abort, get_flashed_messages, stream_template
from flask_login import current_user, login_required

from campaigns.core.services import RuleError
from campaigns.extensions import db
from campaigns.petitions.queries import campaign_for_viewer
from campaigns.signatures import delivery

bp = Blueprint("delivery", __name__)


@bp.get("/campaigns/<slug>/delivery")
@login_required
def document(slug: str):
    """The page to print: streamed over the signers, so a million names never sit in memory."""
    campaign = campaign_for_viewer(slug, current_user)
    try:
        doc = delivery.start_document(current_user, campaign)
    except RuleError as exc:
        abort(exc.status, exc.message)
    db.session.commit()  # the audit event stands even if the page is cut short
    # Take the flashes now: the streamed page renders after the session cookie is written,
    # so messages read only while rendering would show again on the next page.
    get_flashed_messages(with_categories=True)
    names = delivery.signers(doc.campaign_id)
    page = stream_template("signatures/delivery.html", doc=doc, signers=names)
    headers = {"Cache-Control": "private, no-store"}
    return Response(delivery.buffered(page), mimetype="text/html", headers=headers)
