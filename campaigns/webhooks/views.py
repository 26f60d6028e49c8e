"""Organizers' webhook pages: endpoints, the add form, actions, and the delivery log."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from campaigns.auth.limits import form_ip_limit
from campaigns.core.forms import EmptyForm
from campaigns.core.services import RuleError
from campaigns.extensions import db, limiter
from campaigns.petitions.queries import campaign_for_viewer
from campaigns.webhooks import queries, services
from campaigns.webhooks.forms import EndpointForm

bp = Blueprint("webhooks", __name__)
NO_STORE = {"Cache-Control": "private, no-store"}  # the pages show signing secrets
MAX_PAGE = 10_000
ACTIONS = {
    "disable": (
        services.disable_endpoint,
        _l("The endpoint is disabled; nothing more is sent to it."),
    ),
    "enable": (services.enable_endpoint, _l("The endpoint is enabled again.")),
    "rotate": (
        services.rotate_secret,
        _l("The endpoint has a new secret; the old one no longer verifies."),
    ),
    "delete": (services.delete_endpoint, _l("The endpoint and its delivery log are deleted.")),
    "test": (services.send_test, _l("A test event is on its way; its delivery shows below.")),
}
ADDED = _l("The endpoint is added. Use its secret to check the signature of each request.")


@bp.app_template_global()
def webhook_panel(campaign):
    """What the dashboard's webhook section shows: None for those who may not manage them."""
    if not services.may_manage(current_user, campaign):
        return None
    endpoints = services.endpoints_of(campaign)
    return {"endpoints": endpoints, "deliveries": queries.latest_deliveries(campaign)}


def _campaign(slug: str):
    """The campaign, if the signed-in user may manage its webhooks: 404 if unseen, else 403."""
    campaign = campaign_for_viewer(slug, current_user)
    if not services.may_manage(current_user, campaign):
        abort(403)
    return campaign


def _endpoint(campaign, endpoint_id: int):
    """The campaign's endpoint, or 404."""
    endpoint = services.endpoint_of(campaign, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


@bp.route("/campaigns/<slug>/webhooks", methods=["GET", "POST"])
@login_required
@limiter.limit(form_ip_limit, methods=["POST"])
def index(slug: str):
    """The campaign's endpoints, their secrets and latest deliveries, and the add form."""
    campaign = _campaign(slug)
    form, status = EndpointForm(), 200
    if form.validate_on_submit():
        try:
            url, events = form.url.data, form.events.data
            services.register_endpoint(current_user, campaign, url=url, events=events)
        except RuleError as exc:
            getattr(form, exc.field or "url").errors.append(exc.message)
            status = exc.status
        else:
            db.session.commit()
            flash(str(ADDED), "success")
            return redirect(url_for("webhooks.index", slug=slug))
    elif form.is_submitted():
        status = 422
    return render_template(
        "webhooks/index.html", campaign=campaign, form=form, button=EmptyForm(),
        endpoints=services.endpoints_of(campaign), deliveries=queries.latest_deliveries(campaign),
        limit=services.endpoint_limit(),
    ), status, NO_STORE  # fmt: skip


@bp.post(
    "/campaigns/<slug>/webhooks/<int:endpoint_id>/<any(disable,enable,rotate,delete,test):action>"
)
@login_required
@limiter.limit(form_ip_limit)
def act(slug: str, endpoint_id: int, action: str):
    """Disable, enable, rotate the secret of, delete, or send a test event to an endpoint."""
    campaign = _campaign(slug)
    endpoint = _endpoint(campaign, endpoint_id)
    verb, done = ACTIONS[action]
    try:
        verb(current_user, endpoint)
    except RuleError as exc:
        abort(exc.status, exc.message)
    db.session.commit()
    flash(str(done), "success")
    if action == "test":
        return redirect(url_for("webhooks.log", slug=slug, endpoint_id=endpoint_id))
    return redirect(url_for("webhooks.index", slug=slug))


@bp.get("/campaigns/<slug>/webhooks/<int:endpoint_id>")
@login_required
def log(slug: str, endpoint_id: int):
    """An endpoint's delivery log: each event, its attempts, status codes and errors."""
    campaign = _campaign(slug)
    endpoint = _endpoint(campaign, endpoint_id)
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    page = queries.deliveries_page(endpoint, number)
    return render_template(
        "webhooks/log.html", campaign=campaign, endpoint=endpoint, page=page, button=EmptyForm()
    ), 200, NO_STORE  # fmt: skip
