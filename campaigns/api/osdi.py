"""The OSDI 1.x view of petitions and signatures: queries and HAL+JSON representations.

Only the core fields are offered, read-only. A signature carries the signer's name only as
they chose to show it, and their country; never an email address, postcode or IP hash.
Who may read signatures is decided in campaigns.api.auth, for both APIs alike.
"""

import math
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import load_only, selectinload

from campaigns.core.services import RuleError
from campaigns.core.urls import absolute_url
from campaigns.extensions import db
from campaigns.models import Campaign, Signature
from campaigns.models.campaign import PUBLISHED
from campaigns.signatures.counting import counted_in

MEDIA_TYPE = "application/hal+json"
ORIGIN_SYSTEM = "Groundswell"
OSDI_VERSION = "1.1.0"
DOCS = "https://opensupporter.github.io/osdi-docs/{rel}"
PER_PAGE = 25
MAX_PER_PAGE = 100
# Deep pages of a huge campaign would make the database skip millions of rows (OFFSET).
MAX_OFFSET = 1_000_000


def _link(endpoint: str, **values) -> dict:
    """A HAL link to one of this API's endpoints, absolute on BASE_URL."""
    return {"href": absolute_url(endpoint, **values)}


def _curies() -> list[dict]:
    """The curie that expands "osdi:" link relations to the OSDI documentation."""
    return [{"name": "osdi", "href": DOCS, "templated": True}]


def _date(value: datetime | None) -> str | None:
    """An ISO 8601 timestamp in UTC, as OSDI dates are written."""
    return value.isoformat().replace("+00:00", "Z") if value else None


def entry_point() -> dict:
    """The API entry point (AEP): what this server offers and where."""
    return {
        "motd": _("Groundswell's OSDI view: petitions and their signatures, read-only."),
        "vendor_name": ORIGIN_SYSTEM,
        "product_name": ORIGIN_SYSTEM,
        "osdi_version": OSDI_VERSION,
        "max_pagesize": MAX_PER_PAGE,
        "namespace": "groundswell",
        "_links": {
            "curies": _curies(),
            "self": _link("osdi.entry_point"),
            "osdi:petitions": {
                **_link("osdi.petitions"),
                "title": _("The collection of public petitions"),
            },
        },
    }


def page_numbers(page: str | None, per_page: str | None) -> tuple[int, int]:
    """Validated page (from 1) and page size (1 to MAX_PER_PAGE) from the query string."""
    try:
        number = int(page) if page not in (None, "") else 1
        size = int(per_page) if per_page not in (None, "") else PER_PAGE
    except ValueError as exc:
        raise RuleError(_("page and per_page must be whole numbers."), status=400) from exc
    if number < 1 or not 1 <= size <= MAX_PER_PAGE:
        raise RuleError(
            _("page starts at 1; per_page is between 1 and %(num)d.", num=MAX_PER_PAGE), status=400
        )
    if (number - 1) * size > MAX_OFFSET:
        raise RuleError(_("That page is too deep; use a larger per_page."), status=400)
    return number, size


def _public() -> tuple:
    """Published campaigns nobody hid: the petitions the public may read."""
    return (Campaign.status.in_(PUBLISHED), Campaign.hidden_at.is_(None))


def public_petition(slug: str) -> Campaign | None:
    """A public petition by slug, with its decision makers, or None."""
    return db.session.scalar(
        sa.select(Campaign)
        .where(Campaign.slug == slug, *_public())
        .options(selectinload(Campaign.decision_makers))
    )


def _collection(rel: str, endpoint: str, items: list[dict], *, page, per_page, total, **values):
    """An OSDI collection page: counts, self/next/prev links, and the items embedded."""
    pages = math.ceil(total / per_page) if total else 0
    links = {
        "curies": _curies(),
        "self": _link(endpoint, page=page, per_page=per_page, **values),
        rel: [{"href": item["_links"]["self"]["href"]} for item in items],
    }
    if page < pages:
        links["next"] = _link(endpoint, page=page + 1, per_page=per_page, **values)
    if page > 1:
        links["prev"] = _link(endpoint, page=min(page - 1, max(pages, 1)), per_page=per_page,
                              **values)  # fmt: skip
    return {
        "total_pages": pages,
        "per_page": per_page,
        "page": page,
        "total_records": total,
        "_links": links,
        "_embedded": {rel: items},
    }


def petition(campaign: Campaign) -> dict:
    """One petition in OSDI's shape."""
    slug = campaign.slug
    targets = []
    for maker in campaign.decision_makers:
        target = {"name": maker.name}
        target.update({k: v for k, v in (("title", maker.title),
                                         ("organization", maker.organization)) if v})  # fmt: skip
        targets.append(target)
    return {
        "identifiers": [f"groundswell:{campaign.id}"],
        "origin_system": ORIGIN_SYSTEM,
        "created_date": _date(campaign.created_at),
        "modified_date": _date(campaign.updated_at),
        "name": slug,
        "title": campaign.title,
        "summary": campaign.summary,
        "description": campaign.body_html,
        # The text delivered to the decision maker: the campaign's own words (Markdown).
        "petition_text": campaign.body,
        "target": targets,
        "total_signatures": campaign.signature_count,
        "browser_url": absolute_url("petitions.show", slug=slug),
        "_links": {
            "self": _link("osdi.petition", slug=slug),
            "osdi:signatures": _link("osdi.signatures", slug=slug),
        },
    }


def petitions_page(page: int, per_page: int) -> dict:
    """A page of public petitions, most recently published first."""
    total = db.session.scalar(sa.select(sa.func.count(Campaign.id)).where(*_public()))
    campaigns = db.session.scalars(
        sa.select(Campaign)
        .where(*_public())
        .options(selectinload(Campaign.decision_makers))
        .order_by(Campaign.published_at.desc(), Campaign.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = [petition(c) for c in campaigns]
    return _collection(
        "osdi:petitions", "osdi.petitions", items, page=page, per_page=per_page, total=total
    )


# The columns a signature's representation reads: the email is never even loaded.
SIGNATURE_COLUMNS = load_only(
    Signature.id, Signature.campaign_id, Signature.name, Signature.visibility,
    Signature.country, Signature.reason, Signature.reason_hidden_at,
    Signature.created_at, Signature.confirmed_at,
)  # fmt: skip


def signature(row: Signature, slug: str) -> dict:
    """One signature in OSDI's shape: public name as chosen, country, the reason if shown."""
    person = {"postal_addresses": [{"primary": True, "country": row.country}]}
    if row.public_name:
        person["custom_fields"] = {"public_name": row.public_name}
    return {
        "identifiers": [f"groundswell:{row.id}"],
        "origin_system": ORIGIN_SYSTEM,
        "created_date": _date(row.created_at),
        "modified_date": _date(max(filter(None, (row.created_at, row.confirmed_at)))),
        "action_date": _date(row.confirmed_at or row.created_at),
        "comments": row.public_reason,
        "_links": {
            "self": _link("osdi.signature", slug=slug, signature_id=row.id),
            "osdi:petition": _link("osdi.petition", slug=slug),
        },
        "_embedded": {"osdi:person": person},
    }


def signatures_page(campaign: Campaign, page: int, per_page: int) -> dict:
    """A page of the campaign's counted signatures, oldest first."""
    total = db.session.scalar(
        sa.select(sa.func.count(Signature.id)).where(*counted_in(campaign.id))
    )
    rows = db.session.scalars(
        sa.select(Signature)
        .where(*counted_in(campaign.id))
        .options(SIGNATURE_COLUMNS)
        .order_by(Signature.created_at, Signature.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = [signature(row, campaign.slug) for row in rows]
    return _collection(
        "osdi:signatures", "osdi.signatures", items,
        page=page, per_page=per_page, total=total, slug=campaign.slug,
    )  # fmt: skip


def one_signature(campaign: Campaign, signature_id: int) -> dict | None:
    """One counted signature of the campaign in OSDI's shape, or None."""
    row = db.session.scalar(
        sa.select(Signature)
        .where(Signature.id == signature_id, *counted_in(campaign.id))
        .options(SIGNATURE_COLUMNS)
    )
    return None if row is None else signature(row, campaign.slug)
