"""Unsubscribing from update emails, by signed link (one click, RFC 8058, too)."""

from flask import Blueprint, render_template, request

from campaigns.extensions import csrf, db
from campaigns.outcomes import mailing  # noqa: F401 (registers how update emails render)
from campaigns.outcomes import unsubscribe as service
from campaigns.outcomes.unsubscribe import Scope, read_unsubscribe_token
from campaigns.outcomes.unsubscribe_forms import UnsubscribeForm

bp = Blueprint("unsubscribe", __name__)
RESULT_STATUS = {service.Result.DONE: 200, service.Result.ALREADY: 200, service.Result.GONE: 410}


def _bad_link():
    """A forged, cut or altered link: say so, change nothing."""
    return render_template("outcomes/unsubscribe_bad_link.html"), 404


def _page(signature_id: int, form: UnsubscribeForm, status: int = 200):
    """The page with the two buttons (GET changes nothing: mail scanners follow links)."""
    found = service.subscription(signature_id)
    wants_all = request.args.get("scope") == Scope.ALL.value
    return render_template(
        "outcomes/unsubscribe.html", subscription=found, form=form, wants_all=wants_all
    ), status if found else 410


@bp.get("/unsubscribe/<token>")
def show(token: str):
    """Ask what to stop: this campaign's updates or every campaign's."""
    signature_id = read_unsubscribe_token(token)
    if signature_id is None:
        return _bad_link()
    return _page(signature_id, UnsubscribeForm())


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # one-click unsubscribes come from mail providers: the signed token is the key
def confirm(token: str):
    """Stop updates: one click (RFC 8058) for this campaign, or the scope of the button."""
    signature_id = read_unsubscribe_token(token)
    if signature_id is None:
        return _bad_link()
    if request.form.get("List-Unsubscribe") == "One-Click":
        scope = Scope.CAMPAIGN
    else:
        form = UnsubscribeForm()
        if not form.validate_on_submit():  # the page's own buttons carry a CSRF token
            return _page(signature_id, form, 400)
        scope = Scope(form.scope.data)
    result = service.unsubscribe(signature_id, scope)
    db.session.commit()
    page = render_template(
        "outcomes/unsubscribed.html",
        result=result,
        scope=scope,
        subscription=service.subscription(signature_id),
    )
    return page, RESULT_STATUS[result]
