"""The authorization table of issues 3 to 6, walked over HTTP: every role against every action.

Roles: anonymous, member, owner, co-organizer, moderator, admin. Outcomes: "ok" (the action
happened or the page showed), "login" (sent to log in), or the HTTP status refused with.
"""

import io

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from campaigns.api.keys import create_key
from campaigns.embed.tokens import make_form_token
from campaigns.extensions import db as _db
from campaigns.imports import services as import_services
from campaigns.models import (
    Campaign,
    CampaignInvitation,
    CampaignReport,
    CampaignStatus,
    ClaimState,
    Role,
    Signature,
    SignatureState,
    Update,
    User,
    WebhookEndpoint,
    utcnow,
)
from campaigns.outcomes.unsubscribe import UNSUBSCRIBE_SALT, make_unsubscribe_token
from campaigns.signatures.tokens import make_confirm_token, make_withdraw_token
from tests.conftest import login
from tests.outcomes.victory_helpers import EVIDENCE, SUMMARY, add_claim

ROLES = ("anonymous", "member", "owner", "co_organizer", "moderator", "admin")
DRAFT, PENDING, OPEN, CLOSED, VICTORY = (
    CampaignStatus.DRAFT, CampaignStatus.PENDING_REVIEW, CampaignStatus.OPEN,
    CampaignStatus.CLOSED, CampaignStatus.VICTORY,  # a confirmed victory, with its claim
)  # fmt: skip
HIDDEN = "hidden"  # open, but hidden pending review
CLAIMED = "claimed"  # open, with a victory claim waiting for an admin
OK, LOGIN = "ok", "login"


def row(action, method, path, status, *outcomes, data=None):
    """One action: (name, method, path with {slug}/{id}, campaign status, outcome per role)."""
    assert len(outcomes) == len(ROLES)
    return (action, method, path, status, dict(zip(ROLES, outcomes, strict=True)), data or {})


STORY = {"summary": "S", "body": "B"}
SIGN = {"name": "Sam Signer", "email": "sam@example.org", "country": "GB"}
UPDATE = {"title": "Edited title", "body": "Edited body", "kind": "news"}
DECLARE = {"summary": SUMMARY, "evidence_url": EVIDENCE}
RESPONSE = {"responded_at": "2024-03-01", "response": "We will review the policy."}
MAKER_RESPONSE = "/campaigns/{slug}/decision-makers/{maker_id}/response"
PAPER_CSV = b"name,country,date\nPaper Person,GB,2024-01-01\n"
# A file is read once: each request gets a fresh one.
IMPORT_FILE = {"file": lambda: (io.BytesIO(PAPER_CSV), "paper.csv"), "date_order": "day"}
EMBED_SIGN = {**SIGN, "embed_token": "{embed_token}"}
WEBHOOK = {"url": "https://hooks.example.org/new", "events": "campaign.closed"}
HOOK = "/campaigns/{slug}/webhooks/{endpoint_id}"
TABLE = [
    #    action                 method  path                                  state
    #                           anonymous member owner co-org moderator admin
    row("view open campaign", "GET", "/campaigns/{slug}", OPEN, OK, OK, OK, OK, OK, OK),
    row("view closed campaign", "GET", "/campaigns/{slug}", CLOSED, OK, OK, OK, OK, OK, OK),
    row("view draft", "GET", "/campaigns/{slug}", DRAFT, 404, 404, OK, OK, OK, OK),
    row("view pending", "GET", "/campaigns/{slug}", PENDING, 404, 404, OK, OK, OK, OK),
    row("start page", "GET", "/campaigns/new", None, LOGIN, OK, OK, OK, OK, OK),
    row("my campaigns", "GET", "/campaigns/mine", None, LOGIN, OK, OK, OK, OK, OK),
    row("edit draft", "POST", "/campaigns/{slug}/edit/story", DRAFT,
        LOGIN, 404, OK, OK, 403, 403, data=STORY),
    row("edit open", "POST", "/campaigns/{slug}/edit/story", OPEN,
        LOGIN, 403, OK, OK, 403, 403, data=STORY),
    row("preview", "GET", "/campaigns/{slug}/preview", DRAFT, LOGIN, 404, OK, OK, 403, 403),
    row("submit for review", "POST", "/campaigns/{slug}/submit", DRAFT,
        LOGIN, 404, OK, OK, 403, 403),
    row("withdraw from review", "POST", "/campaigns/{slug}/withdraw", PENDING,
        LOGIN, 404, OK, OK, 403, 403),
    row("close", "POST", "/campaigns/{slug}/close", OPEN, LOGIN, 403, OK, 403, 403, OK),
    row("reopen", "POST", "/campaigns/{slug}/reopen", CLOSED, LOGIN, 403, 403, 403, 403, OK),
    row("see organizers", "GET", "/campaigns/{slug}/organizers", OPEN,
        LOGIN, 403, OK, OK, 403, 403),
    row("invite co-organizer", "POST", "/campaigns/{slug}/organizers", OPEN,
        LOGIN, 403, OK, 403, 403, 403, data={"email": "new@example.org"}),
    row("remove co-organizer", "POST", "/campaigns/{slug}/organizers/{co_id}/remove", OPEN,
        LOGIN, 403, OK, OK, 403, 403),
    row("revoke invitation", "POST", "/campaigns/{slug}/invitations/{invitation_id}/revoke", OPEN,
        LOGIN, 403, OK, 403, 403, 403),
    row("view hidden campaign", "GET", "/campaigns/{slug}", HIDDEN, 404, 404, 404, 404, OK, OK),
    row("report form", "GET", "/campaigns/{slug}/report", OPEN, OK, OK, OK, OK, OK, OK),
    row("report", "POST", "/campaigns/{slug}/report", OPEN,
        OK, OK, OK, OK, OK, OK, data={"reason": "spam", "details": "Advert"}),
    row("report hidden", "POST", "/campaigns/{slug}/report", HIDDEN,
        404, 404, 404, 404, OK, OK, data={"reason": "spam"}),
    row("moderation queue", "GET", "/moderation/", None, LOGIN, 403, 403, 403, OK, OK),
    row("review page", "GET", "/moderation/campaigns/{slug}", PENDING,
        LOGIN, 403, 403, 403, OK, OK),
    row("claim", "POST", "/moderation/campaigns/{slug}/claim", PENDING,
        LOGIN, 403, 403, 403, OK, OK),
    row("approve", "POST", "/moderation/campaigns/{slug}/approve", PENDING,
        LOGIN, 403, 403, 403, OK, OK),
    row("reject", "POST", "/moderation/campaigns/{slug}/reject", PENDING,
        LOGIN, 403, 403, 403, OK, OK, data={"reject-reason": "spam"}),
    row("hide", "POST", "/moderation/campaigns/{slug}/hide", OPEN,
        LOGIN, 403, 403, 403, OK, OK, data={"hide-note": "Reported as libellous"}),
    row("unhide", "POST", "/moderation/campaigns/{slug}/unhide", HIDDEN,
        LOGIN, 403, 403, 403, OK, OK),
    row("revisions", "GET", "/moderation/campaigns/{slug}/revisions", OPEN,
        LOGIN, 403, 403, 403, OK, OK),
    row("reports queue", "GET", "/moderation/reports", None, LOGIN, 403, 403, 403, OK, OK),
    row("resolve report", "POST", "/moderation/reports/{report_id}/resolve", OPEN,
        LOGIN, 403, 403, 403, OK, OK, data={"r{report_id}-resolution": "dismissed"}),
    row("categories", "GET", "/admin/categories", None, LOGIN, 403, 403, 403, 403, OK),
    row("create category", "POST", "/admin/categories", None,
        LOGIN, 403, 403, 403, 403, OK, data={"new-name": "Housing"}),
    row("archive category", "POST", "/admin/categories/{category_id}/archive", OPEN,
        LOGIN, 403, 403, 403, 403, OK),
    row("feature", "POST", "/admin/campaigns/{slug}/feature", OPEN,
        LOGIN, 403, 403, 403, 403, OK),
    # Admin area (issue 5): admins only; moderators keep their queues under /moderation/.
    row("admin dashboard", "GET", "/admin/", None, LOGIN, 403, 403, 403, 403, OK),
    row("audit log", "GET", "/admin/audit?actor=example&date_from=2020-01-01", None,
        LOGIN, 403, 403, 403, 403, OK),
    row("find accounts", "GET", "/admin/users?q=example", None, LOGIN, 403, 403, 403, 403, OK),
    row("disable account", "POST", "/admin/users/{user_id}/disable", OPEN,
        LOGIN, 403, 403, 403, 403, OK, data={"d{user_id}-reason": "Spam"}),
    row("enable account", "POST", "/admin/users/{disabled_id}/enable", OPEN,
        LOGIN, 403, 403, 403, 403, OK),
    # Updates (issue 5): organizers post and edit; admins edit; moderators delete too.
    row("updates page", "GET", "/campaigns/{slug}/updates", OPEN, OK, OK, OK, OK, OK, OK),
    row("updates feed", "GET", "/campaigns/{slug}/updates.atom", OPEN, OK, OK, OK, OK, OK, OK),
    row("new update form", "GET", "/campaigns/{slug}/updates/new", OPEN,
        LOGIN, 403, OK, OK, 403, 403),
    row("post update", "POST", "/campaigns/{slug}/updates/new", OPEN,
        LOGIN, 403, OK, OK, 403, 403, data=UPDATE),
    row("edit update form", "GET", "/campaigns/{slug}/updates/{update_id}/edit", OPEN,
        LOGIN, 403, OK, OK, 403, OK),
    row("edit update", "POST", "/campaigns/{slug}/updates/{update_id}/edit", OPEN,
        LOGIN, 403, OK, OK, 403, OK, data=UPDATE),
    row("delete update", "POST", "/campaigns/{slug}/updates/{update_id}/delete", OPEN,
        LOGIN, 403, OK, OK, OK, OK),
    # Victories and responses (issue 5): organizers declare, admins decide, mark and revoke.
    row("victories page", "GET", "/victories", VICTORY, OK, OK, OK, OK, OK, OK),
    row("victories feed", "GET", "/victories.atom", VICTORY, OK, OK, OK, OK, OK, OK),
    row("declare form", "GET", "/campaigns/{slug}/victory", OPEN, LOGIN, 403, OK, OK, 403, 403),
    row("declare victory", "POST", "/campaigns/{slug}/victory", OPEN,
        LOGIN, 403, OK, OK, 403, 403, data=DECLARE),
    row("declare on hidden", "POST", "/campaigns/{slug}/victory", HIDDEN,
        LOGIN, 404, 404, 404, 403, 403, data=DECLARE),
    row("declare on a draft", "POST", "/campaigns/{slug}/victory", DRAFT,
        LOGIN, 404, 409, 409, 403, 403, data=DECLARE),
    row("claims queue", "GET", "/admin/victories", None, LOGIN, 403, 403, 403, 403, OK),
    row("confirm claim", "POST", "/admin/victories/{claim_id}/confirm", CLAIMED,
        LOGIN, 403, 403, 403, 403, OK),
    row("decline claim", "POST", "/admin/victories/{claim_id}/decline", CLAIMED,
        LOGIN, 403, 403, 403, 403, OK, data={"d{claim_id}-reason": "No evidence."}),
    row("mark page", "GET", "/admin/campaigns/{slug}/victory", OPEN,
        LOGIN, 403, 403, 403, 403, OK),
    row("mark victory", "POST", "/admin/campaigns/{slug}/victory", OPEN,
        LOGIN, 403, 403, 403, 403, OK, data=DECLARE),
    row("revoke victory", "POST", "/admin/campaigns/{slug}/victory/revoke", VICTORY,
        LOGIN, 403, 403, 403, 403, OK, data={"reason": "Reversed."}),
    row("response form", "GET", MAKER_RESPONSE, OPEN, LOGIN, 403, OK, OK, 403, OK),
    row("record response", "POST", MAKER_RESPONSE, OPEN,
        LOGIN, 403, OK, OK, 403, OK, data=RESPONSE),
    row("response form on a draft", "GET", MAKER_RESPONSE, DRAFT,
        LOGIN, 404, 409, 409, 403, 409),
    row("record response on hidden", "POST", MAKER_RESPONSE, HIDDEN,
        LOGIN, 404, 404, 404, 403, OK, data=RESPONSE),
    # Unsubscribe (issue 5): the signed link is the key, whoever holds it; a forged one is not.
    row("unsubscribe page", "GET", "/unsubscribe/{unsubscribe_token}", OPEN,
        OK, OK, OK, OK, OK, OK),
    row("unsubscribe", "POST", "/unsubscribe/{unsubscribe_token}", OPEN,
        OK, OK, OK, OK, OK, OK, data={"scope": "campaign"}),
    row("one-click unsubscribe", "POST", "/unsubscribe/{unsubscribe_token}", OPEN,
        OK, OK, OK, OK, OK, OK, data={"List-Unsubscribe": "One-Click"}),
    row("forged unsubscribe page", "GET", "/unsubscribe/{forged_token}", OPEN,
        404, 404, 404, 404, 404, 404),
    row("forged unsubscribe", "POST", "/unsubscribe/{forged_token}", OPEN,
        404, 404, 404, 404, 404, 404, data={"scope": "all"}),
    # Signing (issue 4). The member already signed the campaign: signing again is a quiet OK.
    row("sign open", "POST", "/campaigns/{slug}/sign", OPEN, OK, OK, OK, OK, OK, OK, data=SIGN),
    row("sign closed", "POST", "/campaigns/{slug}/sign", CLOSED,
        409, 409, 409, 409, 409, 409, data=SIGN),
    row("sign hidden", "POST", "/campaigns/{slug}/sign", HIDDEN,
        404, 404, 404, 404, 409, 409, data=SIGN),
    row("check your email", "GET", "/campaigns/{slug}/signed", OPEN, OK, OK, OK, OK, OK, OK),
    row("resend confirmation", "POST", "/campaigns/{slug}/resend", OPEN,
        OK, OK, OK, OK, OK, OK, data={"email": "someone@example.org"}),
    row("count.json", "GET", "/campaigns/{slug}/count.json", OPEN, OK, OK, OK, OK, OK, OK),
    row("count.json of a draft", "GET", "/campaigns/{slug}/count.json", DRAFT,
        404, 404, 404, 404, 404, 404),
    row("confirm page", "GET", "/signatures/confirm/{confirm_token}", OPEN,
        OK, OK, OK, OK, OK, OK),
    row("withdraw page", "GET", "/signatures/withdraw/{withdraw_token}", OPEN,
        OK, OK, OK, OK, OK, OK),
    row("withdraw by link", "POST", "/signatures/withdraw/{withdraw_token}", OPEN,
        OK, OK, OK, OK, OK, OK),
    row("export signatures (CSV)", "GET", "/campaigns/{slug}/signatures.csv", OPEN,
        LOGIN, 403, OK, OK, 403, OK),
    row("my signatures", "GET", "/account/signatures", None, LOGIN, OK, OK, OK, OK, OK),
    row("withdraw own signature", "POST", "/account/signatures/{signature_id}/withdraw", OPEN,
        LOGIN, OK, 404, 404, 404, 404),
    row("report a reason", "POST", "/signatures/{signature_id}/report-reason", OPEN,
        OK, OK, OK, OK, OK, OK),
    row("signatures and floods", "GET", "/moderation/campaigns/{slug}/signatures", OPEN,
        LOGIN, 403, 403, 403, OK, OK),
    row("invalidate in bulk", "POST", "/moderation/campaigns/{slug}/signatures/invalidate", OPEN,
        LOGIN, 403, 403, 403, OK, OK, data={"domain": "flood.test"}),
    row("release suspects", "POST", "/moderation/campaigns/{slug}/signatures/release", OPEN,
        LOGIN, 403, 403, 403, OK, OK, data={"domain": "flood.test"}),
    row("reported reasons", "GET", "/moderation/reasons", None, LOGIN, 403, 403, 403, OK, OK),
    row("hide a reason", "POST", "/moderation/reasons/{signature_id}/hide", OPEN,
        LOGIN, 403, 403, 403, OK, OK),
    row("keep a reason", "POST", "/moderation/reasons/{signature_id}/keep", OPEN,
        LOGIN, 403, 403, 403, OK, OK),
    # Organizer tools (issue 6): dashboard, delivery document, paper signatures, webhooks:
    # organizers and admins; moderators organize nothing.
    row("campaign dashboard", "GET", "/campaigns/{slug}/dashboard", OPEN,
        LOGIN, 403, OK, OK, 403, OK),
    row("dashboard of a closed campaign", "GET", "/campaigns/{slug}/dashboard", CLOSED,
        LOGIN, 403, OK, OK, 403, OK),
    row("dashboard of a draft", "GET", "/campaigns/{slug}/dashboard", DRAFT,
        LOGIN, 404, OK, OK, 403, OK),
    row("dashboard of a hidden campaign", "GET", "/campaigns/{slug}/dashboard", HIDDEN,
        LOGIN, 404, 404, 404, 403, OK),
    row("delivery document", "GET", "/campaigns/{slug}/delivery", OPEN,
        LOGIN, 403, OK, OK, 403, OK),
    row("delivery document (victory)", "GET", "/campaigns/{slug}/delivery", VICTORY,
        LOGIN, 403, OK, OK, 403, OK),
    row("delivery document (draft)", "GET", "/campaigns/{slug}/delivery", DRAFT,
        LOGIN, 404, 409, 409, 403, 409),
    row("delivery document (hidden)", "GET", "/campaigns/{slug}/delivery", HIDDEN,
        LOGIN, 404, 404, 404, 403, OK),
    row("paper signatures page", "GET", "/campaigns/{slug}/imports", OPEN,
        LOGIN, 403, OK, OK, 403, OK),
    row("paper signatures template", "GET", "/campaigns/{slug}/imports/template.csv", OPEN,
        LOGIN, 403, OK, OK, 403, OK),
    row("upload paper signatures", "POST", "/campaigns/{slug}/imports", OPEN,
        LOGIN, 403, OK, OK, 403, OK, data=IMPORT_FILE),
    row("upload to a closed campaign", "POST", "/campaigns/{slug}/imports", CLOSED,
        LOGIN, 403, 409, 409, 403, 409, data=IMPORT_FILE),
    row("upload to a draft", "POST", "/campaigns/{slug}/imports", DRAFT,
        LOGIN, 404, 409, 409, 403, 409, data=IMPORT_FILE),
    row("import report", "GET", "/campaigns/{slug}/imports/{import_id}", OPEN,
        LOGIN, 403, OK, OK, 403, OK),
    row("confirm import", "POST", "/campaigns/{slug}/imports/{import_id}/confirm", OPEN,
        LOGIN, 403, OK, OK, 403, OK),
    row("discard import", "POST", "/campaigns/{slug}/imports/{import_id}/discard", OPEN,
        LOGIN, 403, OK, OK, 403, OK),
    row("paper signatures of hidden", "GET", "/campaigns/{slug}/imports", HIDDEN,
        LOGIN, 404, 404, 404, 403, OK),
    row("webhooks page", "GET", "/campaigns/{slug}/webhooks", OPEN,
        LOGIN, 403, OK, OK, 403, OK),
    row("add webhook", "POST", "/campaigns/{slug}/webhooks", OPEN,
        LOGIN, 403, OK, OK, 403, OK, data=WEBHOOK),
    row("webhook log", "GET", HOOK, OPEN, LOGIN, 403, OK, OK, 403, OK),
    row("webhook test event", "POST", HOOK + "/test", OPEN, LOGIN, 403, OK, OK, 403, OK),
    row("disable webhook", "POST", HOOK + "/disable", OPEN, LOGIN, 403, OK, OK, 403, OK),
    row("enable webhook", "POST", "/campaigns/{slug}/webhooks/{disabled_endpoint_id}/enable",
        OPEN, LOGIN, 403, OK, OK, 403, OK),
    row("rotate webhook secret", "POST", HOOK + "/rotate", OPEN, LOGIN, 403, OK, OK, 403, OK),
    row("delete webhook", "POST", HOOK + "/delete", OPEN, LOGIN, 403, OK, OK, 403, OK),
    row("webhooks of a draft", "GET", "/campaigns/{slug}/webhooks", DRAFT,
        LOGIN, 404, OK, OK, 403, OK),
    row("webhooks of hidden", "GET", "/campaigns/{slug}/webhooks", HIDDEN,
        LOGIN, 404, 404, 404, 403, OK),
    # The sign widget (issue 6): public and sessionless, the same for every role, so drafts
    # and hidden campaigns are 404 even to their organizers; no form token, no signature.
    row("widget", "GET", "/campaigns/{slug}/embed", OPEN, OK, OK, OK, OK, OK, OK),
    row("widget closed", "GET", "/campaigns/{slug}/embed", CLOSED, OK, OK, OK, OK, OK, OK),
    row("widget draft", "GET", "/campaigns/{slug}/embed", DRAFT,
        404, 404, 404, 404, 404, 404),
    row("widget hidden", "GET", "/campaigns/{slug}/embed", HIDDEN,
        404, 404, 404, 404, 404, 404),
    row("widget sign", "POST", "/campaigns/{slug}/embed", OPEN,
        OK, OK, OK, OK, OK, OK, data=EMBED_SIGN),
    row("widget sign, no token", "POST", "/campaigns/{slug}/embed", OPEN,
        400, 400, 400, 400, 400, 400, data=SIGN),
    row("widget sign closed", "POST", "/campaigns/{slug}/embed", CLOSED,
        409, 409, 409, 409, 409, 409, data=EMBED_SIGN),
    row("widget check email", "GET", "/campaigns/{slug}/embed/signed", OPEN,
        OK, OK, OK, OK, OK, OK),
    # API keys (issue 6): organizers and admins create; only its owner revokes a key.
    row("API keys page", "GET", "/account/api-keys", None, LOGIN, OK, OK, OK, OK, OK),
    row("create API key", "POST", "/account/api-keys", OPEN,
        LOGIN, 403, OK, OK, 403, OK, data={"name": "CRM sync"}),
    row("revoke API key", "POST", "/account/api-keys/{key_id}/revoke", OPEN,
        LOGIN, 404, OK, 404, 404, 404),
    # OSDI (issue 6): petitions are public; signatures need a key, never a session.
    row("OSDI petition", "GET", "/api/osdi/v1/petitions/{slug}", OPEN, OK, OK, OK, OK, OK, OK),
    row("OSDI hidden petition", "GET", "/api/osdi/v1/petitions/{slug}", HIDDEN,
        404, 404, 404, 404, 404, 404),
    row("OSDI draft petition", "GET", "/api/osdi/v1/petitions/{slug}", DRAFT,
        404, 404, 404, 404, 404, 404),
    row("OSDI signatures by session", "GET", "/api/osdi/v1/petitions/{slug}/signatures", OPEN,
        401, 401, 401, 401, 401, 401),
]  # fmt: skip


def campaign_fields(state, owner, admin) -> dict:
    """make_campaign's arguments for a state; the pseudo-states are open campaigns."""
    now = utcnow()
    declared = {"victory_declared_at": now, "victory_declared_by_id": owner.id}
    if state == HIDDEN:
        return {"status": OPEN, "hidden_at": now}
    if state == CLAIMED:
        return {"status": OPEN, **declared}
    if state == VICTORY:  # what confirming a claim writes onto the campaign
        return {"status": VICTORY, "closed_at": now, **declared, "victory_confirmed_at": now,
                "victory_confirmed_by_id": admin.id, "victory_summary": SUMMARY,
                "victory_evidence_url": EVIDENCE, "victory_signature_count": 1}  # fmt: skip
    return {"status": state}


def members_signature(campaign, member) -> Signature:
    """The member's confirmed signature on the campaign, with a reported reason and updates."""
    now = utcnow()
    return Signature(
        campaign_id=campaign.id, user_id=member.id, email=member.email,
        canonical_email=member.email, email_domain="example.org", name="Mo Member",
        country="GB", state=SignatureState.CONFIRMED, confirmed_at=now,
        reason="Because it matters.", reason_reports=1, reason_reported_at=now,
        consent_updates=True,
    )  # fmt: skip


def news_update(campaign, author) -> Update:
    """A published news update on the campaign."""
    return Update(campaign_id=campaign.id, author_id=author.id, title="Board meeting",
                  body="B", body_html="<p>B</p>", published_at=utcnow())  # fmt: skip


def forged_unsubscribe_token(signature_id: int) -> str:
    """An unsubscribe token for a real signature, signed without the app's secret key."""
    return URLSafeSerializer("guessed-key", salt=UNSUBSCRIBE_SALT).dumps({"sid": signature_id})


def webhook_endpoints(campaign) -> list[WebhookEndpoint]:
    """An enabled and a disabled webhook endpoint on the campaign."""
    url, events = "https://hooks.example.org/", "campaign.closed"
    return [
        WebhookEndpoint(campaign_id=campaign.id, url=url + "a", secret="a", events=events),
        WebhookEndpoint(campaign_id=campaign.id, url=url + "b", secret="b", events=events,
                        disabled_at=utcnow()),
    ]  # fmt: skip


def paper_import(campaign, owner) -> int:
    """The id of a paper-signature import waiting on the campaign (0 unless it is open)."""
    if not campaign.is_open:
        return 0
    record = import_services.upload_import(
        _db.session.get(User, owner.id), campaign, filename="paper.csv", data=PAPER_CSV
    )
    _db.session.commit()
    return record.id


@pytest.fixture
def world(app, make_user, make_campaign):
    """Users for every role and a factory for a campaign in a given state."""
    owner, co = make_user(), make_user()
    users = {
        "member": make_user(),
        "owner": owner,
        "co_organizer": co,
        "moderator": make_user(role=Role.MODERATOR),
        "admin": make_user(role=Role.ADMIN),
    }

    def campaign(state):
        fields = campaign_fields(state, owner, users["admin"])
        slug = make_campaign(owner=owner, co_organizers=[co], **fields)
        account, disabled = make_user(), make_user()  # for disabling and enabling
        with app.app_context():
            _db.session.get(User, disabled.id).disabled_at = utcnow()
            campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
            invitation = CampaignInvitation(campaign_id=campaign.id, email="pending@example.org")
            report = CampaignReport(campaign_id=campaign.id, reason="spam", created_at=utcnow())
            signature = members_signature(campaign, users["member"])
            update = news_update(campaign, owner)
            hooks = webhook_endpoints(campaign)
            _db.session.add_all([invitation, report, signature, update, *hooks])
            owner_key, _raw = create_key(_db.session.get(User, owner.id), name="Owner's key")
            _db.session.commit()
            paper = paper_import(campaign, owner)
            ids = {"invitation_id": invitation.id, "report_id": report.id,
                   "category_id": campaign.category_id, "signature_id": signature.id,
                   "confirm_token": make_confirm_token(signature.id),
                   "withdraw_token": make_withdraw_token(signature.id),
                   "unsubscribe_token": make_unsubscribe_token(signature.id),
                   "forged_token": forged_unsubscribe_token(signature.id),
                   "user_id": account.id, "disabled_id": disabled.id, "update_id": update.id,
                   "maker_id": campaign.decision_makers[0].id, "key_id": owner_key.id,
                   "endpoint_id": hooks[0].id, "disabled_endpoint_id": hooks[1].id,
                   "import_id": paper, "embed_token": make_form_token(campaign.id)}  # fmt: skip
        if state == CLAIMED:
            ids["claim_id"] = add_claim(app, slug, owner)
        elif state == VICTORY:
            decided = {"decided_by_id": users["admin"].id, "decided_at": utcnow()}
            ids["claim_id"] = add_claim(app, slug, owner, state=ClaimState.CONFIRMED, **decided)
        return {"slug": slug, "co_id": co.id, **ids}

    return users, campaign


def outcome(response) -> str | int:
    """Classify a response as ok, a log-in redirect, or a refusal status."""
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login" in location:
        return LOGIN
    if response.status_code in (200, 201, 301, 302, 303):
        return OK
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("action", "method", "path", "status", "expected", "data"), TABLE, ids=[r[0] for r in TABLE]
)
def test_authorization_table(
    app, client, world, role, action, method, path, status, expected, data
):
    """Each role gets exactly the outcome the table states for each action."""
    users, campaign = world
    values = campaign(status) if status else {}
    if role != "anonymous":
        assert login(client, users[role].email).status_code == 302
    url = path.format(**values)
    data = {
        key.format(**values): value() if callable(value) else value.format(**values)
        for key, value in data.items()
    }
    response = client.open(url, method=method, data=data)
    assert outcome(response) == expected[role], (action, role, response.status_code)
