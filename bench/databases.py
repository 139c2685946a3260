"""Where the benchmark databases live: a SQLite file under instance/bench/, or a PostgreSQL
database named tracker_bench_<scale> on BENCH_POSTGRES_URL. Each run starts from an empty one."""

import os
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SQLITE_DIR = ROOT / "instance" / "bench"
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL",
    os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
)
BACKENDS = ("sqlite", "postgresql")


def _admin_dsn() -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql", database="postgres")
    return url.render_as_string(hide_password=False)


def database_name(scale: str) -> str:
    return f"tracker_bench_{scale}"


def url_for(backend: str, scale: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{SQLITE_DIR / f'{scale}.sqlite3'}"
    url = make_url(POSTGRES_URL).set(database=database_name(scale))
    return url.render_as_string(hide_password=False)


def recreate(backend: str, scale: str) -> str:
    """An empty database for this backend and scale (any earlier one is dropped); its URL."""
    if backend == "sqlite":
        SQLITE_DIR.mkdir(parents=True, exist_ok=True)
        path = SQLITE_DIR / f"{scale}.sqlite3"
        for leftover in (path, path.with_name(path.name + "-journal")):
            leftover.unlink(missing_ok=True)
    else:
        name = database_name(scale)
        with psycopg.connect(_admin_dsn(), autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    return url_for(backend, scale)


def postgres_answers() -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        with psycopg.connect(_admin_dsn(), connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return str(error).strip()
