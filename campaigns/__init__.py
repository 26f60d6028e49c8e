"""Groundswell: a petition and campaign platform. The application factory lives here."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from campaigns.config import ConfigError, Defaults, from_environment
from campaigns.core.flask_app import App

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the application; test_config overrides the environment."""
    app = App(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(Defaults)
    test_config = dict(test_config) if test_config is not None else None
    environ = None if test_config is None else test_config.pop("ENVIRON", {})
    app.config.from_mapping(from_environment(app.instance_path, environ))
    if test_config:
        app.config.from_mapping(test_config)
    check_config(app)
    if app.config["PROXY_FIX"]:
        hops = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    register_extensions(app)
    register_blueprints(app)
    register_integrations(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def check_config(app: Flask) -> None:
    """Refuse settings that would be unsafe or could not work."""
    if app.config["ENV_NAME"] == "production" and app.config["MAIL_BACKEND"] == "dev":
        raise ConfigError("MAIL_BACKEND=dev shows every email on a public page; not in production")
    if app.config["JOBS_BACKEND"] not in ("rq", "thread", "manual"):
        raise ConfigError("JOBS_BACKEND must be rq, thread or manual")
    if app.config["JOBS_BACKEND"] == "rq" and not app.config["REDIS_URL"]:
        raise ConfigError("JOBS_BACKEND=rq needs REDIS_URL")


def register_extensions(app: Flask) -> None:
    """Bind the extensions and the hooks that depend on them."""
    from campaigns.auth.loader import init_login
    from campaigns.core.i18n import init_babel
    from campaigns.core.limiting import init_limiter
    from campaigns.core.sessions import CacheableSessionInterface
    from campaigns.database import enforce_sqlite_foreign_keys
    from campaigns.extensions import csrf, db, migrate
    from campaigns.jobs import init_jobs

    enforce_sqlite_foreign_keys()
    app.session_interface = CacheableSessionInterface()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    init_limiter(app)
    init_login(app)
    init_babel(app)
    init_jobs(app)


def register_blueprints(app: Flask) -> None:
    """Attach each feature's blueprint."""
    from campaigns.core.urls import IdConverter

    app.url_map.converters["int"] = IdConverter
    from campaigns.admin.catalog_views import bp as catalog_bp
    from campaigns.admin.views import bp as admin_bp
    from campaigns.auth.account_views import bp as account_bp
    from campaigns.auth.views import bp as auth_bp
    from campaigns.core.views import bp as core_bp
    from campaigns.moderation.report_views import bp as reports_bp
    from campaigns.moderation.signature_views import bp as signature_moderation_bp
    from campaigns.moderation.views import bp as moderation_bp
    from campaigns.outcomes.response_views import bp as responses_bp
    from campaigns.outcomes.unsubscribe_views import bp as unsubscribe_bp
    from campaigns.outcomes.update_views import bp as updates_bp
    from campaigns.outcomes.victory_views import bp as victories_bp
    from campaigns.petitions.discovery_views import bp as discover_bp
    from campaigns.petitions.editor_views import bp as editor_bp
    from campaigns.petitions.media_views import bp as media_bp
    from campaigns.petitions.organizer_views import bp as organizers_bp
    from campaigns.petitions.views import bp as petitions_bp
    from campaigns.signatures.export_views import bp as exports_bp
    from campaigns.signatures.views import bp as signatures_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(catalog_bp, url_prefix="/admin")
    app.register_blueprint(discover_bp)
    app.register_blueprint(editor_bp)
    app.register_blueprint(petitions_bp)
    app.register_blueprint(signatures_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(organizers_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(moderation_bp, url_prefix="/moderation")
    app.register_blueprint(signature_moderation_bp, url_prefix="/moderation")
    app.register_blueprint(reports_bp)
    app.register_blueprint(updates_bp)
    app.register_blueprint(victories_bp)
    app.register_blueprint(responses_bp)
    app.register_blueprint(unsubscribe_bp)
    if app.config["MAIL_BACKEND"] == "dev":
        from campaigns.mail.views import bp as mailbox_bp

        app.register_blueprint(mailbox_bp, url_prefix="/dev")


def register_integrations(app: Flask) -> None:
    """Attach the organizer tools and the APIs: dashboard, delivery, imports, embeds, hooks."""
    from campaigns.api.key_views import bp as api_keys_bp
    from campaigns.api.osdi_views import bp as osdi_bp
    from campaigns.api.setup import register_api
    from campaigns.dashboard.views import bp as dashboard_bp
    from campaigns.embed.views import bp as embed_bp
    from campaigns.imports.views import bp as imports_bp
    from campaigns.signatures.delivery_views import bp as delivery_bp
    from campaigns.webhooks.views import bp as webhooks_bp

    for blueprint in (dashboard_bp, delivery_bp, imports_bp, embed_bp, webhooks_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(api_keys_bp)
    app.register_blueprint(osdi_bp)
    register_api(app)  # /api/v1 and its OpenAPI document (flask-smorest)


def register_errorhandlers(app: Flask) -> None:
    """Render errors as pages in the site's style, and add security headers."""
    from campaigns.core.errors import init_errors

    init_errors(app)
    from campaigns.api.errors import init_api_errors

    init_api_errors(app)  # JSON under /api/, over the pages above; other paths unchanged


def register_commands(app: Flask) -> None:
    """Add the flask CLI groups: users, categories, outbox, signatures, worker, scheduler, demo."""
    from campaigns.admin.cli import categories_cli
    from campaigns.auth.cli import users_cli
    from campaigns.core.demo import demo_command
    from campaigns.jobs.cli import scheduler_command, worker_command
    from campaigns.mail.cli import outbox_cli
    from campaigns.signatures.cli import signatures_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(categories_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(signatures_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(demo_command)
