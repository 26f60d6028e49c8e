"""Error pages in the site's style, and security headers on every response."""

import logging

from flask import Flask, abort, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from campaigns.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Check what you entered.")),
    403: (_l("Not allowed"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("There is nothing at this address.")),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    409: (
        _l("Not possible now"),
        _l("This cannot be done in the current state. Reload the page and check."),
    ),
    413: (_l("Too large"), _l("What you sent is larger than this site accepts.")),
    429: (
        _l("Too many requests"),
        _l("You have tried this too often. Wait a while, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An error on our side stopped this page. It has been logged."),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l("The site cannot reach its database right now. Nothing was saved. "
           "Please try again in a minute."),
    ),
}  # fmt: skip
UNAVAILABLE_FALLBACK = "Temporarily unavailable. Nothing was saved. Please try again in a minute."
# Seconds a client is asked to wait after a 503 before trying again.
RETRY_AFTER = 60
log = logging.getLogger(__name__)
CSRF_MESSAGE = _l(
    "This form was sent without a valid security token, or it expired. "
    "Go back, reload the page and try again."
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    ),
}


def render_error(code: int, message: str | None = None):
    """Render the error page for an HTTP status code."""
    title, default = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default
    ), code


def handle_http_error(error: HTTPException):
    """Show known HTTP errors as styled pages; keep headers such as Allow and Retry-After."""
    code = error.code or 500
    if code not in MESSAGES:
        return error
    # A message given to abort() is ours and meant for people; the class default is generic.
    custom = error.description if error.description != type(error).description else None
    body, status = render_error(code, custom)
    response = error.get_response()
    response.set_data(body)
    response.status_code = status
    response.content_type = "text/html; charset=utf-8"
    return response


def handle_csrf_error(error: CSRFError):
    """A missing or wrong CSRF token is a 400 with a plain explanation."""
    return render_error(400, CSRF_MESSAGE)


def handle_server_error(error: Exception):
    """Roll back the failed transaction so nothing half-done is saved, then apologise."""
    try:
        db.session.rollback()
    except Exception:  # a dead connection fails the rollback too; the page must still show
        log.warning("Rollback after a server error failed", exc_info=True)
    return render_error(500)


def handle_database_unavailable(error: DBAPIError):
    """The database is unreachable or dropped the connection: 503, never a half-saved 500.

    Other database errors are bugs, not outages: they go on to the logged 500 handler.
    """
    if not isinstance(error, OperationalError | InterfaceError) and not (
        error.connection_invalidated
    ):
        raise error
    log.error("Database unavailable, answered 503: %s", error.orig or error)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the transaction died with it
        log.warning("Rollback after a database outage failed too", exc_info=True)
    try:
        body, status = render_error(503)
    except Exception:  # even translating may need the database (the signed-in user's locale)
        body, status = UNAVAILABLE_FALLBACK, 503
    response = make_response(body, status)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def _strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def reject_nul_bytes():
    """NUL characters are never valid input, and PostgreSQL refuses them in text: answer 400.

    Checked in the query string, form bodies, JSON bodies (Flask-WTF reads those too) and
    the URL's own values such as a campaign's slug.
    """
    values = list(request.args.values())
    values += [v for v in (request.view_args or {}).values() if isinstance(v, str)]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += request.form.values()
    elif request.is_json:
        values += _strings(request.get_json(silent=True))
    if any("\x00" in value for value in values):
        abort(400)


def add_security_headers(response):
    """Add headers that close off framing, sniffing and third-party scripts.

    A response whose own policy lets sites frame it (the sign widget, campaigns.embed) gets
    no X-Frame-Options DENY, which older browsers would obey instead.
    """
    headers = response.headers
    present = {name.lower() for name, _ in headers}  # one pass, not one lookup per header
    policy = headers.get("Content-Security-Policy", "")
    framable = "frame-ancestors" in policy and "frame-ancestors 'none'" not in policy
    for name, value in SECURITY_HEADERS.items():
        if name.lower() not in present and not (framable and name == "X-Frame-Options"):
            headers.add(name, value)
    return response


def init_errors(app: Flask) -> None:
    """Register the handlers on the app."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(500, handle_server_error)
    app.register_error_handler(DBAPIError, handle_database_unavailable)
    app.before_request(reject_nul_bytes)
    app.after_request(add_security_headers)
