"""The sign widget: a compact sign form that other sites show in an iframe.

Why the widget's POST is exempt from cookie CSRF, and why that is not a CSRF hole:
in a frame on another site, browsers that block third-party cookies (and every browser,
for our SameSite=Lax session cookie) send no session cookie, so a session-bound CSRF token
cannot work there. What CSRF protects is a signed-in person's authority, and this form
uses none: it signs as a guest, exactly like the public sign form, which anyone may post
with any data. A forged cross-site post is therefore no worse than a direct post, and it
still goes through signatures.services.sign: per-IP and per-domain limits, suspect marking,
and a confirmation email to the address given, so nothing counts until its owner clicks.
The signed, time-limited form token (tokens.py) is bound to the campaign and only stops
replays from stale or copied pages. These views never read or write the session (no cookie
in or out), so they behave the same whether or not the browser allows cookies.
"""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from campaigns.core.errors import MESSAGES, SECURITY_HEADERS
from campaigns.core.sessions import sessionless
from campaigns.embed.forms import EmbedSignForm
from campaigns.embed.tokens import TokenState, make_form_token, read_form_token
from campaigns.extensions import csrf, db, limiter
from campaigns.models import Campaign, SignatureSource
from campaigns.petitions.queries import campaign_for_viewer
from campaigns.signatures import services
from campaigns.signatures.forms import VISIBILITY_HINTS, guest_fields, sign_form
from campaigns.signatures.privacy import hash_ip
from campaigns.signatures.services import SignError
from campaigns.signatures.targets import guest_target

bp = Blueprint("embed", __name__)
TOKEN_FIELD = "embed_token"
# What a signer reads when the form token fails; the form comes back, ready to send again.
TOKEN_MESSAGES = {
    TokenState.EXPIRED: _l(
        "This form was open for a long time, so we could not accept it. "
        "Check your details and press Sign again."
    ),
    TokenState.INVALID: _l(
        "We could not check this form. Check your details and press Sign again."
    ),
}


@bp.after_request
def allow_framing(response):
    """The site's policy, except that EMBED_FRAME_ANCESTORS may frame these pages."""
    ancestors = current_app.config["EMBED_FRAME_ANCESTORS"]
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    response.headers["Content-Security-Policy"] = policy.replace(
        "frame-ancestors 'none'", f"frame-ancestors {ancestors}"
    )
    return response


@bp.errorhandler(HTTPException)
def compact_error(error: HTTPException):
    """Errors inside the frame, in the widget's small layout rather than the whole site's."""
    code = error.code or 500
    title, default = MESSAGES.get(code, MESSAGES[500])
    custom = error.description if error.description != type(error).description else None
    page = render_template("embed/error.html", code=code, title=title, message=custom or default)
    return page, code


def _campaign(slug: str) -> Campaign:
    """The campaign as the public sees it, whoever asks: the widget is the same for all."""
    return campaign_for_viewer(slug, None, page=False)  # one query: no relationship is shown


def _form_page(campaign: Campaign, form=None, *, message: str | None = None, status=200):
    """The widget: title, count, and the sign form with a fresh token, or why there is none."""
    closed = services.closed_reason(campaign)
    if form is None and closed is None:
        form = sign_form(EmbedSignForm, campaign.country)
    page = render_template(
        "embed/show.html", campaign=campaign, form=None if closed else form, closed=closed,
        token=make_form_token(campaign.id), message=message, visibility_hints=VISIBILITY_HINTS,
    )  # fmt: skip
    return page, status


def _with_errors(slug: str, *, message: str | None = None, exc: SignError | None = None):
    """The widget again with the signer's input and every problem with it (422, or 400)."""
    campaign = _campaign(slug)
    form = sign_form(EmbedSignForm, campaign.country)
    form.validate()
    field = getattr(form, exc.field, None) if exc and exc.field else None
    if exc is not None and not (field is not None and field.errors):
        (field.errors if field is not None else form.form_errors).append(exc.message)
    return _form_page(campaign, form, message=message, status=422 if exc else 400)


@bp.get("/campaigns/<slug>/embed")
@sessionless
def show(slug: str):
    """The sign widget for an open campaign; closed and won ones say why; others 404."""
    return _form_page(_campaign(slug))


@bp.post("/campaigns/<slug>/embed")
@limiter.exempt  # as the main sign view: signing counts its own limits (signatures.limits)
@csrf.exempt  # no cookie reaches a third-party frame: see the module docstring
@sessionless
def sign(slug: str):
    """Sign from the widget: the main form's service and answers, with source "embed"."""
    target = guest_target(slug)
    if services.closed_reason(target):
        return _form_page(_campaign(slug), status=409)
    state = read_form_token(request.form.get(TOKEN_FIELD, ""), target.id)
    if state is not TokenState.VALID:
        return _with_errors(slug, message=str(TOKEN_MESSAGES[state]))
    fields = guest_fields(request.form)
    if fields is None:
        return _signed_page(slug)  # a bot filled the honeypot: look alike, keep nothing
    try:
        services.sign(
            target, **fields, source=SignatureSource.EMBED, ip_hash=hash_ip(request.remote_addr),
            locale=str(get_locale() or "en"), own_transaction=True,
        )  # fmt: skip
    except SignError as exc:
        if exc.status in (403, 404, 409):
            abort(exc.status, exc.message)
        return _with_errors(slug, exc=exc)
    if db.session().in_transaction():  # on PostgreSQL the signature usually committed itself
        db.session.commit()
    return _signed_page(slug)


def _signed_page(slug: str):
    """Check your email, the same for everyone whatever happened (no enumeration)."""
    return redirect(url_for("embed.signed", slug=slug), 303)


@bp.get("/campaigns/<slug>/embed/signed")
@sessionless
def signed(slug: str):
    """The widget's "check your email" page."""
    return render_template("embed/signed.html", campaign=_campaign(slug))
