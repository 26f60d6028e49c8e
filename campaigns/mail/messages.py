"""Rendering an outbox row into a MIME message, in the recipient's language."""

import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale

from campaigns.mail.outbox import SUBJECTS, email_context, email_envelope
from campaigns.models import OutboxEmail, utcnow

# Headers a template may add (outbox.envelope_at_delivery); anything else is a mistake.
EXTRA_HEADERS = frozenset({"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"})
MAX_SUBJECT = 150
MAX_SENDER_NAME = 78
MAX_HEADER = 900
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


@dataclass
class RenderedEmail:
    """An outbox row rendered: what build_message puts in the MIME message."""

    subject: str
    text: str
    html: str
    sender: str
    headers: dict[str, str] = field(default_factory=dict)


def header_text(value: str, limit: int) -> str:
    """One line of header text: no CR/LF or other control characters, at most `limit` long."""
    value = " ".join(_CONTROL.sub(" ", value).split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def sender_address(name: str | None) -> str:
    """MAIL_DEFAULT_SENDER, or its address under another display name."""
    default = current_app.config["MAIL_DEFAULT_SENDER"]
    if not name:
        return default
    return formataddr((header_text(name, MAX_SENDER_NAME), parseaddr(default)[1]))


def sender_display_name() -> str:
    """The display name of MAIL_DEFAULT_SENDER ("Groundswell" unless configured otherwise)."""
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[0] or "Groundswell"


def render_email(row: OutboxEmail) -> RenderedEmail:
    """Render a row in its locale: subject, bodies, sender and the template's extra headers.

    Raises outbox.EmailCancelled when what the email is about is gone.
    """
    with force_locale(row.locale):
        context = email_context(row.template, row.payload)
        envelope = email_envelope(row.template, context)
        subject = header_text(str(envelope.get("subject") or SUBJECTS[row.template]), MAX_SUBJECT)
        context = {"subject": subject, **context}
        text = render_template(f"email/{row.template}.txt", **context)
        html = render_template(f"email/{row.template}.html", **context)
        sender = sender_address(envelope.get("sender_name"))
    headers = {}
    for name, value in envelope.get("headers", {}).items():
        if name not in EXTRA_HEADERS:
            raise ValueError(f"email header {name!r} is not in EXTRA_HEADERS")
        headers[name] = header_text(str(value), MAX_HEADER)
    return RenderedEmail(subject, text, html, sender, headers)


def render_parts(row: OutboxEmail) -> tuple[str, str, str]:
    """Subject, plain text and HTML of an outbox row."""
    rendered = render_email(row)
    return rendered.subject, rendered.text, rendered.html


def build_message(row: OutboxEmail) -> EmailMessage:
    """A multipart/alternative message ready for SMTP."""
    rendered = render_email(row)
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = rendered.sender
    message["To"] = row.recipient
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}", domain="groundswell")
    for name, value in rendered.headers.items():
        message[name] = value
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
