"""Configuration classes. Secrets and deployment settings come from the environment only."""

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'tracker.sqlite3'}")
    # Hosting platforms still hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/London")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")  # "locmem" keeps mail in memory
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Improvement plan tracker <tracker@localhost>"
    )
    MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 10)

    # Demo accounts (seeded from seed/people.csv) only ever exist outside production.
    DEMO_ACCOUNTS = True
    DEMO_PASSWORD = "improvement-plan-demo"  # noqa: S105 (printed for newcomers; dev only)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=_env_int("SESSION_IDLE_MINUTES", 30))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_REFRESH_EACH_REQUEST = False  # the cookie is resent only when it changes
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session (itself time-limited)

    # Judge dates "as at" a fixed day instead of today (demo: the date of the source report).
    AS_AT_DATE = os.environ.get("TRACKER_AS_AT") or None

    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
    MAX_UPLOAD_MB = _env_int("MAX_UPLOAD_MB", 20)
    HSTS = False

    # Committee papers (PDF): printed once per content, shared by every process
    # (tracker/committee/paper_store.py).
    PAPER_FOLDER = os.environ.get("PAPER_FOLDER", str(INSTANCE / "papers"))
    PAPER_PRINTS_PER_PERSON = _env_int("PAPER_PRINTS_PER_PERSON", 2)
    PAPER_WAIT_SECONDS = _env_int("PAPER_WAIT_SECONDS", 20)
    PAPER_KEEP_DAYS = _env_int("PAPER_KEEP_DAYS", 7)

    # Reminder emails (docs/reminders.md).
    REMINDER_TIME = os.environ.get("REMINDER_TIME", "07:00")
    REMINDER_DUE_SOON_DAYS = _env_int("REMINDER_DUE_SOON_DAYS", 7)
    REMINDER_NO_UPDATE_DAYS = _env_int("REMINDER_NO_UPDATE_DAYS", 30)
    ESCALATION_DAYS = _env_int("ESCALATION_DAYS", 14)
    ESCALATION_WEEKDAY = os.environ.get("ESCALATION_WEEKDAY", "monday")
    REMINDER_MAX_ATTEMPTS = _env_int("REMINDER_MAX_ATTEMPTS", 5)
    # Tests and demos only: the scheduler behaves as if started at this local time.
    REMINDER_NOW = os.environ.get("REMINDER_NOW") or None


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    DEBUG = False  # the Werkzeug debugger is a remote shell; never on by default


class TestConfig(Config):
    TESTING = True
    # A cheaper scrypt cost keeps the suite fast; real configurations use Werkzeug's default.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105 (a method name, not a password)
    SECRET_KEY = "test-only-not-secret"  # noqa: S105
    AS_AT_DATE = None
    WTF_CSRF_ENABLED = True
    MAIL_SERVER = "127.0.0.1"
    BASE_URL = "http://tracker.test"


class ProductionConfig(Config):
    AS_AT_DATE = None
    REMINDER_NOW = None
    DEMO_ACCOUNTS = False
    DEMO_PASSWORD = None
    SESSION_COOKIE_SECURE = True
    HSTS = True

    @classmethod
    def validate(cls) -> None:
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError(
                "SECRET_KEY is not set. Production refuses to start without it: "
                "set a long random value, for example from `python -c 'import secrets; "
                "print(secrets.token_hex(32))'`."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None) -> type[Config]:
    name = name or os.environ.get("TRACKER_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"Unknown TRACKER_ENV {name!r}; expected one of {', '.join(CONFIGS)}"
        ) from None
