"""Settings: defaults, and the only place that reads the environment."""

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

MAIL_BACKENDS = ("smtp", "console", "dev")
TRUE_WORDS = {"1", "true", "yes", "on"}
# Providers with so many users that one campaign's signers share them legitimately.
DEFAULT_EXEMPT_DOMAINS = (
    "gmail.com,outlook.com,hotmail.com,live.com,yahoo.com,icloud.com,proton.me,"
    "protonmail.com,gmx.de,web.de,orange.fr,free.fr,yandex.ru,qq.com,163.com"
)


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message says which and why."""


def _flag(value: str | None, default: bool) -> bool:
    """Read a yes/no environment value."""
    if value is None or value == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def _int(name: str, value: str | None, default: int) -> int:
    """Read an integer environment value, naming the setting when it is not one."""
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from exc


def _secret_key(env: dict, instance_path: Path, production: bool) -> str:
    """Use SECRET_KEY; in development create one in instance/ so sessions survive restarts."""
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    if production:
        raise ConfigError("SECRET_KEY must be set when GROUNDSWELL_ENV=production")
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _database_url(env: dict, instance_path: Path) -> str:
    """DATABASE_URL, with the plain postgres:// forms mapped onto the psycopg 3 driver."""
    url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'groundswell.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _text(env: dict, name: str, default: str) -> str:
    """A string setting, or its default when unset or empty."""
    return env.get(name) or default


def _signing_settings(env: dict) -> dict:
    """Counting, reading the count, and the limits on signing (DESIGN.md section 3)."""
    interval = _int("COUNT_INTERVAL_SECONDS", env.get("COUNT_INTERVAL_SECONDS"), 1)
    if interval < 1:
        raise ConfigError("COUNT_INTERVAL_SECONDS must be at least 1")
    exempt = _text(env, "SIGN_LIMIT_EXEMPT_DOMAINS", DEFAULT_EXEMPT_DOMAINS)
    return {
        "COUNT_INTERVAL_SECONDS": interval,
        "COUNT_STALE_SECONDS": _int("COUNT_STALE_SECONDS", env.get("COUNT_STALE_SECONDS"), 30),
        # Each process keeps count.json's body this long (never longer than the interval).
        "COUNT_CACHE_SECONDS": min(
            interval, _int("COUNT_CACHE_SECONDS", env.get("COUNT_CACHE_SECONDS"), interval)
        ),
        "RECONCILE_INTERVAL_SECONDS": _int(
            "RECONCILE_INTERVAL_SECONDS", env.get("RECONCILE_INTERVAL_SECONDS"), 600
        ),
        "PURGE_INTERVAL_SECONDS": _int(
            "PURGE_INTERVAL_SECONDS", env.get("PURGE_INTERVAL_SECONDS"), 3600
        ),
        "SIGN_LIMIT_PER_IP_PER_CAMPAIGN": _text(
            env, "SIGN_LIMIT_PER_IP_PER_CAMPAIGN", "10 per hour"
        ),
        "SIGN_LIMIT_PER_IP": _text(env, "SIGN_LIMIT_PER_IP", "60 per hour"),
        "SIGN_LIMIT_PER_DOMAIN_PER_CAMPAIGN": _text(
            env, "SIGN_LIMIT_PER_DOMAIN_PER_CAMPAIGN", "50 per hour"
        ),
        "SIGN_LIMIT_EXEMPT_DOMAINS": frozenset(
            d.strip().lower() for d in exempt.split(",") if d.strip()
        ),
        "IP_HASH_SECRET": env.get("IP_HASH_SECRET") or None,
    }


def _frame_ancestors(value: str) -> str:
    """EMBED_FRAME_ANCESTORS as one CSP source list; a ';' or ',' would smuggle in policy."""
    sources = value.split()
    if not sources or any(c in value for c in ";,\r\n"):
        raise ConfigError("EMBED_FRAME_ANCESTORS must be space-separated CSP sources, such as *")
    return " ".join(sources)


def _webhook_settings(env: dict) -> dict:
    """Webhook delivery (campaigns/webhooks): sweep, timeout, retries, and the SSRF guard."""
    return {
        "WEBHOOK_INTERVAL_SECONDS": _int(
            "WEBHOOK_INTERVAL_SECONDS", env.get("WEBHOOK_INTERVAL_SECONDS"), 10
        ),
        "WEBHOOK_TIMEOUT_SECONDS": _int(
            "WEBHOOK_TIMEOUT_SECONDS", env.get("WEBHOOK_TIMEOUT_SECONDS"), 5
        ),
        "WEBHOOK_MAX_ATTEMPTS": _int("WEBHOOK_MAX_ATTEMPTS", env.get("WEBHOOK_MAX_ATTEMPTS"), 8),
        # Private and loopback targets and plain http: for development and tests only.
        "WEBHOOK_ALLOW_PRIVATE": _flag(env.get("WEBHOOK_ALLOW_PRIVATE"), False),
    }


def from_environment(instance_path: str, environ: dict | None = None) -> dict:
    """Build the settings dict from the process environment (and a .env file if present)."""
    if environ is None:
        load_dotenv(override=False)
        environ = dict(os.environ)
    env = environ
    path = Path(instance_path)
    production = env.get("GROUNDSWELL_ENV", "development") == "production"
    redis_url = env.get("REDIS_URL") or None
    mail_backend = env.get("MAIL_BACKEND") or ("smtp" if production else "dev")
    if mail_backend not in MAIL_BACKENDS:
        raise ConfigError(f"MAIL_BACKEND must be one of {', '.join(MAIL_BACKENDS)}")
    database_url = _database_url(env, path)
    if database_url.startswith("sqlite:"):
        path.mkdir(parents=True, exist_ok=True)
    cover_max_bytes = _int("COVER_MAX_BYTES", env.get("COVER_MAX_BYTES"), 5 * 1024 * 1024)
    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": _secret_key(env, path, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "BASE_URL": (env.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_BACKEND": mail_backend,
        "MAIL_SERVER": env.get("MAIL_SERVER") or "localhost",
        "MAIL_PORT": _int("MAIL_PORT", env.get("MAIL_PORT"), 25),
        "MAIL_USE_TLS": _flag(env.get("MAIL_USE_TLS"), False),
        "MAIL_USE_SSL": _flag(env.get("MAIL_USE_SSL"), False),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER") or "Groundswell <no-reply@localhost>",
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", env.get("MAIL_TIMEOUT"), 20),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", env.get("MAIL_MAX_ATTEMPTS"), 30),
        # "rq" needs REDIS_URL; "thread" runs jobs in-process; "manual" leaves them to the caller.
        "JOBS_BACKEND": env.get("JOBS_BACKEND") or ("rq" if redis_url else "thread"),
        "RATELIMIT_ENABLED": _flag(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "SESSION_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE"), production),
        "PROXY_FIX": _int("PROXY_FIX", env.get("PROXY_FIX"), 0),
        "TRENDING_INTERVAL_SECONDS": _int(
            "TRENDING_INTERVAL_SECONDS", env.get("TRENDING_INTERVAL_SECONDS"), 300
        ),
        "DEADLINE_INTERVAL_SECONDS": _int(
            "DEADLINE_INTERVAL_SECONDS", env.get("DEADLINE_INTERVAL_SECONDS"), 60
        ),
        # A cover upload plus the rest of its form; a smaller body is refused with 413 first.
        "MAX_CONTENT_LENGTH": _int(
            "MAX_CONTENT_LENGTH", env.get("MAX_CONTENT_LENGTH"), cover_max_bytes + 1024 * 1024
        ),
        # Absolute, because send_from_directory would read a relative one from the package.
        "UPLOAD_FOLDER": str(Path(env.get("UPLOAD_FOLDER") or path / "uploads").absolute()),
        "COVER_MAX_BYTES": cover_max_bytes,
        # Paper-signature CSV uploads (campaigns/imports): checked while the file is read.
        "IMPORT_MAX_BYTES": _int("IMPORT_MAX_BYTES", env.get("IMPORT_MAX_BYTES"), 5 * 1024 * 1024),
        # One request: 10,000 rows take ~1 s (~5 s on a busy host); 50,000 took up to 23 s,
        # holding SQLite's only writer and risking a proxy's timeout.
        "IMPORT_MAX_ROWS": _int("IMPORT_MAX_ROWS", env.get("IMPORT_MAX_ROWS"), 10_000),
        # How many updates an organizer may email to a campaign's signers in any 7 days.
        "UPDATE_EMAILS_PER_WEEK": _int(
            "UPDATE_EMAILS_PER_WEEK", env.get("UPDATE_EMAILS_PER_WEEK"), 3
        ),
        **_signing_settings(env),
        **_webhook_settings(env),
        # Who may frame the sign widget (/campaigns/<slug>/embed): a CSP source list.
        "EMBED_FRAME_ANCESTORS": _frame_ancestors(env.get("EMBED_FRAME_ANCESTORS") or "*"),
    }


class Defaults:
    """Settings that do not come from the environment."""

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    # hide_parameters: a logged database error must not carry signers' emails and names.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {"en": "English", "fr": "Français", "es": "Español", "hi": "हिन्दी"}
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_MAX_LENGTH = 256
    VERIFY_TOKEN_MAX_AGE = 7 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 3600
    LOGIN_LIMIT_PER_IP = "20 per minute;200 per hour"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute;30 per hour"
    FORM_LIMIT_PER_IP = "10 per minute;100 per hour"
    REPORT_LIMIT = "10 per hour"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "groundswell"
    OUTBOX_BATCH_SIZE = 50
    # A row a worker claimed but never marked sent (the worker died mid-send) is marked failed
    # after this long, never re-sent automatically: each recipient gets an email at most once.
    OUTBOX_SENDING_TIMEOUT_SECONDS = 600
    # Recipients queued per transaction when an update is emailed to signers.
    UPDATE_FANOUT_BATCH_SIZE = 1000
    # The sweep behind the per-request delivery jobs (which are throttled under load).
    OUTBOX_INTERVAL_SECONDS = 10
    # Rate-limit counters fall back to the process (with a logged warning) when Redis is down.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    SIGN_CONFIRM_MAX_AGE = 7 * 24 * 3600
    SIGN_RESEND_MAX = 5
    PENDING_SIGNATURE_DAYS = 30
    COUNT_BATCH_SIZE = 5000
    RECENT_SIGNERS = 10
    # The JSON API (/api/v1): requests per client address on public endpoints (one bucket
    # for all), per organizer key on keyed ones, signatures per address, largest JSON body.
    API_LIMIT_PER_IP = "120 per minute;2000 per hour"
    API_LIMIT_PER_KEY = "120 per minute;5000 per hour"
    API_SIGN_LIMIT_PER_IP = "10 per minute;60 per hour"
    API_MAX_CONTENT_LENGTH = 64 * 1024
    # Webhook endpoints per campaign, and deliveries sent per run of deliver_webhooks.
    WEBHOOK_MAX_ENDPOINTS = 5
    WEBHOOK_BATCH_SIZE = 20
    # Each process keeps a campaign dashboard's figures this long (0 = count on every view).
    DASHBOARD_CACHE_SECONDS = 60
    # Seconds the sign widget's form token stays valid (campaigns/embed/tokens.py).
    EMBED_TOKEN_MAX_AGE = 2 * 3600
