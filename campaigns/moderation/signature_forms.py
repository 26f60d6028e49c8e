"""Moderators' forms about signatures. Shape only; the rules live in the services."""

from datetime import UTC

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField
from wtforms.validators import Length, Optional, Regexp

from campaigns.signatures.abuse import NOTE_MAX


def _clean(value: str | None) -> str | None:
    """Trimmed and lower-cased, or None when empty."""
    value = (value or "").strip().lower()
    return value or None


class BulkForm(FlaskForm):
    """Which of a campaign's signatures to invalidate or release; at least one filter."""

    domain = StringField(
        _l("Email domain"),
        filters=[_clean],
        validators=[Optional(), Length(max=253)],
        description=_l("For example example.org."),
    )
    ip_hash = StringField(
        _l("Address hash"),
        filters=[_clean],
        validators=[
            Optional(),
            Regexp(r"^[0-9a-f]{8,64}$", message=_l("An address hash is hexadecimal.")),
        ],
    )
    since = DateTimeLocalField(
        _l("Signed from (UTC)"), validators=[Optional()], tz=UTC, render_kw={"step": 1}
    )
    until = DateTimeLocalField(
        _l("Signed before (UTC)"), validators=[Optional()], tz=UTC, render_kw={"step": 1}
    )
    note = StringField(
        _l("Note for the audit log (optional)"),
        validators=[Optional(), Length(max=NOTE_MAX)],
    )
