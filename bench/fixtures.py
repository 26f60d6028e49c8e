"""The benchmark's database: created fresh, migrated, given campaigns and seeded signatures."""

import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bench.schema import CREATE_TABLE, engine_url
from campaigns import create_app
from campaigns.auth import services as auth
from campaigns.core.markdown import render_markdown
from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Category,
    DecisionMaker,
    Milestone,
    Role,
    utcnow,
)
from campaigns.petitions.search import refresh_search_text
from campaigns.signatures.counting import counted_signatures

ROOT = Path(__file__).resolve().parent.parent
FLASK = [str(Path(sys.executable).with_name("flask")), "--app", "wsgi"]
BODY = "\n\n".join(
    f"## Part {n}\n\nThe depot on Mill Lane closes at six, so **the last bus** leaves "
    "before the late shift ends. Workers walk an hour home along an unlit road. "
    "We ask for one more bus at 22:15, Monday to Saturday, [as in 2019](https://example.org)."
    for n in range(1, 6)
)


def database_url(server_url: str, name: str) -> str:
    """server_url pointed at database `name` (plain postgresql:// form, for DATABASE_URL)."""
    url = sa.make_url(engine_url(server_url)).set(database=name)
    plain = url.render_as_string(hide_password=False)
    return re.sub(r"^postgresql\+psycopg://", "postgresql://", plain)


def _admin(server_url: str) -> sa.Engine:
    """An autocommit engine on the server's maintenance database."""
    url = sa.make_url(engine_url(server_url)).set(database="postgres")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def create_database(server_url: str, name: str) -> None:
    """Drop a leftover benchmark database of that name and create it empty."""
    admin = _admin(server_url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def drop_database(server_url: str, name: str) -> None:
    """Drop the benchmark database."""
    admin = _admin(server_url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def flask(env: dict, *args: str) -> str:
    """Run a `flask --app wsgi` command in the project; its output, or an error with it."""
    done = subprocess.run(  # noqa: S603 -- our own venv's flask, fixed arguments
        [*FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _campaign(owner, category, slug: str, goal: int) -> Campaign:
    """An open, published campaign like one an organizer would write."""
    campaign = Campaign(
        slug=slug,
        title="One more late bus from the Mill Lane depot",
        summary="Add a 22:15 departure so late-shift workers are not left to walk home.",
        body=BODY,
        country="GB",
        goal=goal,
        status=CampaignStatus.OPEN,
        owner_id=owner.id,
        category_id=category.id,
        submitted_at=utcnow(),
        published_at=utcnow(),
    )
    campaign.body_html = render_markdown(campaign.body)
    campaign.decision_makers.append(
        DecisionMaker(position=0, name="Jo Decider", title="Director", organization="Metro Buses")
    )
    for threshold, label in ((1_000, "First thousand"), (50_000_000, "Everyone")):
        campaign.milestones.append(Milestone(threshold=threshold, label=label))
    refresh_search_text(campaign)
    db.session.add(campaign)
    return campaign


def create_campaigns(env: dict, slugs: dict[str, str]) -> None:
    """The campaigns under test, made with the app's own models; the baseline's table too."""
    app = create_app({"ENVIRON": env})
    with app.app_context():
        owner = auth.create_user(
            email="bench-owner@example.org",
            display_name="Bench Owner",
            password=secrets.token_urlsafe(24),
            role=Role.MEMBER,
        )
        category = Category(name="Transport", slug="transport", position=0)
        db.session.add(category)
        db.session.flush()
        # Goals far above what a run signs, so no goal or milestone work joins the path.
        for slug in slugs.values():
            _campaign(owner, category, slug, goal=100_000_000)
        db.session.execute(sa.text(CREATE_TABLE))
        db.session.commit()
        db.engine.dispose()


def seed(env: dict, slug: str, count: int) -> tuple[float, str]:
    """Seed confirmed signatures with `flask signatures seed`; seconds taken and its output."""
    started = time.perf_counter()
    output = flask(env, "signatures", "seed", slug, str(count), "--fake-signatures-in-production")
    return time.perf_counter() - started, output.strip()


def analyze(url: str) -> float:
    """VACUUM ANALYZE after the bulk load, as autovacuum would soon do; seconds taken."""
    engine = sa.create_engine(engine_url(url), isolation_level="AUTOCOMMIT")
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def exact_counts(engine: sa.Engine, slug: str) -> tuple[int, int]:
    """A campaign's stored count and a real count of its counted signatures."""
    from campaigns.models import Signature

    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(Campaign.signature_count).where(Campaign.slug == slug)
        ).scalar_one()
        real = conn.execute(
            sa.select(sa.func.count())
            .select_from(Signature)
            .join(Campaign)
            .where(Campaign.slug == slug, counted_signatures())
        ).scalar_one()
    return stored, real
