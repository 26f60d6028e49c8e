"""The development mailbox: registered only when MAIL_BACKEND=dev."""

from ipaddress import ip_address, ip_network

from flask import Blueprint, abort, make_response, render_template, request
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.mail.messages import render_parts
from campaigns.models import OutboxEmail

bp = Blueprint("mailbox", __name__)
LOOPBACK = (ip_network("127.0.0.0/8"), ip_network("::1/128"))
# The preview shows the email's own inline styles; nothing in it may run scripts.
PREVIEW_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


@bp.before_request
def local_only():
    """The mailbox holds live links: only the developer's own machine may read it."""
    try:
        address = ip_address(request.remote_addr or "")
    except ValueError:
        abort(404)
    if not any(address in network for network in LOOPBACK):
        abort(404)


@bp.get("/mailbox")
def index():
    """Every email the app has queued, newest first."""
    query = select(OutboxEmail).order_by(OutboxEmail.id.desc())
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("mail/mailbox.html", page=page)


@bp.get("/mailbox/<int:email_id>")
def show(email_id: int):
    """One email, as its recipient would see it."""
    row = db.get_or_404(OutboxEmail, email_id)
    subject, text, html = render_parts(row)
    response = make_response(
        render_template("mail/message.html", row=row, subject=subject, text=text, html=html)
    )
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response
