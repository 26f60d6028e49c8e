"""Signing through the API (public), and organizers reading their signatures (API key)."""

from flask import abort, g, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_smorest import Blueprint
from webargs.flaskparser import abort as abort_with_data

from campaigns.api import queries, schemas
from campaigns.api.auth import authorize_signatures_read, key_required
from campaigns.api.limits import per_ip, per_key, signing
from campaigns.api.views import errors
from campaigns.core.urls import absolute_url
from campaigns.extensions import db
from campaigns.models import SignatureSource
from campaigns.petitions.queries import campaign_by_slug
from campaigns.signatures import services
from campaigns.signatures.privacy import hash_ip
from campaigns.signatures.services import SignError
from campaigns.signatures.targets import guest_target

bp = Blueprint(
    "api_v1_signatures", __name__, url_prefix="/api/v1",
    description="Signing, and reading a campaign's signatures with an organizer's API key.",
)  # fmt: skip
TAGS = ["Signatures"]
# The OpenAPI security requirement of the keyed operations.
KEY_SECURITY = [{"apiKey": []}]


@bp.route("/campaigns/<slug>/signatures", methods=["POST"], tags=TAGS)
@per_ip
@signing
@bp.arguments(schemas.SignArgs)
@bp.response(202, schemas.Accepted)
@errors(400, 404, 409, 413, 429)
def sign(args: dict, slug: str):
    """Sign a campaign: a confirmation email goes to the address given.

    The signature counts once its owner follows the emailed link. The answer is the same
    whether or not this address signed before, so it tells nobody who signed.
    """
    campaign = guest_target(slug)  # 404 unless the public may see it
    closed = services.closed_reason(campaign)
    if closed:
        abort(409, closed)
    try:
        services.sign(
            campaign, **args, source=SignatureSource.API, ip_hash=hash_ip(request.remote_addr),
            locale=str(get_locale() or "en"), own_transaction=True,
        )  # fmt: skip
    except SignError as exc:
        _refuse(exc)
    if db.session().in_transaction():  # on PostgreSQL the signature usually committed itself
        db.session.commit()
    message = _("Check your email: the signature counts once you follow the link we sent.")
    return {"status": "pending_confirmation", "message": message}


def _refuse(exc: SignError):
    """Answer what the signing rules refused, naming the field when there is one."""
    if exc.field:
        abort_with_data(
            exc.status, message=exc.message, messages={"json": {exc.field: [exc.message]}}
        )
    abort(exc.status, exc.message)


@bp.route("/campaigns/<slug>/signatures", methods=["GET"], tags=TAGS)
@per_key
@key_required
@bp.arguments(schemas.SignatureListArgs, location="query")
@bp.response(200, schemas.SignaturePage)
@bp.doc(security=KEY_SECURITY)
@errors(401, 403, 404, 429)
def signatures(args: dict, slug: str):
    """A campaign's confirmed signatures, oldest confirmation first: never an email address.

    For the campaign's organizers' keys (and admins'). Follow next_cursor until it is null;
    keep the last one to fetch only newer confirmations later.
    """
    key = g.api_key
    campaign = campaign_by_slug(slug, page=False)
    if not campaign.can_view(key.user):
        abort(404)
    authorize_signatures_read(key, campaign, api="v1")  # the same rule as the OSDI view's
    items = queries.confirmed_signatures(
        campaign.id, after=args.get("after"), limit=args["per_page"]
    )
    db.session.commit()  # the key's last-used time and the audit event, if one was due
    cursor = None
    if len(items) == args["per_page"]:
        cursor = schemas.make_cursor(items[-1].confirmed_at, items[-1].id)
    following = None
    if cursor:
        following = absolute_url(
            "api_v1_signatures.signatures", slug=slug, after=cursor, per_page=args["per_page"]
        )
    return {"items": items, "next_cursor": cursor, "next": following}
