"""Signing, confirming, withdrawing and reading the count: the signer-facing pages."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from campaigns.auth.limits import form_ip_limit
from campaigns.core.forms import EmptyForm
from campaigns.core.sessions import sessionless
from campaigns.database import SIGNATURE_ID
from campaigns.extensions import db, limiter
from campaigns.petitions.queries import campaign_for_viewer
from campaigns.petitions.views import render_campaign
from campaigns.signatures import live_count, queries, reasons, services
from campaigns.signatures.forms import ResendForm, SignDetailsForm, guest_fields, sign_form
from campaigns.signatures.page import new_sign_form, signs_in_one_click
from campaigns.signatures.privacy import hash_ip
from campaigns.signatures.services import Outcome, SignError
from campaigns.signatures.targets import guest_target
from campaigns.signatures.tokens import read_confirm_token, read_withdraw_token

bp = Blueprint("signatures", __name__)
# Confirm and withdraw answers: nothing to do again is not an error, a closed door is.
OUTCOME_STATUS = {
    Outcome.DONE: 200,
    Outcome.ALREADY: 200,
    Outcome.HELD: 200,
    Outcome.WAITING: 200,
    Outcome.GONE: 410,
    Outcome.CLOSED: 409,
}


def report_limit() -> str:
    """Reason reports allowed per client address (the REPORT_LIMIT setting)."""
    return current_app.config["REPORT_LIMIT"]


def _signed_page(slug: str):
    """The 'check your email' page, the same for every guest whatever happened."""
    return redirect(url_for("signatures.signed", slug=slug), 303)


def _with_errors(slug: str, form, status: int):
    """The campaign page again, with the sign form as it came back."""
    return render_campaign(campaign_for_viewer(slug, current_user), sign_form=form, status=status)


def _refused(slug: str, form, exc: SignError):
    """Show a refusal: state problems as an error page, input problems on the form."""
    if exc.status in (403, 404, 409):
        abort(exc.status, exc.message)
    field = getattr(form, exc.field, None) if exc.field else None
    errors = field.errors if field is not None else form.form_errors
    if not (field is not None and errors):  # the form's own words for a field come first
        errors.append(exc.message)
    return _with_errors(slug, form, exc.status)


@bp.post("/campaigns/<slug>/sign")
@limiter.exempt  # signing counts its own limits (signatures.limits); none other applies
def sign(slug: str):
    """Sign: members with a confirmed email in one click, guests with a confirmation email."""
    if current_user.is_authenticated:
        campaign = campaign_for_viewer(slug, current_user, page=False)
    else:
        campaign = guest_target(slug)  # the hot path of a viral campaign: no query when fresh
    closed = services.closed_reason(campaign)
    if closed:
        abort(409, closed)
    if signs_in_one_click(current_user):
        return _sign_as_member(campaign)
    fields = guest_fields(request.form)
    if fields is None:
        return _signed_page(slug)  # a bot filled the honeypot: look alike, keep nothing
    try:
        services.sign(
            campaign, **fields, ip_hash=hash_ip(request.remote_addr),
            locale=str(get_locale() or "en"), own_transaction=True,
        )  # fmt: skip
    except SignError as exc:
        form = new_sign_form(campaign, current_user)
        form.validate()  # every problem with the input at once, not only the first
        return _refused(slug, form, exc)
    if db.session().in_transaction():  # on PostgreSQL the signature usually committed itself
        db.session.commit()
    return _signed_page(slug)


def _sign_as_member(campaign):
    """A signed-in member with a confirmed email signs; back to the campaign page."""
    form = sign_form(SignDetailsForm, campaign.country)
    if not form.validate_on_submit():
        return _with_errors(campaign.slug, form, 422)
    try:
        signed = services.sign_as_member(
            campaign, current_user, country=form.country.data, reason=form.reason.data,
            visibility=form.visibility.data, consent_updates=form.consent_updates.data,
            ip_hash=hash_ip(request.remote_addr),
        )  # fmt: skip
    except SignError as exc:
        return _refused(campaign.slug, form, exc)
    db.session.commit()
    if signed.confirmed:
        flash(_("Thank you for signing. Your signature is confirmed."), "success")
    else:  # held for review, or an earlier signature no longer counts: the same quiet thanks
        flash(_("Thank you for signing."), "success")
    return redirect(url_for("petitions.show", slug=campaign.slug), 303)


@bp.get("/campaigns/<slug>/signed")
def signed(slug: str):
    """Check your email, with a way to have the confirmation sent again."""
    campaign = campaign_for_viewer(slug, current_user)
    return render_template("signatures/signed.html", campaign=campaign, form=ResendForm())


@bp.post("/campaigns/<slug>/resend")
@limiter.limit(form_ip_limit)
def resend(slug: str):
    """Send the confirmation again; the answer never says whether the address signed."""
    campaign = campaign_for_viewer(slug, current_user)
    form = ResendForm()
    if form.validate_on_submit():
        try:
            services.resend_confirmation(campaign, form.email.data)
        except SignError as exc:
            form.email.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("If that address signed this campaign and has not confirmed yet, "
                    "we have sent the link again."), "info")  # fmt: skip
            return _signed_page(slug)
    return render_template("signatures/signed.html", campaign=campaign, form=form), 422


@bp.route("/signatures/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET shows a button, because mail scanners follow links; the POST confirms."""
    signature_id = read_confirm_token(token)
    campaign = queries.campaign_of(signature_id) if signature_id else None
    if campaign is None:
        return render_template("signatures/bad_link.html"), 400
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("signatures/confirm.html", campaign=campaign, form=form)
    outcome = services.confirm(signature_id)
    db.session.commit()
    page = render_template("signatures/confirmed.html", campaign=campaign, outcome=outcome)
    return page, OUTCOME_STATUS[outcome]


@bp.route("/signatures/withdraw/<token>", methods=["GET", "POST"])
def withdraw(token: str):
    """GET says what withdrawing erases, with a button; the POST withdraws."""
    signature_id = read_withdraw_token(token)
    if signature_id is None:
        return render_template("signatures/bad_link.html", withdrawing=True), 400
    campaign = queries.campaign_of(signature_id)
    form = EmptyForm()
    if campaign is not None and not form.validate_on_submit():
        return render_template("signatures/withdraw.html", campaign=campaign, form=form)
    outcome = services.withdraw(signature_id) if campaign is not None else Outcome.GONE
    db.session.commit()
    page = render_template("signatures/withdrawn.html", campaign=campaign, outcome=outcome)
    return page, OUTCOME_STATUS[outcome]


@bp.get("/campaigns/<slug>/count.json")
@limiter.exempt  # read by every open campaign page every few seconds; cached, not limited
@sessionless
def count(slug: str):
    """The live count: at most one SELECT, cacheable, and blind to the session and visitor."""
    payload = live_count.count_payload(slug)
    if payload is None:
        return jsonify(error="not found"), 404
    response = jsonify(payload)
    return live_count.cacheable(response)


@bp.post(f"/signatures/{SIGNATURE_ID}/report-reason")
@limiter.limit(report_limit)
def report_reason(signature_id: int):
    """Anyone may report a signer's public reason; moderators decide."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        campaign = reasons.report_reason(signature_id)
    except SignError as exc:
        abort(exc.status, exc.message)
    db.session.commit()
    flash(_("Thank you. A moderator will read this reason."), "success")
    return redirect(url_for("petitions.show", slug=campaign.slug, _anchor="signers"), 303)


@bp.get("/account/signatures")
@login_required
def mine():
    """The member's own signatures, pending and confirmed, each with a withdraw button."""
    signatures = queries.member_signatures(current_user)
    return render_template("signatures/mine.html", signatures=signatures, form=EmptyForm())


@bp.post(f"/account/signatures/{SIGNATURE_ID}/withdraw")
@login_required
def withdraw_mine(signature_id: int):
    """Withdraw one of the member's signatures; anyone else's is a 404."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        outcome = services.withdraw_own(current_user, signature_id)
    except SignError as exc:
        abort(exc.status)
    db.session.commit()
    if outcome == Outcome.DONE:
        flash(_("Your signature is withdrawn and your details are erased."), "success")
    else:
        flash(_("That signature was already withdrawn. Nothing changed."), "info")
    return redirect(url_for("signatures.mine"), 303)
