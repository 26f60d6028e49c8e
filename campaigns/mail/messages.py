"""Rendering an outbox row into a MIME message, in the recipient's language."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

from campaigns.mail.outbox import SUBJECTS, email_context
from campaigns.models import OutboxEmail, utcnow


def render_parts(row: OutboxEmail) -> tuple[str, str, str]:
    """Subject, plain text and HTML of an outbox row."""
    with force_locale(row.locale):
        subject = str(SUBJECTS[row.template])
        context = {"subject": subject, **email_context(row.template, row.payload)}
        text = render_template(f"email/{row.template}.txt", **context)
        html = render_template(f"email/{row.template}.html", **context)
    return subject, text, html


def build_message(row: OutboxEmail) -> EmailMessage:
    """A multipart/alternative message ready for SMTP."""
    subject, text, html = render_parts(row)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = row.recipient
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}", domain="groundswell")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
