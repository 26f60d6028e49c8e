"""Errors under /api/ as JSON of one shape; every other path keeps the site's HTML pages.

    {"error": {"status": 422, "code": "validation_error", "message": "...", "details": {...}}}

The handlers are registered after the site's own (campaigns.core.errors) and hand every
request outside /api/ straight back to them, so the HTML error pages do not change.
"""

import logging

from flask import Flask, has_request_context, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from campaigns.core import errors as site_errors
from campaigns.extensions import db

log = logging.getLogger(__name__)
API_PREFIX = "/api/"
# Stable, machine-readable names for the statuses the API answers with.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


def _messages() -> dict[int, str]:
    """Default messages, in the reader's language."""
    return {
        400: _("The request could not be understood."),
        401: _("A valid API key is needed: send it as 'Authorization: Bearer <key>'."),
        403: _("This API key may not read this campaign."),
        404: _("There is nothing at this address."),
        405: _("This address does not accept that method."),
        409: _("This cannot be done in the campaign's current state."),
        413: _("The request body is larger than the API accepts."),
        422: _("The request has invalid values; see details."),
        429: _("Too many requests. Wait a while, then try again."),
        500: _("An error on our side stopped this request. It has been logged."),
        503: _("The service is temporarily unavailable. Nothing was saved; try again shortly."),
    }


def is_api_request() -> bool:
    """Whether the current request is for the API (its errors are JSON)."""
    return has_request_context() and (
        request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")
    )


def error_body(status: int, message: str | None = None, details: dict | None = None) -> dict:
    """The error envelope for a status, with the default message when none is given."""
    error = {
        "status": status,
        "code": CODES.get(status, "client_error" if status < 500 else "server_error"),
        "message": message or _messages().get(status, _messages()[500 if status >= 500 else 400]),
    }
    if details:
        error["details"] = details
    return {"error": error}


def _custom_message(error: HTTPException) -> str | None:
    """A message given to abort() is meant for people; the class default is generic."""
    data = getattr(error, "data", None) or {}
    if data.get("message"):
        return str(data["message"])
    if error.description and error.description != type(error).description:
        return str(error.description)
    return None


def _details(error: HTTPException) -> dict | None:
    """Validation messages webargs attached to the error (by location, then field)."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    return messages if isinstance(messages, dict) else None


def api_http_error(error: HTTPException):
    """An HTTP error as the JSON envelope, keeping headers such as Allow and Retry-After."""
    status = error.code or 500
    details = _details(error)
    message = _custom_message(error)
    if status == 429:  # Flask-Limiter's description is the limit that was reached
        details, message = {"limit": str(error.description)}, None
    response = error.get_response()
    body = jsonify(error_body(status, message, details))
    response.set_data(body.get_data())
    response.content_type = "application/json"
    response.status_code = status
    data = getattr(error, "data", None) or {}
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response


def handle_http_error(error: HTTPException):
    """JSON for the API, the site's page everywhere else."""
    if not is_api_request():
        return site_errors.handle_http_error(error)
    return api_http_error(error)


def handle_server_error(error: Exception):
    """Roll back, log, and answer without any detail of what went wrong."""
    if not is_api_request():
        return site_errors.handle_server_error(error)
    try:
        db.session.rollback()
    except Exception:  # a dead connection fails the rollback too; the answer must still go
        log.warning("Rollback after an API server error failed", exc_info=True)
    return jsonify(error_body(500)), 500


def handle_database_unavailable(error: DBAPIError):
    """The database is unreachable: 503 with Retry-After; other database errors are 500s."""
    if not is_api_request():
        return site_errors.handle_database_unavailable(error)
    if not isinstance(error, OperationalError | InterfaceError) and not (
        error.connection_invalidated
    ):
        raise error
    log.error("Database unavailable, API answered 503: %s", error.orig or error)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the transaction died with it
        log.warning("Rollback after a database outage failed too", exc_info=True)
    response = jsonify(error_body(503))
    response.status_code = 503
    response.headers["Retry-After"] = str(site_errors.RETRY_AFTER)
    return response


def init_api_errors(app: Flask) -> None:
    """Register the JSON handlers over the site's (call after campaigns.core.errors)."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(500, handle_server_error)
    app.register_error_handler(DBAPIError, handle_database_unavailable)
