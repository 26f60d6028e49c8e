"""The public, read-only API: campaigns, their counts and updates, and victories. No key."""

from http import HTTPStatus

from flask import abort, jsonify
from flask_smorest import Blueprint

from campaigns.api import queries, schemas
from campaigns.api.limits import per_ip
from campaigns.core.urls import absolute_url
from campaigns.signatures import live_count

bp = Blueprint(
    "api_v1", __name__, url_prefix="/api/v1", description="Campaigns, counts, updates, victories."
)
TAGS = {"campaigns": ["Campaigns"], "victories": ["Victories"]}


def errors(*codes: int):
    """Document the error answers an operation gives, each with the error envelope."""

    def decorate(view):
        for code in codes:
            view = bp.alt_response(code, response=HTTPStatus(code).name)(view)
        return view

    return decorate


def public(view):
    """Mark a view whose answers any web page may read (CORS, no credentials)."""
    view.cors_public = True
    return view


def paged(pagination, endpoint: str, **values) -> dict:
    """Items and pagination links for a page of results."""

    def link(number: int) -> str:
        """The address of another page with the same filters."""
        return absolute_url(endpoint, **values, page=number, per_page=pagination.per_page)

    return {
        "items": pagination.items,
        "pagination": {
            "page": pagination.page, "per_page": pagination.per_page,
            "total": pagination.total or 0, "pages": pagination.pages,
            "next": link(pagination.next_num) if pagination.has_next else None,
            "prev": link(pagination.prev_num) if pagination.has_prev else None,
        },
    }  # fmt: skip


@bp.route("/campaigns", methods=["GET"], tags=TAGS["campaigns"])
@per_ip
@public
@bp.arguments(schemas.CampaignSearchArgs, location="query")
@bp.response(200, schemas.CampaignPage)
@errors(400, 429)
def campaigns(args: dict):
    """List and search published campaigns.

    Filters as on the site's campaign list; newest first unless sorted otherwise.
    """
    filters = {k: args.get(k) for k in ("q", "status", "country", "category", "sort")}
    filters = {k: v for k, v in filters.items() if v}
    page = queries.campaigns_page(page=args["page"], per_page=args["per_page"], **filters)
    return paged(page, "api_v1.campaigns", **filters)


@bp.route("/campaigns/<slug>", methods=["GET"], tags=TAGS["campaigns"])
@per_ip
@public
@bp.response(200, schemas.CampaignDetail)
@errors(404, 429)
def campaign(slug: str):
    """One published campaign: its text, decision makers, goal, count and milestones."""
    return queries.public_campaign(slug)


@bp.route("/campaigns/<slug>/count", methods=["GET"], tags=TAGS["campaigns"])
@per_ip
@public
@bp.response(200, schemas.Count)
@errors(404, 429)
def campaign_count(slug: str):
    """The live signature count; cacheable for the aggregation interval, like count.json."""
    payload = live_count.count_payload(slug)
    if payload is None:
        abort(404)
    response = jsonify(schemas.Count().dump(payload))
    return live_count.cacheable(response)


@bp.route("/campaigns/<slug>/updates", methods=["GET"], tags=TAGS["campaigns"])
@per_ip
@public
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.UpdatePage)
@errors(404, 429)
def campaign_updates(args: dict, slug: str):
    """A published campaign's updates, newest first."""
    campaign = queries.public_campaign(slug, full=False)
    page = queries.updates_page(campaign, page=args["page"], per_page=args["per_page"])
    return paged(page, "api_v1.campaign_updates", slug=slug)


@bp.route("/victories", methods=["GET"], tags=TAGS["victories"])
@per_ip
@public
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.VictoryPage)
@errors(429)
def victories(args: dict):
    """Confirmed victories, newest confirmation first."""
    page = queries.victories_page(page=args["page"], per_page=args["per_page"])
    return paged(page, "api_v1.victories")
