"""Victories: declaring, the admin queue and decisions, and the public /victories list."""

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from campaigns.auth.decorators import role_required
from campaigns.core.forms import EmptyForm
from campaigns.core.services import RuleError
from campaigns.extensions import db
from campaigns.models import Role, VictoryClaim, utcnow
from campaigns.outcomes import victories, victory_queries
from campaigns.outcomes.feeds import ATOM, feed_helpers
from campaigns.outcomes.victory_forms import DeclineForm, RevokeForm, VictoryForm
from campaigns.petitions import queries

bp = Blueprint("victories", __name__)


def latest_claim_once(campaign) -> VictoryClaim | None:
    """The campaign's latest claim, looked up once per request (several slots ask)."""
    cache = g.setdefault("victory_latest_claims", {})
    if campaign.id not in cache:
        cache[campaign.id] = victory_queries.latest_claim(campaign)
    return cache[campaign.id]


@bp.app_context_processor
def inject_victory_helpers():
    """What the campaign page's victory slots ask about."""
    return {"latest_victory_claim": latest_claim_once, "can_be_won": victories.can_be_won}


def show_refusal(form, exc: RuleError) -> None:
    """Put a service's refusal on the field it concerns, or on the whole form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


@bp.get("/victories")
def index():
    """Confirmed victories, newest first."""
    page = victory_queries.victories_page(request.args.get("page", 1, type=int))
    return render_template("outcomes/victories.html", page=page)


@bp.get("/victories.atom")
def feed():
    """The confirmed victories as an Atom 1.0 feed."""
    entries = victory_queries.feed_victories()
    stamps = [c.victory_confirmed_at for c in entries if c.victory_confirmed_at]
    updated = max(stamps, default=utcnow())
    response = make_response(
        render_template(
            "outcomes/victories.xml", entries=entries, updated=updated, **feed_helpers()
        )
    )
    response.headers["Content-Type"] = ATOM
    return response


@bp.route("/campaigns/<slug>/victory", methods=["GET", "POST"])
@login_required
def declare(slug: str):
    """An organizer declares victory with a summary and an evidence link."""
    campaign = queries.campaign_for_organizer(slug, current_user)
    form = VictoryForm()
    status = 200
    if form.validate_on_submit():
        try:
            victories.declare_victory(
                current_user, campaign, summary=form.summary.data,
                evidence_url=form.evidence_url.data,
            )  # fmt: skip
        except RuleError as exc:
            db.session.rollback()
            if exc.status in (403, 404):
                abort(exc.status, exc.message)
            show_refusal(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(_("Victory declared. An admin will check it soon."), "success")
            return redirect(url_for("petitions.show", slug=slug))
    refusal = victories.declare_refusal(campaign)
    status = 422 if form.errors and status == 200 else status
    return render_template(
        "outcomes/victory_form.html", form=form, campaign=campaign, refusal=refusal
    ), status


def _queue_page(status: int = 200, failed: tuple[int, DeclineForm] | None = None):
    """The victory claims queue; a decline form that failed is shown with its errors."""
    page = victory_queries.pending_claims_page(request.args.get("page", 1, type=int))
    return render_template(
        "outcomes/victory_queue.html", page=page, decided=victory_queries.recent_decisions(),
        button=EmptyForm(formdata=None), decline_form=DeclineForm, failed=failed,
    ), status  # fmt: skip


def _decide(action: Callable[[], object], done: str):
    """Run an admin's decision: commit and go back to the queue, or show why it was refused."""
    try:
        action()
    except RuleError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _queue_page(status=exc.status)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("victories.queue"))


@bp.get("/admin/victories")
@role_required(Role.ADMIN)
def queue():
    """Claims waiting for an admin, oldest first, and the latest decisions."""
    return _queue_page()


@bp.post("/admin/victories/<int:claim_id>/confirm")
@role_required(Role.ADMIN)
def confirm(claim_id: int):
    """Confirm a claim: the campaign becomes a victory and signers are told."""
    claim = db.get_or_404(VictoryClaim, claim_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _decide(
        lambda: victories.confirm_victory(current_user, claim),
        _("Victory confirmed. The outcome is posted and signers will be emailed."),
    )


@bp.post("/admin/victories/<int:claim_id>/decline")
@role_required(Role.ADMIN)
def decline(claim_id: int):
    """Decline a claim with a reason the organizers see."""
    claim = db.get_or_404(VictoryClaim, claim_id)
    form = DeclineForm(prefix=f"d{claim.id}")
    if not form.validate_on_submit():
        return _queue_page(status=422, failed=(claim.id, form))
    return _decide(
        lambda: victories.decline_victory(current_user, claim, reason=form.reason.data),
        _("Claim declined. The organizers were told why."),
    )


def _admin_page(campaign, status: int = 200, **forms):
    """An admin's victory page for one campaign: mark it, or revoke it."""
    return render_template(
        "outcomes/mark_victory.html", campaign=campaign,
        pending=victories.pending_claim(campaign),
        form=forms.get("form") or VictoryForm(formdata=None),
        revoke_form=forms.get("revoke_form") or RevokeForm(formdata=None),
    ), status  # fmt: skip


@bp.route("/admin/campaigns/<slug>/victory", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def mark(slug: str):
    """An admin marks a victory directly, without an organizer's claim."""
    campaign = queries.campaign_by_slug(slug)
    form = VictoryForm()
    if not form.validate_on_submit():
        return _admin_page(campaign, 422 if form.errors else 200, form=form)
    try:
        victories.mark_victory(
            current_user, campaign, summary=form.summary.data, evidence_url=form.evidence_url.data
        )
    except RuleError as exc:
        db.session.rollback()
        show_refusal(form, exc)
        return _admin_page(campaign, exc.status, form=form)
    db.session.commit()
    flash(_("The campaign is a victory. Signers will be emailed."), "success")
    return redirect(url_for("petitions.show", slug=slug))


@bp.post("/admin/campaigns/<slug>/victory/revoke")
@role_required(Role.ADMIN)
def revoke(slug: str):
    """An admin revokes a confirmed victory, with a reason; the campaign is closed."""
    campaign = queries.campaign_by_slug(slug)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _admin_page(campaign, 422, revoke_form=form)
    try:
        victories.revoke_victory(current_user, campaign, reason=form.reason.data)
    except RuleError as exc:
        db.session.rollback()
        show_refusal(form, exc)
        return _admin_page(campaign, exc.status, revoke_form=form)
    db.session.commit()
    flash(_("The victory was revoked and the campaign is closed."), "success")
    return redirect(url_for("petitions.show", slug=slug))
