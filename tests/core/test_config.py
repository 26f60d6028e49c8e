"""Settings come from the environment, through config.py only."""

import pytest

from campaigns import create_app
from campaigns.config import ConfigError, from_environment


def test_secret_key_generated_once_in_instance(tmp_path):
    """Development: a key is created in instance/ and reused."""
    first = from_environment(str(tmp_path), {})
    second = from_environment(str(tmp_path), {})
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_secret_key(tmp_path):
    """Production refuses to start without SECRET_KEY."""
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment(str(tmp_path), {"GROUNDSWELL_ENV": "production"})


def test_defaults(tmp_path):
    """The embedded default: SQLite in instance/, dev mail, in-process jobs, memory limits."""
    config = from_environment(str(tmp_path), {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/groundswell.sqlite3"
    assert (config["MAIL_BACKEND"], config["JOBS_BACKEND"]) == ("dev", "thread")
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_redis_and_postgres_settings(tmp_path):
    """REDIS_URL moves limits and jobs to Redis; postgres URLs use psycopg 3."""
    config = from_environment(
        str(tmp_path),
        {
            "DATABASE_URL": "postgres://u:p@db/gs",
            "REDIS_URL": "redis://cache:6379/0",
            "MAIL_PORT": "587",
            "MAIL_USE_TLS": "true",
        },
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/gs"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    assert config["JOBS_BACKEND"] == "rq"
    assert (config["MAIL_PORT"], config["MAIL_USE_TLS"]) == (587, True)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MAIL_BACKEND": "pigeon"}, "MAIL_BACKEND"),
        ({"MAIL_PORT": "twenty-five"}, "MAIL_PORT"),
    ],
)
def test_bad_settings_are_named(tmp_path, environ, message):
    """A wrong value names the setting."""
    with pytest.raises(ConfigError, match=message):
        from_environment(str(tmp_path), environ)


def test_dev_mailbox_refused_in_production():
    """The public dev mailbox cannot be switched on in production."""
    environ = {"GROUNDSWELL_ENV": "production", "SECRET_KEY": "k", "MAIL_BACKEND": "dev"}
    with pytest.raises(ConfigError, match="MAIL_BACKEND=dev"):
        create_app({"ENVIRON": environ})


def test_wsgi_exposes_app():
    """gunicorn's entry point is wsgi:app."""
    import wsgi

    assert wsgi.app.name == "campaigns"


def test_signing_settings(tmp_path):
    """Counting and signing limits come from the environment, with safe bounds."""
    environ = {
        "COUNT_INTERVAL_SECONDS": "2",
        "COUNT_CACHE_SECONDS": "30",
        "SIGN_LIMIT_EXEMPT_DOMAINS": " A.org, b.org ,",
    }
    config = from_environment(str(tmp_path), environ)
    assert config["COUNT_INTERVAL_SECONDS"] == 2
    assert config["COUNT_CACHE_SECONDS"] == 2  # never kept longer than the count moves
    assert config["SIGN_LIMIT_EXEMPT_DOMAINS"] == frozenset({"a.org", "b.org"})
    defaults = from_environment(str(tmp_path), {})
    assert defaults["COUNT_INTERVAL_SECONDS"] == defaults["COUNT_CACHE_SECONDS"] == 1
    assert defaults["SIGN_LIMIT_PER_IP_PER_CAMPAIGN"] == "10 per hour"
    with pytest.raises(ConfigError, match="COUNT_INTERVAL_SECONDS"):
        from_environment(str(tmp_path), {"COUNT_INTERVAL_SECONDS": "0"})
