"""The improvement-plan tracker: a Flask app built by create_app."""

from datetime import date
from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from config import config_for

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    config = config_for(config_name)
    if hasattr(config, "validate"):
        config.validate()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config)
    app.config.update(overrides or {})
    app.config["AS_AT_DATE"] = _as_date(app.config.get("AS_AT_DATE"))
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_MB"] * 1024 * 1024 + 64 * 1024

    register_extensions(app)
    register_templates(app)
    register_security(app)
    register_routing(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_api(app)
    register_commands(app)
    return app


def _as_date(value) -> date | None:
    if not value or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RuntimeError(f"TRACKER_AS_AT must be a date like 2016-03-14, not {value!r}") from None


# PostgreSQL plans each statement for its own values. psycopg prepares a statement after five
# runs, and PostgreSQL may then switch to one generic plan for all values: right after a large
# import or reminder run, before statistics caught up, that made My actions' notices statement
# take 34 ms instead of 1.5 ms (docs/performance.md).
# The session's time zone is UTC, whatever the server's default: times come back in UTC itself,
# which tracker.models.types.UTCDateTime then passes through without converting each one.
POSTGRES_OPTIONS = "-c plan_cache_mode=force_custom_plan -c timezone=UTC"


def engine_options(config) -> dict:
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("options", POSTGRES_OPTIONS)
        options["connect_args"] = connect_args
    return options


def register_extensions(app: Flask) -> None:
    from tracker import models  # noqa: F401  (every model must be known to Alembic)
    from tracker.extensions import csrf, db, login_manager, mail, migrate
    from tracker.read_only import register_read_only_commit

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    register_read_only_commit(app)


def register_templates(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from tracker.templating import register_template_helpers

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    register_template_helpers(app)


def register_security(app: Flask) -> None:
    from tracker.auth.oidc import check_settings
    from tracker.auth.sessions import register_session_rules
    from tracker.permissions import register_permission_check
    from tracker.security import register_security_headers

    check_settings(app.config, https=bool(app.config.get("SESSION_COOKIE_SECURE")))
    register_session_rules(app)
    register_permission_check(app)
    register_security_headers(app)
    register_proxies(app)


def register_proxies(app: Flask) -> None:
    """Take the client's address from X-Forwarded-For, set by this many trusted proxies."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # Flask's documented way to add WSGI middleware; its stubs declare wsgi_app a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )


def register_routing(app: Flask) -> None:
    from tracker.args import register_converters

    register_converters(app)


def register_blueprints(app: Flask) -> None:
    from tracker.actions import bp as actions_bp
    from tracker.admin import bp as admin_bp
    from tracker.auditlog import bp as auditlog_bp
    from tracker.auth import bp as auth_bp
    from tracker.benchmarks import bp as benchmarks_bp
    from tracker.committee import bp as committee_bp
    from tracker.deputies import bp as deputies_bp
    from tracker.evidence import bp as evidence_bp
    from tracker.indicators import bp as indicators_bp
    from tracker.inspections import bp as inspections_bp
    from tracker.main import bp as main_bp
    from tracker.plans import bp as plans_bp
    from tracker.reminders import bp as reminders_bp

    blueprints = [main_bp, auth_bp, plans_bp, actions_bp, evidence_bp, indicators_bp]
    blueprints += [auditlog_bp, committee_bp]
    blueprints += [reminders_bp]
    blueprints += [admin_bp]
    blueprints += [inspections_bp]
    blueprints += [deputies_bp]
    blueprints += [benchmarks_bp]
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from tracker.errors import register_error_pages

    register_error_pages(app)


def register_api(app: Flask) -> None:
    from tracker.api import register_api as register

    register(app)


def register_commands(app: Flask) -> None:
    from tracker.cli import register_cli
    from tracker.reminders.cli import register_reminder_commands

    register_cli(app)
    register_reminder_commands(app)
