"""The OSDI-compatible view under /api/osdi/v1: HAL+JSON, read-only.

Errors (404 and 405 from routing included) are answered by campaigns.api.errors, in the
same JSON envelope as /api/v1, since every path under /api/ is the API's.
"""

from flask import Blueprint, abort, current_app, json, request
from flask_babel import gettext as _
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from campaigns.api import keys, osdi
from campaigns.core.services import RuleError
from campaigns.core.sessions import sessionless
from campaigns.database import SIGNATURE_ID
from campaigns.extensions import csrf, db, limiter

bp = Blueprint("osdi", __name__, url_prefix="/api/osdi/v1")
csrf.exempt(bp)  # no cookies are read here: a key in a header, or nothing
DEFAULT_LIMIT_PER_IP = "120 per minute;2000 per hour"
DEFAULT_LIMIT_PER_KEY = "120 per minute;5000 per hour"
PUBLIC_MAX_AGE = 60


def _ip_limit() -> str:
    """Requests allowed per client address (API_LIMIT_PER_IP, shared by every OSDI route)."""
    return current_app.config.get("API_LIMIT_PER_IP", DEFAULT_LIMIT_PER_IP)


def _key_limit() -> str:
    """Requests allowed per API key (API_LIMIT_PER_KEY)."""
    return current_app.config.get("API_LIMIT_PER_KEY", DEFAULT_LIMIT_PER_KEY)


def _key_bucket() -> str:
    """The rate-limit bucket of the presented key: its hash, never the key itself."""
    return "key:" + keys.hash_key(keys.key_from_request(request.headers) or "")


def _no_key() -> bool:
    """Requests without a key count only against the per-IP limit."""
    return keys.key_from_request(request.headers) is None


def limited(view):
    """Per-IP and per-key limits shared by the OSDI routes; no session cookie either way."""
    view = sessionless(view)
    view = limiter.shared_limit(
        _key_limit, scope="osdi-key", key_func=_key_bucket, exempt_when=_no_key
    )(view)
    return limiter.shared_limit(_ip_limit, scope="osdi-ip")(view)


def cors_public(view):
    """Let any site's scripts read this public answer (campaigns.api.setup adds the headers)."""
    view.cors_public = True
    return view


def hal(payload: dict, status: int = 200, *, public: bool = True):
    """A HAL+JSON response; public ones may be cached briefly, the rest never stored."""
    response = current_app.response_class(
        json.dumps(payload), status=status, mimetype=osdi.MEDIA_TYPE
    )
    if public:
        response.cache_control.public = True
        response.cache_control.max_age = PUBLIC_MAX_AGE
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _pages() -> tuple[int, int]:
    """Page and page size from the query string, or a 400."""
    try:
        return osdi.page_numbers(request.args.get("page"), request.args.get("per_page"))
    except RuleError as exc:
        abort(exc.status, exc.message)


def _petition(slug: str):
    """The public petition, or a 404."""
    campaign = osdi.public_petition(slug)
    if campaign is None:
        abort(404, _("There is no public petition at this address."))
    return campaign


def _organizer_petition(slug: str):
    """The public petition whose signatures the presented key may read: else 401, 404, 403."""
    key = keys.authenticate(keys.key_from_request(request.headers))
    if key is None:
        raise Unauthorized(
            _("Signatures need an organizer's API key: Authorization: Bearer <key>."),
            www_authenticate=WWWAuthenticate("bearer", {"realm": "groundswell"}),
        )
    campaign = _petition(slug)
    if not osdi.may_read_signatures(key, campaign):
        abort(403, _("This key does not belong to an organizer of this petition."))
    db.session.commit()  # keeps the key's last-used stamp (at most one write a minute)
    return campaign


@bp.get("/")
@cors_public
@limited
def entry_point():
    """The API entry point, linking to the petitions."""
    return hal(osdi.entry_point())


@bp.get("/petitions")
@cors_public
@limited
def petitions():
    """Public petitions, a page at a time."""
    page, per_page = _pages()
    return hal(osdi.petitions_page(page, per_page))


@bp.get("/petitions/<slug>")
@cors_public
@limited
def petition(slug: str):
    """One public petition, with its target and total signatures."""
    return hal(osdi.petition(_petition(slug)))


@bp.get("/petitions/<slug>/signatures")
@limited
def signatures(slug: str):
    """The petition's counted signatures, for its organizers' keys only; never an email."""
    page, per_page = _pages()
    campaign = _organizer_petition(slug)
    return hal(osdi.signatures_page(campaign, page, per_page), public=False)


@bp.get(f"/petitions/<slug>/signatures/{SIGNATURE_ID}")
@limited
def signature(slug: str, signature_id: int):
    """One counted signature, for the petition's organizers' keys only."""
    payload = osdi.one_signature(_organizer_petition(slug), signature_id)
    if payload is None:
        abort(404, _("There is no such signature on this petition."))
    return hal(payload, public=False)
