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


def _env_list(name: str) -> list[str]:
    return [item.strip().lower() for item in os.environ.get(name, "").split(",") if item.strip()]


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'tracker.sqlite3'}")
    # Hosting platforms still hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


MIN_SECRET_KEY_BYTES = 32


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/London")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    # "smtp"; "console" prints each email; "file" writes them to MAIL_FILE_PATH; "locmem" (tests).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_FILE_PATH = os.environ.get("MAIL_FILE_PATH", str(INSTANCE / "mail"))
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
    DEMO_PASSWORD: str | None = "improvement-plan-demo"  # noqa: S105 (printed for newcomers; dev only)

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

    # Two-factor authentication (docs/security.md, "Two-factor authentication"): required of
    # admins in production unless turned off here; development and tests (demo accounts) leave
    # it optional. REQUIRE_2FA_FOR_EVERYONE asks it of every local account. Neither applies to
    # people who sign in through the council's identity provider.
    REQUIRE_2FA_FOR_ADMINS = _env_bool("REQUIRE_2FA_FOR_ADMINS", True)
    REQUIRE_2FA_FOR_EVERYONE = _env_bool("REQUIRE_2FA_FOR_EVERYONE", False)

    # Sign-in limits (docs/security.md, "Sign-in and upload limits").
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT = _env_int("SIGN_IN_MAX_FAILURES_PER_ACCOUNT", 10)
    SIGN_IN_MAX_FAILURES_PER_CLIENT = _env_int("SIGN_IN_MAX_FAILURES_PER_CLIENT", 30)
    SIGN_IN_FAILURE_WINDOW_MINUTES = _env_int("SIGN_IN_FAILURE_WINDOW_MINUTES", 15)
    # Reverse proxies in front of the app that set X-Forwarded-For (0: none). Without the right
    # number every client seems to share the proxy's address, and the per-client limit with it.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

    # Single sign-on with the council's identity provider by OpenID Connect (docs/security.md,
    # "Single sign-on"): offered on the sign-in page when the issuer and client are set.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    # Email domains whose people may be matched to an invited account (empty: any domain).
    OIDC_ALLOWED_DOMAINS = _env_list("OIDC_ALLOWED_DOMAINS")
    OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "your council account")
    OIDC_TIMEOUT_SECONDS = _env_int("OIDC_TIMEOUT_SECONDS", 10)
    OIDC_CLOCK_SKEW_SECONDS = _env_int("OIDC_CLOCK_SKEW_SECONDS", 60)
    # Who people are told to contact when single sign-on refuses them.
    SIGN_IN_HELP_CONTACT = os.environ.get("SIGN_IN_HELP_CONTACT", "")
    # LOCAL_PASSWORDS=off: only single sign-on, except the break-glass admin's password.
    LOCAL_PASSWORDS = _env_bool("LOCAL_PASSWORDS", True)
    BREAK_GLASS_ADMIN = os.environ.get("BREAK_GLASS_ADMIN", "").strip().lower()

    # How much anyone signed in can make the server store (docs/security.md).
    EVIDENCE_MAX_PER_PERSON_PER_DAY = _env_int("EVIDENCE_MAX_PER_PERSON_PER_DAY", 50)
    EVIDENCE_MAX_TOTAL = _env_int("EVIDENCE_MAX_TOTAL", 20000)
    IMPORT_PENDING_MAX_PER_PERSON = _env_int("IMPORT_PENDING_MAX_PER_PERSON", 5)
    IMPORT_PENDING_MAX_TOTAL = _env_int("IMPORT_PENDING_MAX_TOTAL", 50)
    # Data API (docs/api.md): a rate per token, and where the counts are kept. "memory://" counts
    # per process; set "redis://127.0.0.1:6379" so that every process and host shares them.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    API_RATE_LIMIT_STORAGE = os.environ.get("API_RATE_LIMIT_STORAGE", "memory://")
    API_MAX_BODY_BYTES = _env_int("API_MAX_BODY_BYTES", 4 * 1024 * 1024)

    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
    MAX_UPLOAD_MB = _env_int("MAX_UPLOAD_MB", 20)
    HSTS = False

    # Import limits (docs/security.md "Import limits"): a file beyond any is refused before it is
    # parsed, or as soon as parsing reaches the limit, with a message naming it.
    IMPORT_MAX_FILE_MB = _env_int("IMPORT_MAX_FILE_MB", 10)
    IMPORT_MAX_ROWS = _env_int("IMPORT_MAX_ROWS", 20_000)
    IMPORT_MAX_COLUMNS = _env_int("IMPORT_MAX_COLUMNS", 50)
    IMPORT_MAX_CELL_CHARS = _env_int("IMPORT_MAX_CELL_CHARS", 10_000)
    IMPORT_MAX_LINE_CHARS = _env_int("IMPORT_MAX_LINE_CHARS", 50_000)
    IMPORT_MAX_UNPACKED_MB = _env_int("IMPORT_MAX_UNPACKED_MB", 50)
    IMPORT_MAX_COMPRESSION_RATIO = _env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)
    IMPORT_MAX_PARTS = _env_int("IMPORT_MAX_PARTS", 500)
    IMPORT_MAX_SHARED_STRINGS_MB = _env_int("IMPORT_MAX_SHARED_STRINGS_MB", 10)
    IMPORT_MAX_SHARED_STRINGS = _env_int("IMPORT_MAX_SHARED_STRINGS", 200_000)

    # Committee papers (PDF): printed once per content, shared by every process
    # (tracker/committee/paper_store.py).
    PAPER_FOLDER = os.environ.get("PAPER_FOLDER", str(INSTANCE / "papers"))
    PAPER_PRINTS_PER_PERSON = _env_int("PAPER_PRINTS_PER_PERSON", 2)
    PAPER_WAIT_SECONDS = _env_int("PAPER_WAIT_SECONDS", 20)
    PAPER_KEEP_DAYS = _env_int("PAPER_KEEP_DAYS", 7)

    # A verified recommendation is embedded once its indicators have held their targets for
    # this many consecutive months (docs/rag.md, "Embedded").
    EMBEDDED_MONTHS = _env_int("EMBEDDED_MONTHS", 3)

    # Reminder emails (docs/reminders.md).
    REMINDER_TIME = os.environ.get("REMINDER_TIME", "07:00")
    REMINDER_DUE_SOON_DAYS = _env_int("REMINDER_DUE_SOON_DAYS", 7)
    REMINDER_NO_UPDATE_DAYS = _env_int("REMINDER_NO_UPDATE_DAYS", 30)
    # Statutory deadlines (docs/inspections.md) in plan leads' and admins' digests.
    REMINDER_STATUTORY_DEADLINES = _env_bool("REMINDER_STATUTORY_DEADLINES", True)
    ESCALATION_DAYS = _env_int("ESCALATION_DAYS", 14)
    ESCALATION_WEEKDAY = os.environ.get("ESCALATION_WEEKDAY", "monday")
    REMINDER_MAX_ATTEMPTS = _env_int("REMINDER_MAX_ATTEMPTS", 5)
    # How often the scheduler sends pending emails: account emails wait at most this long.
    OUTBOX_SEND_SECONDS = _env_int("OUTBOX_SEND_SECONDS", 30)
    # Tests and demos only: the scheduler behaves as if started at this local time.
    REMINDER_NOW = os.environ.get("REMINDER_NOW") or None


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    DEBUG = False  # the Werkzeug debugger is a remote shell; never on by default
    # No SMTP server is needed to try the service: emails (invites, resets, reminders) are
    # printed where `make run` runs. MAIL_BACKEND=smtp (or file) sends or keeps them instead.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    REQUIRE_2FA_FOR_ADMINS = _env_bool("REQUIRE_2FA_FOR_ADMINS", False)  # demo accounts


class TestConfig(Config):
    TESTING = True
    # A cheaper scrypt cost keeps the suite fast; real configurations use Werkzeug's default.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105 (a method name, not a password)
    SECRET_KEY = "test-only-not-secret"  # noqa: S105
    AS_AT_DATE = None
    WTF_CSRF_ENABLED = True
    MAIL_SERVER = "127.0.0.1"
    BASE_URL = "http://tracker.test"
    # The suite shares one upload folder per run, so uploads left waiting by earlier tests would
    # count; the tests of these limits set their own values and folder.
    IMPORT_PENDING_MAX_PER_PERSON = 1000
    IMPORT_PENDING_MAX_TOTAL = 1000
    # Tests sign in as the demo admin; the tests of two-factor turn this on.
    REQUIRE_2FA_FOR_ADMINS = False
    REQUIRE_2FA_FOR_EVERYONE = False


class ProductionConfig(Config):
    AS_AT_DATE = None
    REMINDER_NOW = None
    DEMO_ACCOUNTS = False
    DEMO_PASSWORD = None
    SESSION_COOKIE_SECURE = True
    HSTS = True

    @classmethod
    def validate(cls) -> None:
        key = os.environ.get("SECRET_KEY") or ""
        how = (
            "set at least 32 random bytes, for example the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
        if not key:
            raise RuntimeError(
                f"SECRET_KEY is not set. Production refuses to start without it: {how}"
            )
        if len(key.encode("utf-8")) < MIN_SECRET_KEY_BYTES:
            # The key signs session cookies and CSRF tokens: a short one can be guessed offline
            # from any cookie, and then anyone can sign in as anyone.
            raise RuntimeError(
                f"SECRET_KEY is {len(key.encode('utf-8'))} bytes long. Production refuses to "
                f"start with fewer than {MIN_SECRET_KEY_BYTES}: {how}"
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
