"""Marshmallow schemas: they validate the API's input and write its OpenAPI document."""

import base64
import binascii
from datetime import UTC, datetime

import marshmallow as ma
from marshmallow import fields, validate

from campaigns.core.urls import absolute_url
from campaigns.database import MAX_BIG_ID
from campaigns.models import CampaignStatus, SignatureSource, Visibility
from campaigns.petitions import discovery
from campaigns.petitions.countries import GLOBAL, country_codes
from campaigns.signatures import services

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_SIGNATURES_PER_PAGE = 500
QUERY_MAX = 200
# CLDR territory codes (Babel's data, read once): what signers and campaigns may use.
COUNTRIES = sorted(country_codes())
PUBLIC_STATUSES = [s.value for s in discovery.PUBLIC_STATUSES]


class NotBlank(validate.Validator):
    """Refuse text that is empty once trimmed (documented as the pattern \\S)."""

    error = "Must not be blank."

    def __call__(self, value: str) -> str:
        """Pass text with something in it."""
        if not value.strip():
            raise ma.ValidationError(self.error)
        return value


def _without_controls(value: str | None) -> str | None:
    """Drop control characters from a search (as the site's own search form does)."""
    if value is None:
        return None
    return "".join(ch for ch in value if ch.isprintable() or ch.isspace()).strip()


class Computed(fields.Nested):
    """A nested object computed from the whole object, e.g. its links."""

    def __init__(self, nested, compute, **kwargs):
        """nested documents the result; compute(obj) makes it."""
        super().__init__(nested, **kwargs)
        self.compute = compute

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        """The computed value instead of an attribute."""
        return self.compute(obj)


class CleanText(fields.String):
    """Free text with control characters dropped."""

    def _deserialize(self, value, attr, data, **kwargs):
        """The text, cleaned."""
        return _without_controls(super()._deserialize(value, attr, data, **kwargs))


class Error(ma.Schema):
    """What went wrong: the HTTP status, a stable code, a message, and details if any."""

    status = fields.Integer(required=True, metadata={"example": 422})
    code = fields.String(required=True, metadata={"example": "validation_error"})
    message = fields.String(required=True)
    details = fields.Dict(metadata={"description": "Per location and field, what is wrong."})


class ErrorEnvelope(ma.Schema):
    """Every 4xx and 5xx answer under /api/ has this shape."""

    error = fields.Nested(Error, required=True)


class PageArgs(ma.Schema):
    """Page-number pagination."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=discovery.MAX_PAGE))
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )


class CampaignSearchArgs(PageArgs):
    """Filters of the public campaign list."""

    q = CleanText(validate=validate.Length(max=QUERY_MAX), metadata={"description": "Words."})
    status = fields.String(validate=validate.OneOf(PUBLIC_STATUSES))
    country = fields.String(
        validate=validate.OneOf([*COUNTRIES, GLOBAL]),
        metadata={"description": "ISO 3166 alpha-2 code, or 'global'."},
    )
    category = fields.String(validate=validate.Length(max=80), metadata={"description": "Slug."})
    sort = fields.String(validate=validate.OneOf([s.value for s in discovery.Sort]))


class Pagination(ma.Schema):
    """Where this page is, and links to its neighbours."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    next = fields.String(required=True, allow_none=True, metadata={"format": "uri"})
    prev = fields.String(required=True, allow_none=True, metadata={"format": "uri"})


class Category(ma.Schema):
    """A campaign's category."""

    slug = fields.String(required=True)
    name = fields.String(required=True)


class DecisionMaker(ma.Schema):
    """Who the campaign asks to act, and their response if one was recorded."""

    name = fields.String(required=True)
    title = fields.String(allow_none=True)
    organization = fields.String(allow_none=True)
    responded_at = fields.AwareDateTime(allow_none=True)
    response = fields.String(allow_none=True)
    response_url = fields.String(allow_none=True)


class Milestone(ma.Schema):
    """A signature threshold and when it was reached."""

    threshold = fields.Integer(required=True)
    label = fields.String(required=True)
    reached_at = fields.AwareDateTime(allow_none=True)


def _campaign_urls(campaign) -> dict:
    """Links to the campaign's page and API resources."""
    slug = campaign.slug
    return {
        "html": absolute_url("petitions.show", slug=slug),
        "api": absolute_url("api_v1.campaign", slug=slug),
        "count": absolute_url("api_v1.campaign_count", slug=slug),
        "updates": absolute_url("api_v1.campaign_updates", slug=slug),
        "signatures": absolute_url("api_v1_signatures.signatures", slug=slug),
    }


class CampaignUrls(ma.Schema):
    """Links to the campaign's public page and its API resources."""

    html = fields.String(required=True, metadata={"format": "uri"})
    api = fields.String(required=True, metadata={"format": "uri"})
    count = fields.String(required=True, metadata={"format": "uri"})
    updates = fields.String(required=True, metadata={"format": "uri"})
    signatures = fields.String(required=True, metadata={"format": "uri"})


class CampaignSummary(ma.Schema):
    """A campaign as lists show it."""

    slug = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(PUBLIC_STATUSES))
    country = fields.String(allow_none=True, metadata={"description": "None means global."})
    category = fields.Nested(Category, allow_none=True)
    goal = fields.Integer(allow_none=True)
    signature_count = fields.Integer(required=True)
    deadline = fields.AwareDateTime(allow_none=True)
    published_at = fields.AwareDateTime(allow_none=True)
    decision_makers = fields.List(fields.Nested(DecisionMaker), required=True)
    urls = Computed(CampaignUrls, _campaign_urls, required=True)


def _victory(campaign):
    """The campaign itself as its victory record, for won campaigns only."""
    return campaign if campaign.status == CampaignStatus.VICTORY else None


class Victory(ma.Schema):
    """The confirmed outcome of a won campaign."""

    summary = fields.String(allow_none=True, attribute="victory_summary")
    evidence_url = fields.String(allow_none=True, attribute="victory_evidence_url")
    confirmed_at = fields.AwareDateTime(allow_none=True, attribute="victory_confirmed_at")
    signature_count = fields.Integer(allow_none=True, attribute="victory_signature_count")


class CampaignDetail(CampaignSummary):
    """One campaign in full: its text (Markdown, and sanitized HTML), milestones, outcome."""

    body_markdown = fields.String(required=True, attribute="body")
    body_html = fields.String(required=True, metadata={"description": "Sanitized HTML."})
    language = fields.String(required=True)
    next_milestone = fields.Integer(allow_none=True)
    milestones = fields.List(fields.Nested(Milestone), required=True)
    created_at = fields.AwareDateTime(required=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    victory = Computed(Victory, lambda c: _victory(c), allow_none=True)


class CampaignPage(ma.Schema):
    """A page of campaigns."""

    items = fields.List(fields.Nested(CampaignSummary), required=True)
    pagination = fields.Nested(Pagination, required=True)


class Count(ma.Schema):
    """The live count, as the campaign page polls it."""

    slug = fields.String(required=True)
    signature_count = fields.Integer(required=True)
    goal = fields.Integer(allow_none=True)
    next_milestone = fields.Integer(allow_none=True)
    status = fields.String(required=True)
    updated_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class Update(ma.Schema):
    """A published update on a campaign."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    body_markdown = fields.String(required=True, attribute="body")
    body_html = fields.String(required=True, metadata={"description": "Sanitized HTML."})
    published_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(allow_none=True)


class UpdatePage(ma.Schema):
    """A page of a campaign's updates, newest first."""

    items = fields.List(fields.Nested(Update), required=True)
    pagination = fields.Nested(Pagination, required=True)


class VictoryItem(CampaignSummary):
    """A won campaign with its victory record."""

    victory = Computed(Victory, lambda campaign: campaign, required=True)


class VictoryPage(ma.Schema):
    """A page of confirmed victories, newest first."""

    items = fields.List(fields.Nested(VictoryItem), required=True)
    pagination = fields.Nested(Pagination, required=True)


class SignArgs(ma.Schema):
    """A supporter's signature; it counts once they confirm it from the email sent."""

    name = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=services.NAME_MAX), NotBlank()],
        metadata={"pattern": r"\S"},
    )
    # Checked by signing itself (canonical_email), so the API accepts what the site accepts.
    email = fields.String(
        required=True,
        validate=validate.Length(min=3, max=services.EMAIL_MAX),
        metadata={"format": "email"},
    )
    country = fields.String(required=True, validate=validate.OneOf(COUNTRIES))
    postcode = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=services.POSTCODE_MAX)
    )
    reason = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=services.REASON_MAX)
    )
    visibility = fields.String(
        load_default=Visibility.COUNT_ONLY.value,
        validate=validate.OneOf([v.value for v in Visibility]),
        metadata={"description": "How the signer's name may be shown; count only by default."},
    )
    consent_updates = fields.Boolean(load_default=False)


class Accepted(ma.Schema):
    """The same answer whether or not this address had signed before."""

    status = fields.String(required=True, validate=validate.OneOf(["pending_confirmation"]))
    message = fields.String(required=True)


class Cursor(fields.String):
    """An opaque position in a list: where the previous page ended."""

    def _deserialize(self, value, attr, data, **kwargs):
        """Decode 'confirmed_at|id' from URL-safe base64."""
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            raw = base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4)).decode()
            moment, _, ident = raw.partition("|")
            when = datetime.fromisoformat(moment)
            if when.tzinfo is None or not ident.isdigit() or int(ident) > MAX_BIG_ID:
                raise ValueError(raw)
            when = when.astimezone(UTC)  # a year-1 or year-9999 offset overflows here, not later
        except (ValueError, OverflowError, UnicodeError, binascii.Error):
            raise ma.ValidationError("Not a cursor this API gave out.") from None
        return when, int(ident)


def make_cursor(confirmed_at: datetime, signature_id: int) -> str:
    """The cursor after a signature."""
    raw = f"{confirmed_at.isoformat()}|{signature_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class SignatureListArgs(ma.Schema):
    """Cursor pagination over a campaign's confirmed signatures, oldest confirmation first."""

    after = Cursor(metadata={"description": "The next_cursor of the previous page."})
    per_page = fields.Integer(
        load_default=MAX_PER_PAGE, validate=validate.Range(min=1, max=MAX_SIGNATURES_PER_PAGE)
    )


class SignatureOut(ma.Schema):
    """A confirmed signature as its campaign's organizers see it: never an email address."""

    id = fields.Integer(required=True)
    public_name = fields.String(
        allow_none=True, metadata={"description": "As the signer chose to show it; null for "
                                   "count only."}
    )  # fmt: skip
    country = fields.String(required=True)
    postcode = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    source = fields.String(
        required=True, validate=validate.OneOf([s.value for s in SignatureSource])
    )
    confirmed_at = fields.AwareDateTime(required=True)


class SignaturePage(ma.Schema):
    """A page of signatures and the cursor for the next one (null at the end)."""

    items = fields.List(fields.Nested(SignatureOut), required=True)
    next_cursor = fields.String(required=True, allow_none=True)
    next = fields.String(required=True, allow_none=True, metadata={"format": "uri"})
