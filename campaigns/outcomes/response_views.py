"""Recording a decision maker's response."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from campaigns.core.services import RuleError
from campaigns.extensions import db
from campaigns.models import DecisionMaker
from campaigns.outcomes import responses
from campaigns.outcomes.victory_forms import ResponseForm
from campaigns.outcomes.victory_views import show_refusal
from campaigns.petitions import queries

bp = Blueprint("responses", __name__)


@bp.app_context_processor
def inject_response_helpers():
    """The campaign page asks who may record responses."""
    return {"may_record_response": responses.may_record_response}


def _recorded(maker: DecisionMaker) -> dict:
    """The recorded response as form data, to edit it."""
    day = maker.responded_at.date() if maker.responded_at else None
    return {"responded_at": day, "response": maker.response, "response_url": maker.response_url}


def _apply(form: ResponseForm, maker: DecisionMaker) -> None:
    """Do what the pressed button asks: remove the response, or save it."""
    if form.clear.data:
        responses.clear_response(current_user, maker)
    else:
        responses.record_response(
            current_user, maker, responded_at=form.responded_at.data,
            response_text=form.response.data, response_url=form.response_url.data,
        )  # fmt: skip


@bp.route("/campaigns/<slug>/decision-makers/<int:maker_id>/response", methods=["GET", "POST"])
@login_required
def record(slug: str, maker_id: int):
    """Record, correct or remove what a decision maker answered."""
    campaign = queries.campaign_for_viewer(slug, current_user)
    maker = next((m for m in campaign.decision_makers if m.id == maker_id), None)
    if maker is None:
        abort(404)
    if (refusal := responses.response_refusal(current_user, campaign)) is not None:
        abort(refusal.status, refusal.message)
    form = ResponseForm(data=_recorded(maker))
    status = 200
    if form.validate_on_submit():
        try:
            _apply(form, maker)
        except RuleError as exc:
            db.session.rollback()
            show_refusal(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(_("Response removed.") if form.clear.data else _("Response saved."), "success")
            return redirect(url_for("petitions.show", slug=slug))
    status = 422 if form.errors and status == 200 else status
    return render_template(
        "outcomes/response_form.html", form=form, campaign=campaign, maker=maker
    ), status
