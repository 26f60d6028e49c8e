"""Migrations build the whole schema: `db upgrade` then `db check` finds nothing pending."""

import os
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import ROOT, USING_POSTGRES, fresh_database


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database of the same kind the suite runs on."""
    with fresh_database(tmp_path, "migrations") as url:
        yield url


def flask(*args, database_url):
    """Run the flask CLI as an operator would."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "migration-test"}
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_upgrade_then_check_reports_nothing_pending(empty_database):
    """The migrations and the models agree."""
    upgrade = flask("db", "upgrade", database_url=empty_database)
    assert upgrade.returncode == 0, upgrade.stderr
    check = flask("db", "check", database_url=empty_database)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    downgrade = flask("db", "downgrade", "base", database_url=empty_database)
    assert downgrade.returncode == 0, downgrade.stderr


def test_existing_campaigns_keep_their_category_and_become_searchable(empty_database):
    """The campaigns migration turns free-text categories into rows and fills search text."""
    import sqlalchemy as sa

    assert flask("db", "upgrade", "3f6ee396cb46", database_url=empty_database).returncode == 0
    # The suite's URLs name the psycopg 3 driver already; plain SQLite URLs work as they are.
    engine = sa.create_engine(empty_database)
    columns = (
        "slug, title, summary, body, body_html, category, country, scope, language, goal, "
        "status, signature_count, created_at, updated_at"
    )
    with engine.begin() as conn:
        for slug, category in (("a", "workplace"), ("b", "workplace"), ("c", "education")):
            conn.execute(
                sa.text(
                    f"INSERT INTO campaign ({columns}) VALUES (:slug, :title, 'Sum', "
                    "'Body', '<p>Body</p>', :category, 'US', 'national', 'en', 10, 'open', 0, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"slug": slug, "title": f"Title {slug}", "category": category},
            )
        maker = (
            "INSERT INTO decision_maker (campaign_id, position, name) "
            "SELECT id, 0, 'Dean Smith' FROM campaign WHERE slug = 'a'"
        )
        conn.execute(sa.text(maker))
    engine.dispose()
    upgrade = flask("db", "upgrade", database_url=empty_database)
    assert upgrade.returncode == 0, upgrade.stderr
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT campaign.slug, category.slug, campaign.search_text FROM campaign "
                "JOIN category ON category.id = campaign.category_id ORDER BY campaign.slug"
            )
        ).all()
    engine.dispose()
    assert [(r[0], r[1]) for r in rows] == [("a", "workplace"), ("b", "workplace"),
                                           ("c", "education")]  # fmt: skip
    assert "dean smith" in rows[0][2] and "title a" in rows[0][2]
    downgrade = flask("db", "downgrade", "3f6ee396cb46", database_url=empty_database)
    assert downgrade.returncode == 0, downgrade.stderr


@pytest.mark.skipif(USING_POSTGRES, reason="AUTOINCREMENT is SQLite's; PostgreSQL never reuses ids")
def test_sqlite_never_reuses_signature_or_campaign_ids(empty_database):
    """Tables rebuilt by migrations keep AUTOINCREMENT: a deleted id never comes back."""
    assert flask("db", "upgrade", database_url=empty_database).returncode == 0
    path = empty_database.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        ddl = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    for table in ("signature", "campaign", "signature_delta", "user"):
        assert "AUTOINCREMENT" in ddl[table], table


def test_signing_migration_keeps_signatures_and_stamps_passed_thresholds(empty_database):
    """Rows survive the signature rebuild; milestones and goals already passed are stamped."""
    import sqlalchemy as sa

    assert flask("db", "upgrade", "0383389b8031", database_url=empty_database).returncode == 0
    engine = sa.create_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO campaign (slug, title, summary, body, body_html, search_text, language, "
            "goal, status, signature_count, trending_count, created_at, updated_at) VALUES "
            "('a', 'A', '', '', '', '', 'en', 2, 'open', 2, 0, CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP)"))  # fmt: skip
        conn.execute(sa.text(
            "INSERT INTO milestone (campaign_id, threshold, label) SELECT id, t, 'M' "
            "FROM campaign, (SELECT 1 AS t UNION SELECT 5) AS thresholds"))  # fmt: skip
        for n in (1, 2):
            conn.execute(sa.text(
                "INSERT INTO signature (campaign_id, email, canonical_email, email_domain, name, "
                "country, visibility, consent_updates, state, source, locale, created_at) "
                "SELECT id, :e, :e, 'x.org', 'N', 'GB', 'count_only', false, 'confirmed', "
                "'web', 'en', CURRENT_TIMESTAMP FROM campaign"), {"e": f"s{n}@x.org"})  # fmt: skip
    engine.dispose()
    upgrade = flask("db", "upgrade", database_url=empty_database)
    assert upgrade.returncode == 0, upgrade.stderr
    with engine.connect() as conn:
        signatures = conn.execute(sa.text("SELECT count(*) FROM signature")).scalar()
        query = "SELECT threshold, reached_at IS NOT NULL FROM milestone ORDER BY threshold"
        reached = conn.execute(sa.text(query)).all()
        goal = conn.execute(sa.text("SELECT goal_reached_at IS NOT NULL FROM campaign")).scalar()
    engine.dispose()
    assert signatures == 2 and goal
    assert [tuple(r) for r in reached] == [(1, True), (5, False)]
