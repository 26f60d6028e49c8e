"""PostgreSQL query plans: search, the trending recount and the trending list use indexes."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable

from campaigns.models import Campaign, CampaignStatus, Signature, SignatureState
from campaigns.petitions import discovery
from campaigns.petitions.discovery import PER_PAGE
from tests.conftest import USING_POSTGRES
from tests.petitions.test_discovery import NOW

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not USING_POSTGRES,
        reason="full-text search and its GIN index exist only on PostgreSQL; set DATABASE_URL",
    ),
]


class Explain(Executable, ClauseElement):
    """EXPLAIN of a statement, compiled with its parameters bound as in real use."""

    inherit_cache = False

    def __init__(self, statement):
        """Wrap the statement to explain."""
        self.statement = statement


@compiles(Explain, "postgresql")
def _compile_explain(element, compiler, **kw):
    """Prefix the statement's own SQL, so expanding IN lists and bind types still work."""
    return "EXPLAIN " + compiler.process(element.statement, **kw)


def plan(db, statement) -> str:
    """EXPLAIN the statement as the service would send it, with sequential scans discouraged.

    The test tables hold a handful of rows, where a sequential scan is cheapest; turning it
    off for this transaction shows whether an index *can* serve the query, which is what
    breaks if the service stops filtering on an indexed expression.
    """
    with db.engine.connect() as conn, conn.begin():
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        return "\n".join(conn.execute(Explain(statement)).scalars())


@pytest.fixture
def some_campaigns(db):
    """Enough analysed rows that the planner's choices resemble production's."""
    statuses = [CampaignStatus.OPEN] * 3 + [CampaignStatus.CLOSED, CampaignStatus.DRAFT]
    rows = [
        {
            "slug": f"campaign-{n}",
            "title": f"Campaign {n}",
            "search_text": f"campaign {n} topic{n % 37}"
            + (" harvey weinstein" if n % 97 == 0 else ""),
            "status": statuses[n % len(statuses)],
            "trending_count": n % 11,
            "signature_count": n,
            "published_at": NOW - timedelta(hours=n),
            "goal": 1000,
        }
        for n in range(1, 801)
    ]
    db.session.execute(sa.insert(Campaign), rows)
    ids = db.session.scalars(sa.select(Campaign.id)).all()
    signatures = [
        {
            "campaign_id": ids[n % len(ids)],
            "email": f"s{n}@example.org",
            "canonical_email": f"s{n}@example.org",
            "email_domain": "example.org",
            "name": "S",
            "country": "GB",
            "state": SignatureState.CONFIRMED if n % 5 else SignatureState.PENDING,
            "confirmed_at": NOW - timedelta(hours=n % 500),
        }
        for n in range(4000)
    ]
    db.session.execute(sa.insert(Signature), signatures)
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE campaign, signature"))


def test_search_uses_the_gin_index(db, some_campaigns):
    """The search condition is the indexed to_tsvector('simple', search_text) expression."""
    text = plan(db, discovery.list_query(q="Weinstein").limit(PER_PAGE))
    assert "ix_campaign_search" in text, text
    assert "Seq Scan on campaign" not in text, text


def test_search_with_a_sort_still_uses_the_gin_index(db, some_campaigns):
    """Sorting a search differently does not lose the index."""
    text = plan(db, discovery.list_query(q="harvey weinstein", sort="newest").limit(PER_PAGE))
    assert "ix_campaign_search" in text, text


def test_trending_recount_scans_recent_confirmations_by_index(db, some_campaigns):
    """The recount reads signatures through ix_signature_state_confirmed_at."""
    text = plan(db, discovery.trending_counts(NOW))
    assert "ix_signature_state_confirmed_at" in text, text
    assert "Seq Scan on signature" not in text, text


def test_trending_list_uses_the_trending_index(db, some_campaigns):
    """Open campaigns by trending count, as /campaigns?status=open and the home page ask."""
    listed = plan(db, discovery.list_query(status="open", sort="trending").limit(PER_PAGE))
    assert "ix_campaign_status_trending_count" in listed, listed
    home = plan(db, discovery.trending_query())
    assert "ix_campaign_status_trending_count" in home, home


def test_unfiltered_list_uses_an_index(db, some_campaigns):
    """Even the default list (all public states) is not a sequential scan."""
    text = plan(db, discovery.list_query().limit(PER_PAGE))
    assert "Seq Scan on campaign" not in text, text


def test_search_ranks_better_matches_first(client, make_campaign):
    """Without an explicit sort, a search is ordered by ts_rank."""
    weak = make_campaign(title="A pledge", body="Mentions weinstein once.", trending_count=50)
    strong = make_campaign(title="Weinstein, Weinstein", body="Weinstein weinstein weinstein.")
    html = client.get("/campaigns?q=weinstein").get_data(as_text=True)
    assert html.index(f"/campaigns/{strong}") < html.index(f"/campaigns/{weak}")
