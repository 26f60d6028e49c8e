"""Why a row was rejected: stored as a code, shown in the reader's language."""

from flask_babel import gettext as _

# Codes stored in SignatureImport.report; the messages are built when the report is shown.
REASONS = (
    "missing_name", "name_too_long", "missing_country", "unknown_country", "invalid_email",
    "missing_date", "bad_date", "future_date", "too_old", "duplicate_in_file",
    "already_counted", "invalidated",
)  # fmt: skip
# Codes of reports stored before "already_counted" replaced them: shown as that one.
FORMER = {"signed_online": "already_counted", "earlier_import": "already_counted"}


def reason_text(code: str | None, detail: str | None = None) -> str:
    """The sentence explaining a rejection code (detail is the value or line it quotes)."""
    messages = {
        "missing_name": lambda: _("The name is missing."),
        "name_too_long": lambda: _("The name is longer than %(n)s characters.", n=detail),
        "missing_country": lambda: _("The country is missing."),
        "unknown_country": lambda: _(
            "“%(value)s” is not a country we recognise. Use a two-letter code such as GB "
            "or the country's name.", value=detail),
        "invalid_email": lambda: _("The email address is not valid (it may also be left empty)."),
        "missing_date": lambda: _("The date of signing is missing."),
        "bad_date": lambda: _(
            "The date “%(value)s” could not be read. Write it as 2024-03-01.", value=detail),
        "future_date": lambda: _("The date %(value)s is in the future.", value=detail),
        "duplicate_in_file": lambda: _(
            "The same email address is on line %(line)s of this file; it is counted once.",
            line=detail),
        "too_old": lambda: _("The date %(value)s is too long ago. Check the year.", value=detail),
        # One sentence whether counted online, by an import, or waiting in another import:
        # the report must not tell an organizer how or when a given address signed.
        "already_counted": lambda: _(
            "This person is already counted for this campaign, or waiting in another "
            "import; they are not counted twice."),
        "invalidated": lambda: _(
            "A signature with this email address was removed by a moderator; it is not "
            "added again."),
    }  # fmt: skip
    message = messages.get(FORMER.get(code or "", code or ""))
    return message() if message else ""
