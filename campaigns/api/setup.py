"""Wiring the JSON API (/api/v1) into the app: blueprints, OpenAPI document, CSRF, CORS.

The API authenticates with keys, never cookies, so its blueprints are exempt from CSRF,
ignore any signed-in session, and set no cookie.
"""

from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask_smorest import Api

from campaigns.api import schemas
from campaigns.api.errors import is_api_request
from campaigns.api.limits import per_ip
from campaigns.extensions import csrf

TITLE = "Groundswell API"
VERSION = "1.0.0"
OPENAPI_VERSION = "3.0.3"
DESCRIPTION = (
    "Public, read-only access to published campaigns, their counts, updates and victories; "
    "signing (answered with 202: the signature counts once confirmed from the email sent); "
    "and, with an organizer's API key (Authorization: Bearer <key>), the confirmed "
    "signatures of their own campaigns, never with email addresses. Every error is JSON "
    "of the ErrorEnvelope shape."
)
# Browsers may read these public answers from any site; never with credentials.
CORS_HEADERS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag"}


class GroundswellApi(Api):
    """flask-smorest's Api, documenting our error envelope and leaving errors to errors.py."""

    ERROR_SCHEMA = schemas.ErrorEnvelope
    # The document as a dict, made on its first request (the spec is complete by then).
    document: dict | None = None

    def _register_error_handlers(self):
        """Errors are answered by campaigns.api.errors, for every path under /api/."""


docs_bp = Blueprint("api_v1_docs", __name__, url_prefix="/api/v1")


@docs_bp.get("/openapi.json")
@per_ip
def openapi_json():
    """The OpenAPI 3 document, generated from the schemas that validate requests."""
    api = current_app.extensions["groundswell_api"]
    if api.document is None:
        api.document = api.spec.to_dict()
    response = jsonify(api.document)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


openapi_json.cors_public = True


def _for_api_requests():
    """Bound API bodies to API_MAX_CONTENT_LENGTH, and ignore any signed-in session."""
    if not is_api_request():
        return
    request.max_content_length = current_app.config["API_MAX_CONTENT_LENGTH"]
    # Flask-Login's per-request slot: a session cookie never acts through the API.
    g._login_user = current_app.login_manager.anonymous_user()


def _add_cors(response):
    """Let any site read the public endpoints' answers (errors included)."""
    if request.method in ("GET", "HEAD") and request.endpoint:
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, "cors_public", False):
            response.headers.update(CORS_HEADERS)
    return response


def register_api(app: Flask) -> None:
    """Register the API's blueprints and OpenAPI document on the app."""
    from campaigns.api import signature_views, views

    api = GroundswellApi(
        app,
        config_prefix="API_V1",
        spec_kwargs={
            "title": TITLE, "version": VERSION, "openapi_version": OPENAPI_VERSION,
            "info": {"description": DESCRIPTION},
        },
    )  # fmt: skip
    api.spec.components.security_scheme(
        "apiKey", {"type": "http", "scheme": "bearer", "description": "An organizer's API key."}
    )
    app.extensions["groundswell_api"] = api
    app.before_request(_for_api_requests)
    for blueprint in (views.bp, signature_views.bp):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    app.register_blueprint(docs_bp)
    csrf.exempt(docs_bp)
    app.after_request(_add_cors)
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith(("api_v1.", "api_v1_signatures.", "api_v1_docs.")):
            view.sessionless = True  # no Set-Cookie, no Vary: Cookie (core.sessions)
