"""The OSDI-compatible view under /api/osdi/v1: HAL+JSON, read-only.

Errors (404 and 405 from routing included) are answered by campaigns.api.errors, in the
same JSON envelope as /api/v1, since every path under /api/ is the API's.
"""

from flask import Blueprint, abort, current_app, json, request
from flask_babel import gettext as _

from campaigns.api import osdi
from campaigns.api.auth import authorize_signatures_read, require_key
from campaigns.api.limits import per_ip, per_key
from campaigns.core.services import RuleError
from campaigns.core.sessions import sessionless
from campaigns.database import SIGNATURE_ID
from campaigns.extensions import csrf, db

bp = Blueprint("osdi", __name__, url_prefix="/api/osdi/v1")
csrf.exempt(bp)  # no cookies are read here: a key in a header, or nothing
PUBLIC_MAX_AGE = 60


def ip_limited(view):
    """A public route: the per-IP budget shared with /api/v1's public routes; no cookie."""
    return per_ip(sessionless(view))


def key_limited(view):
    """A keyed route: the per-key budget shared with /api/v1's keyed routes; no cookie."""
    return per_key(sessionless(view))


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
    key = require_key()
    campaign = _petition(slug)
    authorize_signatures_read(key, campaign, api="osdi")  # the same rule as /api/v1's
    db.session.commit()  # the key's last-used stamp and the audit event, if one was due
    return campaign


@bp.get("/")
@cors_public
@ip_limited
def entry_point():
    """The API entry point, linking to the petitions."""
    return hal(osdi.entry_point())


@bp.get("/petitions")
@cors_public
@ip_limited
def petitions():
    """Public petitions, a page at a time."""
    page, per_page = _pages()
    return hal(osdi.petitions_page(page, per_page))


@bp.get("/petitions/<slug>")
@cors_public
@ip_limited
def petition(slug: str):
    """One public petition, with its target and total signatures."""
    return hal(osdi.petition(_petition(slug)))


@bp.get("/petitions/<slug>/signatures")
@key_limited
def signatures(slug: str):
    """The petition's counted signatures, for its organizers' (and admins') keys; no email."""
    campaign = _organizer_petition(slug)  # 401/404/403 before any 400, as on /api/v1
    page, per_page = _pages()
    return hal(osdi.signatures_page(campaign, page, per_page), public=False)


@bp.get(f"/petitions/<slug>/signatures/{SIGNATURE_ID}")
@key_limited
def signature(slug: str, signature_id: int):
    """One counted signature, for the petition's organizers' (and admins') keys."""
    payload = osdi.one_signature(_organizer_petition(slug), signature_id)
    if payload is None:
        abort(404, _("There is no such signature on this petition."))
    return hal(payload, public=False)
