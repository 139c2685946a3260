"""Test fixtures: a real database (SQLite and PostgreSQL) built by running the migrations.

Every database test runs once per backend. PostgreSQL tests use a throwaway database that this
run creates and drops. Without a PostgreSQL server they skip with the reason, except under
CI=true, where they fail: CI must prove both backends.
"""

import contextvars
import os
import re
import socket
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesParser
from zoneinfo import ZoneInfo

import psycopg
import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, exists, select, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from tracker import create_app
from tracker.extensions import db

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgresql"]


def _admin_dsn(url) -> str:
    return url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )


@contextmanager
def postgres_database():
    base = make_url(POSTGRES_URL)
    try:
        admin = psycopg.connect(_admin_dsn(base), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL does not answer at {POSTGRES_URL}: {error}")
        pytest.skip(f"PostgreSQL not answering at {POSTGRES_URL} ({error}); set TEST_POSTGRES_URL")
    name = f"tracker_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_admin_dsn(base), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database_url(backend: str, tmp_path_factory):
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("db") / "tracker.sqlite3"
        yield f"sqlite:///{path}"
    else:
        with postgres_database() as url:
            yield url


def make_app(url: str, tmp_path_factory, **overrides):
    uploads = tmp_path_factory.mktemp("uploads")
    papers = tmp_path_factory.mktemp("papers")
    settings = {"UPLOAD_FOLDER": str(uploads), "PAPER_FOLDER": str(papers)}
    return create_app("test", {"SQLALCHEMY_DATABASE_URI": url, **settings, **overrides})


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def migrated_app(backend, tmp_path_factory):
    with database_url(backend, tmp_path_factory) as url:
        app = make_app(url, tmp_path_factory)
        with app.app_context():
            upgrade()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def forget_worked_out_indicators() -> None:
    """Start each test as a new process would: with nothing worked out about indicators.

    tracker.indicators.queries keeps each indicator's rating and series per process, keyed by
    its rows' revision, which relies on ids only ever growing. Here every test starts from
    emptied tables (SQLite then reuses ids) and the seed comes back with the same ids and
    stamps, so two tests can build the same revision from different figures."""
    from tracker.actions.forms import _selects
    from tracker.committee.summary import _action_ratings, _ratings_before
    from tracker.fragments import clear as forget_fragments
    from tracker.indicators.pages import _charts
    from tracker.indicators.queries import _worked
    from tracker.indicators.views import _rows
    from tracker.plans.queries import _progress

    _worked.clear()
    _charts.clear()  # the indicator page's chart and rows, keyed the same way
    _rows.clear()  # rows of the indicators table, keyed the same way
    _ratings_before.clear()  # ratings before a meeting, keyed the same way
    _progress.clear()  # each plan's rating and counts on the plans list, keyed the same way
    _action_ratings.clear()  # actions' ratings on a day, keyed by what they are worked out from
    _selects.clear()  # My actions' filter selects, keyed by everything they show
    forget_fragments()  # parts of pages rendered once per distinct content (tracker/fragments.py)


def _empty_all_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(migrated_app):
    migrated_app.test_client_class = IsolatedClient
    forget_worked_out_indicators()
    with migrated_app.app_context():
        yield migrated_app
        db.session.remove()
        _empty_all_tables()
        db.session.remove()


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does.

    Without this, requests would share the test's app context: one `g`, one database session.
    The test's own work is committed first (so SQLite never sees two writers) and its objects
    are expired afterwards (so it reads what the request wrote).
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def seeded(app):
    """The demo plan, as `flask seed` loads it.

    The first test per database (per pytest-xdist worker) runs the real loader and keeps a copy of
    every row; later tests get those rows back with one multi-row INSERT per table, about 50 times
    quicker. The copy is keyed by everything the loader reads from the app and the clock, so a
    test that changes the "as at" day or the demo password before seeding gets a fresh load.
    """
    key = _seed_key(app)
    snapshots = app.extensions.setdefault("test_seed_snapshots", {})
    if key in snapshots and not _any_rows_in(snapshots[key]):
        _restore_rows(snapshots[key])
        return app
    from tracker.seeding.loader import load_seed

    # A test that made rows of its own first gets the loader, which looks each row up first.
    fresh = not _any_rows_in([(table, [True]) for table in db.metadata.sorted_tables])
    load_seed(app.config["DEMO_PASSWORD"])
    db.session.commit()
    if fresh:
        snapshots[key] = _copy_rows()
    return app


def _any_rows_in(copied: list[tuple]) -> bool:
    """Whether any table the copy would fill already has rows (one statement)."""
    tables = [table for table, rows in copied if rows]
    return any(db.session.execute(select(*(exists().select_from(t) for t in tables))).one())


def _seed_key(app) -> tuple:
    # What the loader depends on: the demo password and its hashing cost, and the clock (rows are
    # stamped with tracker.clock.now(): the "as at" day, at the real time of day in the council's
    # timezone). A new real day gives a fresh load, so a copy is never stamped after the test.
    real_day = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()
    return (
        app.config.get("DEMO_PASSWORD"),
        app.config.get("PASSWORD_HASH_METHOD"),
        app.config.get("AS_AT_DATE"),
        real_day,
    )


def _copy_rows() -> list[tuple]:
    copied = []
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns))
        copied.append((table, [dict(row) for row in rows.mappings()]))
    db.session.commit()
    return copied


def _restore_rows(copied: list[tuple]) -> None:
    for table, rows in copied:
        if rows:
            db.session.execute(table.insert(), rows)
    if db.engine.dialect.name == "postgresql":
        # Rows came back with their ids: move each id sequence past them, as the loader left it.
        for table, rows in copied:
            column = table.autoincrement_column
            if rows and column is not None:
                db.session.execute(
                    text("SELECT setval(pg_get_serial_sequence(:table, :column), :last)"),
                    {
                        "table": table.name,
                        "column": column.name,
                        "last": max(row[column.name] for row in rows),
                    },
                )
    db.session.commit()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def sign_in(client, email: str, password: str = "improvement-plan-demo"):
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


@contextmanager
def count_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def statements_cold_and_warm(client, url: str) -> tuple[int, int]:
    """The statements a page sends rendered as by a new process (nothing worked out yet: every
    statement it may send), then again (what it has worked out is not read again)."""
    forget_worked_out_indicators()
    with count_queries() as cold:
        assert client.get(url).status_code == 200
    with count_queries() as warm:
        assert client.get(url).status_code == 200
    return len(cold), len(warm)


class SmtpInbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it receives."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(
            BytesParser(policy=email_policy.default).parsebytes(envelope.original_content)
        )
        return "250 Message accepted for delivery"

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


def _free_port() -> int:
    # aiosmtpd's Controller(port=0) cannot report the port it got, so pick one first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """Start a real SMTP server and point the app's mail settings at it."""
    inbox = SmtpInbox()
    inbox.start()
    previous = {
        key: app.config[key]
        for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_BACKEND")
        if key in app.config
    }
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port)
    app.config.pop("MAIL_BACKEND", None)
    try:
        yield inbox
    finally:
        inbox.stop()
        app.config.update(previous)


# --- Browser tests: Playwright driving Debian's Chromium against a live server -----------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture(scope="session", autouse=True)
def patient_expectations():
    """A loaded CI machine can take longer than Playwright's default 5 seconds to render."""
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"CI=true but Chromium is not installed at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The app served over HTTP in a thread, on the test's database."""
    db.session.commit()
    server = LiveServer(app)
    # A thread starts with an empty context, so requests get their own app contexts.
    server.start()
    try:
        yield server
    finally:
        server.stop()


def assert_accessible(page) -> None:
    """axe-core finds no WCAG 2.2 A/AA violation on the page as it now stands."""
    from axe_playwright_python.sync_playwright import Axe

    # After a click that follows a link, the new page may still be loading: axe must not run
    # on a document being replaced ("Cannot read properties of null (reading 'documentElement')").
    page.wait_for_load_state("load")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def browser_sign_in(page, live_server, email: str, password: str = "improvement-plan-demo"):
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def as_at(app):
    """Judge dates as at a given day: `as_at(date(2016, 3, 14))`. Restored after the test."""
    previous = app.config.get("AS_AT_DATE")

    def set_day(day):
        app.config["AS_AT_DATE"] = day

    yield set_day
    app.config["AS_AT_DATE"] = previous


def action_by_ref(reference: str):
    from sqlalchemy import select

    from tracker.models import Action

    return db.session.scalar(select(Action).where(Action.reference == reference))


def form_post(client, url: str, data: dict, **kwargs):
    """POST a form the way a browser would: with the CSRF token from the page itself."""
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data}, **kwargs)


@pytest.fixture
def settings(app):
    """Change settings for one test; restored afterwards."""
    previous = dict(app.config)

    def change(**values):
        app.config.update(values)

    yield change
    app.config.clear()
    app.config.update(previous)


# --- Single sign-on: a real OpenID Connect provider (tests/oidc_support.py) ---------------------

PROVIDER_NAME = "Testshire Council"


@pytest.fixture(scope="session")
def oidc_provider_process():
    from tests.oidc_support import TestProvider

    provider = TestProvider()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_provider(oidc_provider_process, settings):
    """The real provider, with the tracker configured to sign in through it."""
    from tests.oidc_support import APP_BASE, CALLBACK, CLIENT_ID, CLIENT_SECRET

    oidc_provider_process.allow_redirects(APP_BASE + CALLBACK)
    settings(
        BASE_URL=APP_BASE,
        OIDC_ISSUER=oidc_provider_process.issuer,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_ALLOWED_DOMAINS=["council.example"],
        OIDC_PROVIDER_NAME=PROVIDER_NAME,
    )
    return oidc_provider_process
