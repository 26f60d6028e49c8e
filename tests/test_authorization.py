"""The authorization table of issues 3, 4 and 5, walked over HTTP: every role against every action.

Roles: anonymous, member, owner, co-organizer, moderator, admin. Outcomes: "ok" (the action
happened or the page showed), "login" (sent to log in), or the HTTP status refused with.
"""

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from campaigns.extensions import db as _db
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
            _db.session.add_all([invitation, report, signature, update])
            _db.session.commit()
            ids = {"invitation_id": invitation.id, "report_id": report.id,
                   "category_id": campaign.category_id, "signature_id": signature.id,
                   "confirm_token": make_confirm_token(signature.id),
                   "withdraw_token": make_withdraw_token(signature.id),
                   "unsubscribe_token": make_unsubscribe_token(signature.id),
                   "forged_token": forged_unsubscribe_token(signature.id),
                   "user_id": account.id, "disabled_id": disabled.id, "update_id": update.id,
                   "maker_id": campaign.decision_makers[0].id}  # fmt: skip
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
    data = {key.format(**values): value for key, value in data.items()}
    response = client.open(url, method=method, data=data)
    assert outcome(response) == expected[role], (action, role, response.status_code)
