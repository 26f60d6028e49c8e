"""Migrations build the whole schema: `db upgrade` then `db check` finds nothing pending."""

import os
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import ENV_DATABASE_URL, ROOT, USING_POSTGRES, pg_url


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database of the same kind the suite runs on."""
    if not USING_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"groundswell_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_url(ENV_DATABASE_URL, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_url(ENV_DATABASE_URL, name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
