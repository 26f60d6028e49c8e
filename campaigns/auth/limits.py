"""Rate-limit keys and values for the account forms."""

from flask import current_app, request

from campaigns.core.emails import normalize_email


def login_account_key() -> str:
    """Key log-in attempts by the account they target, whatever address they come from."""
    try:
        return "account:" + normalize_email(request.form.get("email", ""))
    except ValueError:
        return "account:invalid"


def login_ip_limit() -> str:
    """Attempts allowed per client address."""
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def login_account_limit() -> str:
    """Attempts allowed per account."""
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def form_ip_limit() -> str:
    """Submissions allowed per address on forms that send email."""
    return current_app.config["FORM_LIMIT_PER_IP"]
