"""Migrations build the whole schema: `db upgrade` then `db check` finds nothing pending."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, fresh_database


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
