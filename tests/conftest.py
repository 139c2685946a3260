"""Test fixtures: a real database (SQLite and PostgreSQL) built by running the migrations.

Every database test runs once per backend. PostgreSQL tests use a throwaway database that this
run creates and drops. Without a PostgreSQL server they skip with the reason, except under
CI=true, where they fail: CI must prove both backends.
"""

import contextvars
import os
import re
import uuid
from contextlib import contextmanager

import psycopg
import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event
from sqlalchemy.engine import make_url

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
    return create_app(
        "test",
        {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(uploads), **overrides},
    )


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


def _empty_all_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(migrated_app):
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
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def seeded(app):
    from tracker.seeding.loader import load_seed

    load_seed(app.config["DEMO_PASSWORD"])
    db.session.commit()
    return app


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
