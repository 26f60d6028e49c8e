"""Fixtures: an app per test on a database created for the session (SQLite or PostgreSQL)."""

import contextlib
import functools
import os
import re
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from campaigns import create_app
from campaigns.auth import services as auth_services
from campaigns.core.markdown import render_markdown
from campaigns.extensions import db as _db
from campaigns.extensions import limiter
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Category,
    DecisionMaker,
    Milestone,
    OutboxEmail,
    Role,
    User,
    utcnow,
)
from campaigns.petitions.search import refresh_search_text

ROOT = Path(__file__).resolve().parent.parent
ENV_DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL") or None
USING_POSTGRES = ENV_DATABASE_URL.startswith(("postgres://", "postgresql"))
PASSWORD = "correct horse battery staple"
UPLOADS = Path(tempfile.gettempdir()) / f"groundswell-test-uploads-{os.getpid()}"


def pg_url(url: str, database: str) -> sa.URL:
    """The PostgreSQL URL on the psycopg 3 driver, pointed at another database."""
    url = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)
    return sa.make_url(url).set(database=database)


def compile_catalogs() -> None:
    """Compile .po to .mo when stale, so French tests work however pytest was started."""
    for po in (ROOT / "campaigns" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src, mo.open("wb") as dst:
                write_mo(dst, read_po(src, locale=po.parent.parent.name))


@contextlib.contextmanager
def fresh_database(directory: Path, tag: str):
    """A new, empty database of the kind the suite runs on; PostgreSQL ones are dropped after."""
    if not USING_POSTGRES:
        yield f"sqlite:///{directory / f'{tag}.sqlite3'}"
        return
    name = f"groundswell_{tag}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(pg_url(ENV_DATABASE_URL, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_url(ENV_DATABASE_URL, name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The suite's own database: created for the session and dropped after it."""
    with fresh_database(tmp_path_factory.mktemp("db"), "test") as url:
        yield url


def make_app(database_url: str, **overrides):
    """An app on the test database with deterministic settings."""
    environ = {"SECRET_KEY": "test-secret", "DATABASE_URL": database_url}
    if REDIS_URL:
        environ["REDIS_URL"] = REDIS_URL
    config = {
        "ENVIRON": environ,
        "TESTING": True,
        "JOBS_BACKEND": "manual",
        "MAIL_BACKEND": "dev",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        "UPLOAD_FOLDER": str(UPLOADS),
        # Tests read count.json right after changing counts; one test covers the cache.
        "COUNT_CACHE_SECONDS": 0,
        # Each app counts from zero, also when the counters live in a shared Redis.
        "RATELIMIT_KEY_PREFIX": f"groundswell-test-{uuid.uuid4().hex}",
    }
    config.update(overrides)
    # Flask-Limiter keeps the first app's key prefix for the process; forget it, so each app's
    # own RATELIMIT_KEY_PREFIX applies and counters in a shared Redis never leak between tests.
    limiter._key_prefix = None
    return create_app(config)


@pytest.fixture(scope="session")
def schema(database_url):
    """Create the tables once per session (migrations are tested on their own)."""
    compile_catalogs()
    app = make_app(database_url)
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()


def _empty_tables(app) -> None:
    """Remove every row so the next test starts clean."""
    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(_db.metadata.sorted_tables):
                    conn.execute(table.delete())
        _db.engine.dispose()


@pytest.fixture
def app_factory(database_url, schema):
    """Build apps with extra settings; each is cleaned up after the test."""
    apps = []

    def factory(**overrides):
        app = make_app(database_url, **overrides)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions["groundswell_jobs"].stop()
        _empty_tables(app)


@pytest.fixture
def app(app_factory):
    """The application with CSRF and rate limits off, jobs run by hand."""
    return app_factory()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """The database extension, inside an app context."""
    with app.app_context():
        yield _db
        _db.session.remove()


@functools.cache
def _password_hash() -> str:
    """The argon2 hash of PASSWORD, computed once per session (argon2 is slow by design)."""
    from campaigns.auth.passwords import _hasher

    return _hasher.hash(PASSWORD)


@pytest.fixture(autouse=True)
def _hash_the_usual_password_once(monkeypatch):
    """Hashing PASSWORD returns the session's one hash; other passwords hash for real."""
    from campaigns.auth import passwords

    real = passwords.hash_password
    monkeypatch.setattr(
        passwords, "hash_password", lambda pw: _password_hash() if pw == PASSWORD else real(pw)
    )


@pytest.fixture
def make_user(app):
    """Create users: make_user(email=..., role=Role.ADMIN, verified=False)."""
    counter = iter(range(1, 10_000))

    def factory(email=None, *, role=Role.MEMBER, verified=True, password=PASSWORD, name=None):
        email = email or f"user{next(counter)}@example.org"
        with app.app_context():
            user = User(email=email, display_name=name or email.split("@")[0], role=role)
            auth_services._set_password(user, password)
            user.email_verified_at = utcnow() if verified else None
            _db.session.add(user)
            _db.session.commit()
            _db.session.refresh(user)
            _db.session.expunge(user)
            _db.session.remove()
        return user

    return factory


def register(client, email="ana@example.org", name="Ana", password=PASSWORD, confirm=None):
    """Submit the registration form; it answers 200 whatever happens (no enumeration)."""
    data = {"email": email, "display_name": name, "password": password}
    data["confirm"] = password if confirm is None else confirm
    response = client.post("/register", data=data)
    assert response.status_code == 200
    return response


def outbox_rows(app, template=None) -> list[OutboxEmail]:
    """Outbox rows, oldest first, optionally of one template, detached from the session."""
    with app.app_context():
        query = select(OutboxEmail).order_by(OutboxEmail.id)
        if template:
            query = query.where(OutboxEmail.template == template)
        rows = _db.session.scalars(query).all()
        _db.session.expunge_all()
        return rows


def login(client, email, password=PASSWORD, **extra):
    """Log a test client in through the real form."""
    return client.post("/login", data={"email": email, "password": password, **extra})


@pytest.fixture
def login_as(client, make_user):
    """Create a user with a role and log the client in as them."""

    def do(role=Role.MEMBER, **kwargs):
        user = make_user(role=role, **kwargs)
        response = login(client, user.email)
        assert response.status_code == 302
        return user

    return do


@pytest.fixture
def make_category(app):
    """Create a category: make_category("Workplace") -> its id."""

    def factory(name="Workplace", *, slug=None, archived=False):
        with app.app_context():
            category = Category(
                name=name,
                slug=slug or name.lower().replace(" ", "-"),
                archived_at=utcnow() if archived else None,
            )
            _db.session.add(category)
            _db.session.commit()
            category_id = category.id
            _db.session.remove()
        return category_id

    return factory


@pytest.fixture
def make_campaign(app, make_user):
    """Create a complete campaign in any state; returns its slug.

    make_campaign(status=CampaignStatus.OPEN, owner=user, title=..., signatures=0, ...)
    """
    counter = iter(range(1, 10_000))

    def factory(*, status=CampaignStatus.OPEN, owner=None, co_organizers=(), **fields):
        n = next(counter)
        owner = owner or make_user()
        with app.app_context():
            category = _db.session.scalar(select(Category).order_by(Category.id).limit(1))
            if category is None:
                category = Category(name="General", slug="general")
                _db.session.add(category)
                _db.session.flush()
            values = {
                "title": f"Test campaign {n}",
                "summary": f"Summary of test campaign {n}.",
                "body": f"Body of test campaign {n}.",
                "country": "GB",
                "goal": 1000,
                "decision_makers": [("Jo Decider", "Chief Executive", "Example Corp")],
                "milestones": [],
            }
            values.update(fields)
            makers = values.pop("decision_makers")
            milestones = values.pop("milestones")
            campaign = Campaign(
                slug=values.pop("slug", None) or f"test-campaign-{n}-{uuid.uuid4().hex[:4]}",
                status=status,
                owner_id=owner.id,
                category_id=getattr(values.pop("category", None), "id", None) or category.id,
                **values,
            )
            campaign.body_html = render_markdown(campaign.body)
            for position, (name, title, org) in enumerate(makers):
                campaign.decision_makers.append(
                    DecisionMaker(position=position, name=name, title=title, organization=org)
                )
            for threshold, label in milestones:
                campaign.milestones.append(Milestone(threshold=threshold, label=label))
            if status != CampaignStatus.DRAFT:
                campaign.submitted_at = campaign.submitted_at or utcnow()
            if status in (CampaignStatus.OPEN, CampaignStatus.CLOSED, CampaignStatus.VICTORY):
                campaign.published_at = campaign.published_at or utcnow()
            for user in co_organizers:
                campaign.co_organizers.append(_db.session.get(User, user.id))
            refresh_search_text(campaign)
            _db.session.add(campaign)
            _db.session.commit()
            slug = campaign.slug
            _db.session.remove()
        return slug

    return factory


def get_campaign(app, slug) -> Campaign:
    """Load a campaign by slug, detached, with its decision makers and milestones loaded."""
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        if campaign is not None:
            _ = (campaign.decision_makers, campaign.milestones, campaign.co_organizers)
            _ = campaign.category
            _db.session.expunge_all()
        _db.session.remove()
        return campaign


@contextlib.contextmanager
def count_statements(app):
    """Collect the SQL statements sent to the database while the block runs."""
    statements = []
    with app.app_context():
        engine = _db.engine

    def record(conn, cursor, statement, *args):
        """Remember each statement."""
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
