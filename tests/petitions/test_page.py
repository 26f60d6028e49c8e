"""The campaign page: content, banners, share actions, meta tags, visibility and cost."""

import html

import pytest
import sqlalchemy as sa

from campaigns.extensions import db as _db
from campaigns.models import CampaignStatus, Role, Signature, utcnow
from tests.conftest import count_statements, login


def test_page_shows_the_campaign_and_how_to_share_it(app, client, make_user, make_campaign):
    """Title, decision makers, organizer, counts, milestone, deadline, share links, meta tags."""
    owner = make_user(name="Olivia Organizer")
    slug = make_campaign(
        owner=owner, title="Academy: expel him", signature_count=1500, goal=10000,
        decision_makers=[("Board of Governors", None, "Academy"), ("Dawn Hudson", "CEO", None)],
        milestones=[(1000, "First thousand"), (5000, "Five thousand")],
        deadline=utcnow().replace(year=utcnow().year + 1, month=1, day=15),
    )  # fmt: skip
    page = client.get(f"/campaigns/{slug}").text
    for text in ("Academy: expel him", "Board of Governors", "Dawn Hudson", "Olivia Organizer",
                 "1,500", "15% of the goal of 10,000", "Next milestone: 5,000", "Closes on",
                 "No updates yet"):  # fmt: skip
        assert text in page, text
    url = f"http://localhost/campaigns/{slug}"
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert "mailto:?subject=Academy%3A%20expel%20him" in page
    assert "https://wa.me/?text=" in page and f'data-copy-link="{url}"' in page
    assert '<script src="http' not in page  # no third-party scripts


@pytest.mark.parametrize(
    ("status", "banner"),
    [
        (CampaignStatus.CLOSED, "no longer takes signatures"),
        (CampaignStatus.VICTORY, "Victory!"),
    ],
)
def test_status_banners(client, make_campaign, status, banner):
    """Closed and won campaigns say so at the top."""
    slug = make_campaign(status=status)
    assert banner in client.get(f"/campaigns/{slug}").text


@pytest.mark.parametrize(
    "status", [CampaignStatus.DRAFT, CampaignStatus.PENDING_REVIEW, CampaignStatus.REJECTED]
)
def test_unpublished_campaigns_are_404_to_the_public(client, make_campaign, login_as, status):
    """Drafts, campaigns in review and rejected ones are not public."""
    slug = make_campaign(status=status)
    assert client.get(f"/campaigns/{slug}").status_code == 404
    login_as()
    assert client.get(f"/campaigns/{slug}").status_code == 404


def test_hidden_campaigns_are_404_to_all_but_staff(client, make_user, make_campaign, login_as):
    """A libellous rejection hides the page even from its organizer; staff still see it."""
    owner = make_user()
    slug = make_campaign(
        owner=owner,
        status=CampaignStatus.REJECTED,
        hidden_at=utcnow(),
        rejection_reason="libellous",
    )
    assert client.get(f"/campaigns/{slug}").status_code == 404
    login(client, owner.email)
    assert client.get(f"/campaigns/{slug}").status_code == 404
    client.post("/logout")
    login_as(Role.MODERATOR)
    page = client.get(f"/campaigns/{slug}")
    assert page.status_code == 200 and "Libellous or about a court case" in page.text


def add_signatures(app, slug, count):
    """Insert confirmed signatures straight into the table."""
    from campaigns.models import Campaign

    with app.app_context():
        campaign_id = _db.session.scalar(sa.select(Campaign.id).where(Campaign.slug == slug))
        rows = [
            {"campaign_id": campaign_id, "email": f"s{n}@example.org",
             "canonical_email": f"s{n}@example.org", "email_domain": "example.org",
             "name": f"S {n}", "country": "GB", "state": "confirmed",
             "created_at": utcnow(), "confirmed_at": utcnow()}
            for n in range(count)
        ]  # fmt: skip
        _db.session.execute(sa.insert(Signature), rows)
        _db.session.commit()


def test_page_query_count_does_not_grow_with_signatures(app, client, make_campaign):
    """The page reads the denormalized count; signatures only in one bounded list query."""
    small, big = make_campaign(), make_campaign()
    add_signatures(app, small, 1)
    add_signatures(app, big, 500)
    counts = []
    for slug in (small, big):
        client.get(f"/campaigns/{slug}")  # warm up
        with count_statements(app) as statements:
            assert client.get(f"/campaigns/{slug}").status_code == 200
        counts.append(len(statements))
        # The recent signers list (signatures.queries.recent_signers) is one LIMITed query.
        touching = [s for s in statements if "FROM signature" in s]
        assert len(touching) == 1 and "LIMIT" in touching[0] and "count(" not in touching[0]
    assert counts[0] == counts[1] <= 10


PAYLOAD = "<script>alert(1)</script><style>body{display:none}</style><img src=x onerror=alert(2)>"
NAME_PAYLOAD = "<script>alert(4)</script><style>p{}</style>"  # display names hold 80


def test_script_and_style_payloads_in_every_field_are_shown_as_text(
    app, client, login_as, make_category
):
    """Every field an organizer types into comes back escaped, on the editor and the page."""
    make_category("<b>Cat</b>")
    login_as(name=NAME_PAYLOAD)
    with app.app_context():
        from campaigns.models import Category

        cat = _db.session.scalar(sa.select(Category.id))
    title = ("T" + PAYLOAD)[:120]
    response = client.post(
        "/campaigns/new", data={"title": title, "category": cat, "country": "global", "next": 1}
    )
    slug = response.headers["Location"].split("/")[2]
    client.post(f"/campaigns/{slug}/edit/decision-makers", data={
        "makers-0-name": PAYLOAD, "makers-0-title": PAYLOAD, "makers-0-organization": PAYLOAD,
    })  # fmt: skip
    client.post(f"/campaigns/{slug}/edit/story", data={
        "summary": PAYLOAD, "body": PAYLOAD + "\n\n[x](javascript:alert(3))", "cover_alt": PAYLOAD,
    })  # fmt: skip
    client.post(f"/campaigns/{slug}/edit/goal", data={
        "goal": "10", "milestones-0-threshold": "5", "milestones-0-label": PAYLOAD,
    })  # fmt: skip
    pages = [client.get(f"/campaigns/{slug}/preview").text, client.get("/campaigns/mine").text]
    pages += [client.get(f"/campaigns/{slug}/edit/{s}").text
              for s in ("basics", "decision-makers", "story", "goal")]  # fmt: skip
    for page in pages:
        assert "<script>alert" not in page and "<style>body" not in page
        assert "<img src=x" not in page and 'href="javascript:' not in page
    preview = pages[0]
    assert html.escape("<script>alert(1)</script>", quote=False) in preview
    assert preview.count("&lt;script&gt;alert(1)") >= 5  # title, makers, summary, body, milestone
    assert "&lt;script&gt;alert(4)" in preview  # the organizer's display name


def test_country_names_follow_the_reader_language(client, make_campaign):
    """The same campaign names its country in English or French as the reader prefers."""
    slug = make_campaign(country="GB")
    assert "United Kingdom" in client.get(f"/campaigns/{slug}").text
    french = client.get(f"/campaigns/{slug}", headers={"Accept-Language": "fr"}).text
    assert "Royaume-Uni" in french and "United Kingdom" not in french
