"""Downloading a campaign's confirmed signatures as CSV (organizers and admins)."""

from flask import Blueprint, Response, abort, stream_with_context
from flask_login import current_user, login_required

from campaigns.core.services import RuleError
from campaigns.extensions import db
from campaigns.petitions.queries import campaign_for_viewer
from campaigns.signatures import export

bp = Blueprint("exports", __name__)


@bp.get("/campaigns/<slug>/signatures.csv")
@login_required
def signatures_csv(slug: str):
    """The CSV, streamed so that a million rows never sit in memory; the export is audited."""
    campaign = campaign_for_viewer(slug, current_user)
    try:
        export.start_export(current_user, campaign)
    except RuleError as exc:
        abort(exc.status, exc.message)
    campaign_id, first_line = campaign.id, export.header()
    headers = {
        "Content-Disposition": f'attachment; filename="{campaign.slug}-signatures.csv"',
        "Cache-Control": "private, no-store",
    }
    db.session.commit()  # the audit event stands even if the download is cut short
    lines = stream_with_context(export.csv_lines(campaign_id, first_line))
    return Response(lines, mimetype="text/csv", headers=headers)
