"""The public list of recent signers, their reasons, and reporting a reason."""

import re

import pytest
import sqlalchemy as sa

from campaigns.extensions import db as _db
from campaigns.models import Campaign, CampaignStatus, Signature, SignatureState, utcnow
from campaigns.signatures import queries
from tests.conftest import USING_POSTGRES, count_statements
from tests.signatures.test_sign_views import signatures


def add(app, slug, name, *, email=None, visibility="count_only", reason=None,
        state="confirmed", suspect=False, **extra) -> int:  # fmt: skip
    """Insert one signature directly; its id."""
    with app.app_context():
        campaign_id = _db.session.scalar(sa.select(Campaign.id).where(Campaign.slug == slug))
        email = email or f"{name.split()[0].lower()}@private.example"
        row = Signature(
            campaign_id=campaign_id, name=name, email=email, canonical_email=email,
            email_domain="private.example", country="FR", postcode="75011", reason=reason,
            visibility=visibility, state=state, suspect=suspect, created_at=utcnow(), **extra,
        )  # fmt: skip
        _db.session.add(row)
        _db.session.commit()
        return row.id


def signers_section(page: str) -> str:
    """The recent signatures section of a campaign page."""
    match = re.search(r'<section class="signers".*?</section>', page, re.S)
    return match.group(0) if match else ""


def test_signers_show_as_each_chose_and_never_their_email(app, client, make_campaign):
    """Full name, initials or "A supporter"; the country; the reason; no email or postcode."""
    slug = make_campaign()
    add(app, slug, "Ana María López", visibility="initials", reason="For my sister.")
    add(app, slug, "Bea Full", visibility="full_name")
    add(app, slug, "Cleo Hidden", reason="Quietly.")
    page = client.get(f"/campaigns/{slug}").text
    section = signers_section(page)
    assert "A. M. L." in section and "Ana María" not in page
    assert "Bea Full" in section
    assert "A supporter" in section and "Cleo" not in page
    assert "France" in section and "For my sister." in section and "Quietly." in section
    assert "@private.example" not in page and "75011" not in page
    assert section.count("Report this reason") == 2  # only where there is a reason
    assert re.search(r'<time datetime="[^"]+" title="[^"]+">[^<]*ago</time>', section)


def test_only_counted_signatures_are_listed(app, client, make_campaign):
    """Pending, suspect, withdrawn and invalidated signatures stay off the page."""
    slug = make_campaign()
    add(app, slug, "Pat Pending", visibility="full_name", state="pending")
    add(app, slug, "Sus Pect", visibility="full_name", suspect=True)
    add(app, slug, "Wit Drawn", visibility="full_name", state="withdrawn")
    add(app, slug, "Inv Alid", visibility="full_name", state="invalidated")
    add(app, slug, "Cora Counted", visibility="full_name")
    section = signers_section(client.get(f"/campaigns/{slug}").text)
    assert "Cora Counted" in section
    for name in ("Pat", "Sus", "Wit", "Inv"):
        assert name not in section


def test_a_hidden_reason_is_not_shown_but_the_signer_is(app, client, make_campaign):
    """A moderator hid the reason: the signature still shows, without it."""
    slug = make_campaign()
    add(app, slug, "Dana Doe", visibility="full_name", reason="Something libellous.",
        reason_hidden_at=utcnow())  # fmt: skip
    section = signers_section(client.get(f"/campaigns/{slug}").text)
    assert "Dana Doe" in section and "libellous" not in section
    assert "Report this reason" not in section


def test_newest_first_and_at_most_recent_signers(app_factory, make_campaign):
    """RECENT_SIGNERS bounds the list; the newest come first."""
    app = app_factory(RECENT_SIGNERS=3)
    slug = make_campaign()
    for n in range(5):
        add(app, slug, f"Signer{n} Person", visibility="full_name")
    section = signers_section(app.test_client().get(f"/campaigns/{slug}").text)
    names = re.findall(r"<strong>(Signer\d) Person</strong>", section)
    assert names == ["Signer4", "Signer3", "Signer2"]


def test_signers_query_cost_does_not_grow(app, client, make_campaign):
    """One bounded statement for the list, whether a campaign has 2 or 60 signatures."""
    small, big = make_campaign(), make_campaign()
    for n in range(2):
        add(app, small, f"S{n} X", email=f"small{n}@x.example")
    for n in range(60):
        add(app, big, f"B{n} X", email=f"big{n}@x.example")
    counts = []
    for slug in (small, big):
        client.get(f"/campaigns/{slug}")
        with count_statements(app) as statements:
            assert client.get(f"/campaigns/{slug}").status_code == 200
        touching = [s for s in statements if "FROM signature" in s]
        assert len(touching) == 1 and "LIMIT" in touching[0].upper()
        assert "count(" not in touching[0].lower()
        counts.append(len(statements))
    assert counts[0] == counts[1]
    with app.app_context(), count_statements(app) as statements:
        campaign = _db.session.scalar(sa.select(Campaign).where(Campaign.slug == big))
        statements.clear()
        assert len(queries.recent_signers(campaign, 10)) == 10
    assert len(statements) == 1
    assert "visibility" not in statements[0].split("WHERE", 1)[1]
    assert "email" not in statements[0].split("FROM", 1)[0]


def test_reporting_a_reason_counts_and_thanks(app, client, make_campaign):
    """A POST from anyone: the report is counted and timed, and the visitor thanked."""
    slug = make_campaign()
    sid = add(app, slug, "Eve Reason", reason="Offensive words.")
    response = client.post(f"/signatures/{sid}/report-reason")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/campaigns/{slug}#signers"
    assert "A moderator will read this reason" in client.get(f"/campaigns/{slug}").text
    client.post(f"/signatures/{sid}/report-reason")
    [row] = signatures(app)
    assert row.reason_reports == 2 and row.reason_reported_at is not None


@pytest.mark.parametrize(
    "fields",
    [
        {"reason": None},
        {"reason": "x", "state": "pending"},
        {"reason": "x", "suspect": True},
        {"reason": "x", "reason_hidden_at": utcnow()},
    ],
)
def test_only_visible_reasons_can_be_reported(app, client, make_campaign, fields):
    """No reason, an unconfirmed or held signature, or an already hidden reason: 404."""
    slug = make_campaign()
    sid = add(app, slug, "Fay Field", **fields)
    assert client.post(f"/signatures/{sid}/report-reason").status_code == 404
    assert signatures(app)[0].reason_reports == 0
    assert client.post("/signatures/999999/report-reason").status_code == 404


def test_reasons_on_hidden_campaigns_cannot_be_reported(app, client, make_campaign):
    """The campaign itself is no longer public: nothing there to report."""
    slug = make_campaign(status=CampaignStatus.OPEN, hidden_at=utcnow())
    sid = add(app, slug, "Gus Gone", reason="Still here.")
    assert client.post(f"/signatures/{sid}/report-reason").status_code == 404
    assert signatures(app)[0].reason_reports == 0


def test_reporting_is_rate_limited(app_factory, make_campaign):
    """REPORT_LIMIT applies per address."""
    app = app_factory(RATELIMIT_ENABLED=True, REPORT_LIMIT="2 per hour")
    slug = make_campaign()
    sid = add(app, slug, "Hal Many", reason="Spam spam.")
    client = app.test_client()
    codes = [client.post(f"/signatures/{sid}/report-reason").status_code for _ in range(3)]
    assert codes == [303, 303, 429]
    assert signatures(app)[0].reason_reports == 2


def test_withdrawn_signers_leave_the_list(app, client, make_campaign):
    """After withdrawing, the name and reason are gone from the page."""
    slug = make_campaign()
    sid = add(app, slug, "Ivy Leaving", visibility="full_name", reason="Changed my mind.")
    assert "Ivy Leaving" in client.get(f"/campaigns/{slug}").text
    with app.app_context():
        from campaigns.signatures import services

        services.withdraw(sid)
        _db.session.commit()
    page = client.get(f"/campaigns/{slug}").text
    assert "Ivy Leaving" not in page and "Changed my mind." not in page
    assert signatures(app)[0].state == SignatureState.WITHDRAWN


@pytest.mark.postgres
@pytest.mark.skipif(not USING_POSTGRES, reason="query plans are PostgreSQL's; set DATABASE_URL")
def test_signers_query_reads_the_index_backwards_without_sorting(app, make_campaign):
    """The plan walks (campaign_id, state, created_at) newest first and stops at the limit."""
    slug = make_campaign()
    with app.app_context():
        campaign = _db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))
        rows = [
            {"campaign_id": campaign.id, "email": f"p{n}@x.example", "canonical_email":
             f"p{n}@x.example", "name": "P", "country": "GB", "created_at": utcnow(),
             "state": "confirmed" if n % 3 else "pending", "visibility": "count_only"}
            for n in range(3000)
        ]  # fmt: skip
        _db.session.execute(sa.insert(Signature), rows)
        _db.session.commit()
        _db.session.execute(sa.text("ANALYZE signature"))
        sent = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            """Keep the statement and parameters exactly as sent to PostgreSQL."""
            sent.append((statement, parameters))

        sa.event.listen(_db.engine, "before_cursor_execute", capture)
        try:
            queries.recent_signers(campaign, 10)
        finally:
            sa.event.remove(_db.engine, "before_cursor_execute", capture)
        [(statement, parameters)] = [s for s in sent if "FROM signature" in s[0]]
        explain = _db.session.connection().exec_driver_sql("EXPLAIN " + statement, parameters)
        plan = "\n".join(explain.scalars())
        _db.session.rollback()
    assert "ix_signature_campaign_id_state_created_at" in plan and "Backward" in plan
    assert "Sort" not in plan, plan
