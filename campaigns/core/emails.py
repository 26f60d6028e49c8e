"""Email address normalisation."""

from email_validator import EmailNotValidError, validate_email


def normalize_email(address: str) -> str:
    """The address as stored on accounts: validated, trimmed, lower-cased.

    Raises ValueError with a readable message when the address is not valid.
    """
    try:
        result = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return result.normalized.lower()
