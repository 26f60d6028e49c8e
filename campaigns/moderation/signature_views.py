"""Moderators' tools for signatures: floods on a campaign, and reported reasons."""

from collections.abc import Callable
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from campaigns.auth.decorators import role_required
from campaigns.core.forms import EmptyForm
from campaigns.database import SIGNATURE_ID
from campaigns.extensions import db
from campaigns.models import Campaign, Role, Signature, utcnow
from campaigns.moderation.signature_forms import BulkForm
from campaigns.petitions.queries import campaign_by_slug
from campaigns.signatures import abuse, reason_moderation
from campaigns.signatures import moderation_queries as queries
from campaigns.signatures.services import SignError

MAX_HOURS = 72
MAX_PAGE = 10_000

bp = Blueprint("signature_moderation", __name__)


def _campaign_or_404(slug: str) -> Campaign:
    """Any campaign by slug: moderators may see them all."""
    return campaign_by_slug(slug, page=False)


def _hours() -> int:
    """The ?hours= window, 1 to 72 (default 1); 400 for anything else."""
    raw = request.args.get("hours", "1").strip()
    # Checked as text first: int() would accept "+5", " 5" or other digits than ASCII ones.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 2 and 1 <= int(raw) <= MAX_HOURS):
        abort(400, _("Choose a number of hours from 1 to %(n)d.", n=MAX_HOURS))
    return int(raw)


def _signatures_page(campaign: Campaign, form: BulkForm | None = None, status: int = 200):
    """The flood view of one campaign, with a form that failed validation if any."""
    hours = _hours()
    since = utcnow() - timedelta(hours=hours)
    return render_template(
        "moderation/signatures.html",
        campaign=campaign,
        hours=hours,
        since=since,
        ip_hashes=queries.busiest_ip_hashes(campaign, since),
        domains=queries.busiest_domains(campaign, since),
        suspect=queries.suspect_waiting(campaign),
        pending_delta=queries.pending_delta(campaign),
        form=form or BulkForm(formdata=None),
    ), status


def _bulk(slug: str, action: Callable[..., int], done: Callable[[int], str]):
    """Validate the bulk form, run one service, commit and go back; or show why not."""
    campaign = _campaign_or_404(slug)
    form = BulkForm()
    if not form.validate_on_submit():
        return _signatures_page(campaign, form, status=400)
    data = form.data
    selection = abuse.Selection(data["domain"], data["ip_hash"], data["since"], data["until"])
    try:
        affected = action(campaign, form, selection)
    except SignError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _signatures_page(campaign, form, status=exc.status)
    db.session.commit()
    flash(done(affected), "success")
    return redirect(url_for(".signatures", slug=campaign.slug), 303)


@bp.get("/campaigns/<slug>/signatures")
@role_required(Role.MODERATOR)
def signatures(slug: str):
    """The campaign's busiest address hashes and domains lately, and what is held as suspect."""
    return _signatures_page(_campaign_or_404(slug))


@bp.post("/campaigns/<slug>/signatures/invalidate")
@role_required(Role.MODERATOR)
def invalidate(slug: str):
    """Invalidate the selected signatures; counted ones leave the count."""

    def action(campaign, form, selection):
        """Invalidate with the form's note."""
        return abuse.invalidate(current_user, campaign, selection, note=form.note.data or "")

    def done(n: int) -> str:
        """The flash message."""
        return ngettext(
            "%(count)s signature invalidated.", "%(count)s signatures invalidated.", n,
            count=format_number(n),
        )  # fmt: skip

    return _bulk(slug, action, done)


@bp.post("/campaigns/<slug>/signatures/release")
@role_required(Role.MODERATOR)
def release(slug: str):
    """Release the selected suspect signatures: they count, or get their email."""

    def action(campaign, form, selection):
        """Release; the note is not used."""
        return abuse.release(current_user, campaign, selection)

    def done(n: int) -> str:
        """The flash message."""
        return ngettext(
            "%(count)s suspect signature released.", "%(count)s suspect signatures released.", n,
            count=format_number(n),
        )  # fmt: skip

    return _bulk(slug, action, done)


def _reasons_page(status: int = 200):
    """The reported reasons awaiting a decision, one page of them."""
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    page = db.paginate(queries.reported_reasons_query(), page=number, per_page=30, error_out=False)
    return render_template(
        "moderation/reasons.html",
        page=page,
        rows=queries.reported_reasons(page.items),
        button=EmptyForm(formdata=None),
    ), status


def _decide_reason(signature_id: int, verb: Callable[..., None], done: str):
    """Run one decision on a reported reason: commit and go back, or show why not."""
    signature = db.get_or_404(Signature, signature_id)
    if not EmptyForm().validate_on_submit():
        return _reasons_page(status=400)
    try:
        verb(current_user, signature)
    except SignError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _reasons_page(status=exc.status)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".reasons"), 303)


@bp.get("/reasons")
@role_required(Role.MODERATOR)
def reasons():
    """Reasons for signing that someone reported, the longest-reported first."""
    return _reasons_page()


@bp.post(f"/reasons/{SIGNATURE_ID}/hide")
@role_required(Role.MODERATOR)
def hide_reason(signature_id: int):
    """Hide a reported reason from the public."""
    return _decide_reason(signature_id, reason_moderation.hide_reason, _("The reason is hidden."))


@bp.post(f"/reasons/{SIGNATURE_ID}/keep")
@role_required(Role.MODERATOR)
def keep_reason(signature_id: int):
    """Keep a reported reason public and dismiss its reports."""
    return _decide_reason(
        signature_id, reason_moderation.keep_reason, _("The reason stays public.")
    )
