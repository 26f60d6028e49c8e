"""The development mailbox: registered only when MAIL_BACKEND=dev."""

from flask import Blueprint, render_template
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.mail.messages import render_parts
from campaigns.models import OutboxEmail

bp = Blueprint("mailbox", __name__)


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
    return render_template("mail/message.html", row=row, subject=subject, text=text, html=html)
