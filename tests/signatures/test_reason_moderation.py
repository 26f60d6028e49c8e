"""Moderators deciding on reported reasons for signing: the queue, hide and keep."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import AuditEvent, Role, Signature, SignatureState, utcnow
from tests.signatures.moderation_helpers import add_signatures


def reported(minutes_ago: int, reason: str, reports: int = 1, **extra) -> dict:
    """A confirmed signature whose reason was first reported `minutes_ago`."""
    return {
        "reason": reason,
        "reason_reports": reports,
        "reason_reported_at": utcnow() - timedelta(minutes=minutes_ago),
        "email": f"{reason.split()[0].lower()}@private.test",
        "canonical_email": f"{reason.split()[0].lower()}@private.test",
        "email_domain": "private.test",
        "name": f"Hidden Person {reason.split()[0]}",
        **extra,
    }


def signature(app, sid) -> Signature:
    """One signature, detached."""
    with app.app_context():
        row = db.session.get(Signature, sid)
        db.session.expunge(row)
        return row


def audit(app, action) -> list[tuple[str, str, dict]]:
    """(target_type, target_id, details) of the audit events with this action."""
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.target_type, AuditEvent.target_id, AuditEvent.details).where(
                AuditEvent.action == action
            )
        ).all()
        return [tuple(row) for row in rows]


@pytest.fixture
def staff(login_as):
    """The client, logged in as a moderator."""
    return login_as(Role.MODERATOR)


def test_queue_lists_reported_reasons_oldest_report_first(app, client, staff, make_campaign):
    """Only reported, undecided, visible reasons of confirmed signatures; no emails or names."""
    slug = make_campaign(title="Save the ferry")
    now = utcnow()
    add_signatures(
        app, slug,
        reported(5, "Newer complaint here", reports=3),
        reported(50, "Older complaint here"),
        reported(60, "Kept already", reason_reviewed_at=now),
        reported(70, "Hidden already", reason_hidden_at=now, reason_reviewed_at=now),
        reported(80, "Pending signer", state=SignatureState.PENDING),
        reported(90, "Suspect signer", suspect=True),
        {"reason": "Never reported at all"},
    )  # fmt: skip
    response = client.get("/moderation/reasons")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.index("Older complaint here") < html.index("Newer complaint here")
    absent_ones = ("Kept already", "Hidden already", "Pending signer", "Suspect", "Never reported")
    for absent in absent_ones:
        assert absent not in html
    assert "Save the ferry" in html and "<td>3</td>" in html
    assert "private.test" not in html and "Hidden Person" not in html


def test_queue_is_paginated(app, client, staff, make_campaign):
    """Thirty to a page; the oldest reports on page one."""
    slug = make_campaign()
    add_signatures(app, slug, *(reported(100 - n, f"Reason{n:02d} text") for n in range(31)))
    first = client.get("/moderation/reasons").get_data(as_text=True)
    assert "Reason00 text" in first and "Reason29 text" in first and "Reason30" not in first
    assert "Page 1 of 2" in first
    second = client.get("/moderation/reasons?page=2").get_data(as_text=True)
    assert "Reason30 text" in second and "Reason00" not in second
    assert client.get("/moderation/reasons?page=-4").status_code == 200


def test_hide_takes_the_reason_off_public_pages(app, client, staff, make_campaign):
    """Hidden: public_reason is None, the queue no longer lists it, one audit event."""
    slug = make_campaign()
    (sid,) = add_signatures(app, slug, reported(10, "Rude words here", reports=2))
    assert "Rude words here" in client.get(f"/campaigns/{slug}").get_data(as_text=True)
    response = client.post(f"/moderation/reasons/{sid}/hide")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/moderation/reasons"
    )
    row = signature(app, sid)
    assert row.reason_hidden_at is not None and row.reason_reviewed_at is not None
    assert row.public_reason is None and row.reason == "Rude words here"
    assert row.state == SignatureState.CONFIRMED and row.counts
    page = client.get("/moderation/reasons").get_data(as_text=True)
    assert "Rude words here" not in page and "The reason is hidden." in page
    assert "Rude words here" not in client.get(f"/campaigns/{slug}").get_data(as_text=True)
    assert audit(app, "signature.reason_hidden") == [
        ("signature", str(sid), {"campaign_id": row.campaign_id, "reports": 2})
    ]


def test_keep_dismisses_the_reports(app, client, staff, make_campaign):
    """Kept: still public, reports cleared, gone from the queue, one audit event."""
    slug = make_campaign()
    (sid,) = add_signatures(app, slug, reported(10, "Strong but fair", reports=4))
    assert client.post(f"/moderation/reasons/{sid}/keep").status_code == 303
    row = signature(app, sid)
    assert row.public_reason == "Strong but fair" and row.reason_hidden_at is None
    assert row.reason_reports == 0 and row.reason_reviewed_at is not None
    assert "Strong but fair" not in client.get("/moderation/reasons").get_data(as_text=True)
    assert audit(app, "signature.reason_kept") == [
        ("signature", str(sid), {"campaign_id": row.campaign_id, "reports": 4})
    ]


def test_decisions_do_not_repeat(app, client, staff, make_campaign):
    """Keeping a hidden reason, or hiding it twice, is refused with 409; nothing changes."""
    slug = make_campaign()
    (sid,) = add_signatures(app, slug, reported(10, "Decided once"))
    assert client.post(f"/moderation/reasons/{sid}/hide").status_code == 303
    for verb in ("hide", "keep"):
        response = client.post(f"/moderation/reasons/{sid}/{verb}")
        assert response.status_code == 409
        assert "already been dealt with" in response.get_data(as_text=True)
    assert len(audit(app, "signature.reason_hidden")) == 1
    assert audit(app, "signature.reason_kept") == []


def test_reports_from_the_public_reach_the_queue_and_return_after_keep(
    app, client, make_user, make_campaign
):
    """Two public reports show as 2; kept, it leaves; a new report brings it back."""
    from tests.moderation.helpers import moderator

    slug = make_campaign()
    (sid,) = add_signatures(app, slug, {"reason": "Plain public words"})
    staff = moderator(app, make_user, "mod@example.org")
    assert "Plain public words" not in staff.get("/moderation/reasons").get_data(as_text=True)
    for _ in range(2):
        assert client.post(f"/signatures/{sid}/report-reason").status_code == 303
    queue = staff.get("/moderation/reasons").get_data(as_text=True)
    assert "Plain public words" in queue and "<td>2</td>" in queue
    assert staff.post(f"/moderation/reasons/{sid}/keep").status_code == 303
    assert staff.post(f"/moderation/reasons/{sid}/keep").status_code == 409
    assert "Plain public words" not in staff.get("/moderation/reasons").get_data(as_text=True)
    assert client.post(f"/signatures/{sid}/report-reason").status_code == 303
    queue = staff.get("/moderation/reasons").get_data(as_text=True)
    assert "Plain public words" in queue and "<td>1</td>" in queue


def test_a_kept_reason_can_still_be_hidden(app, client, staff, make_campaign):
    """A moderator may change their mind the strict way: keep, then hide."""
    slug = make_campaign()
    (sid,) = add_signatures(app, slug, reported(10, "Second thoughts"))
    assert client.post(f"/moderation/reasons/{sid}/keep").status_code == 303
    assert client.post(f"/moderation/reasons/{sid}/hide").status_code == 303
    assert signature(app, sid).public_reason is None


def test_a_withdrawn_signature_has_no_reason_to_decide(app, client, staff, make_campaign):
    """Withdrawing erased the reason: there is nothing to hide or keep."""
    slug = make_campaign()
    (sid,) = add_signatures(
        app, slug, {"state": SignatureState.WITHDRAWN, "reason": None, "reason_reports": 2}
    )
    assert client.post(f"/moderation/reasons/{sid}/hide").status_code == 409
    assert signature(app, sid).reason_hidden_at is None


@pytest.mark.parametrize("verb", ["hide", "keep"])
def test_unknown_signature_is_404(client, staff, verb):
    """No such signature, or an id too large for the column."""
    assert client.post(f"/moderation/reasons/999999/{verb}").status_code == 404
    assert client.post(f"/moderation/reasons/{10**30}/{verb}").status_code == 404


@pytest.mark.parametrize("verb", ["hide", "keep"])
def test_only_moderators_decide(app, client, login_as, make_campaign, verb):
    """Anonymous visitors go to the log-in page, members get 403; nothing changes."""
    slug = make_campaign()
    (sid,) = add_signatures(app, slug, reported(10, "Contested words"))
    anonymous = client.post(f"/moderation/reasons/{sid}/{verb}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.get("/moderation/reasons").status_code == 302
    login_as(Role.MEMBER)
    assert client.post(f"/moderation/reasons/{sid}/{verb}").status_code == 403
    assert client.get("/moderation/reasons").status_code == 403
    row = signature(app, sid)
    assert row.reason_reviewed_at is None and row.reason_reports == 1
    client.post("/logout")
    login_as(Role.ADMIN)
    assert client.post(f"/moderation/reasons/{sid}/{verb}").status_code == 303


def test_missing_csrf_token_is_refused(app_factory, make_campaign, make_user):
    """With CSRF on, a decision without the token is a 400 and changes nothing."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    user = make_user(role=Role.MODERATOR)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    assert client.get("/moderation/reasons").status_code == 200
    slug = make_campaign()
    (sid,) = add_signatures(app, slug, reported(10, "Needs a token"))
    response = client.post(f"/moderation/reasons/{sid}/hide")
    assert response.status_code == 400
    assert signature(app, sid).reason_hidden_at is None


def test_queue_is_linked_from_the_moderation_queue(client, staff):
    """Moderators find the reported reasons next to the reports."""
    html = client.get("/moderation/").get_data(as_text=True)
    assert "/moderation/reasons" in html and "Reported reasons" in html
