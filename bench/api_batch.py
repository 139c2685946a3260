"""The data API's batch endpoint against a raw bulk insert of the same 5,000 figures (issue 15).

    .venv/bin/python -m bench.api_batch [--backends sqlite,postgresql] [--repeat 3]

For each database: an empty one (instance/bench/api.sqlite3, or tracker_bench_api on
BENCH_POSTGRES_URL) is migrated and given 50 indicators; the same 5,000 new figures (50
indicators x 100 months) are then written
- raw: parsed from the same JSON body and inserted with one SQLAlchemy Core executemany in one
  transaction (no checks, no revisions, no audit);
- API: POSTed to /api/v1/indicators/figures:batch on a Werkzeug server on a free port, timed
  from sending the request to reading the answer (authentication, validation of the request and
  response, the import's row checks, the bulk insert, the import record and its audit event).
The figures are deleted (and PostgreSQL vacuumed) between runs; the median of --repeat runs is
reported, with the ratio. Prints JSON. `make bench` runs it after bench/run.py; not part of
`make test`.
"""

import argparse
import gc
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL",
    os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
)
INDICATORS = 50
MONTHS = 100  # back from February 2016
AS_AT = date(2016, 3, 14)


def database(backend: str) -> str:
    if backend == "sqlite":
        path = ROOT / "instance" / "bench" / "api.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = make_url(POSTGRES_URL).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "tracker_bench_api" WITH (FORCE)')
        conn.execute('CREATE DATABASE "tracker_bench_api"')
    return make_url(POSTGRES_URL).set(database="tracker_bench_api").render_as_string(False)


def months() -> list[str]:
    year, month, result = 2016, 2, []
    for _ in range(MONTHS):
        result.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result


def batch_body() -> bytes:
    figures = [
        {"indicator_code": f"BENCH-{n:03d}", "period": period, "value": float(n + i % 17)}
        for n in range(1, INDICATORS + 1)
        for i, period in enumerate(months())
    ]
    return json.dumps({"figures": figures}).encode()


def prepare(app) -> tuple[str, dict[str, int], int]:
    from flask_migrate import upgrade

    from tracker.api.tokens import issue_token
    from tracker.extensions import db
    from tracker.models import Indicator, User

    with app.app_context():
        upgrade()
        owner = User(
            email="warehouse@example.org", name="Data warehouse", job_title="", role="admin"
        )
        db.session.add(owner)
        db.session.flush()
        for n in range(1, INDICATORS + 1):
            db.session.add(
                Indicator(
                    code=f"BENCH-{n:03d}",
                    name=f"Bench indicator {n}",
                    unit="count",
                    polarity="higher_better",
                    basis="month",
                    decimals=0,
                )
            )
        secret = issue_token("bench", owner, ["figures:write"], 1, owner).secret
        db.session.commit()
        ids = {i.code: i.id for i in db.session.query(Indicator)}
        return secret, ids, owner.id


def raw_insert(app, body: bytes, ids: dict[str, int], user_id: int) -> float:
    from tracker.extensions import db
    from tracker.models import IndicatorValue

    started = time.perf_counter()
    now = datetime.now(UTC)
    rows = [
        {
            "indicator_id": ids[f["indicator_code"]],
            "period": date.fromisoformat(f["period"] + "-01"),
            "basis": "month",
            "value": f["value"],
            "provisional": False,
            "data_quality_note": None,
            "quoted": False,
            "source": "raw",
            "updated_at": now,
            "updated_by_id": user_id,
        }
        for f in json.loads(body)["figures"]
    ]
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(IndicatorValue.__table__.insert(), rows)
    return time.perf_counter() - started


def api_batch(url: str, secret: str, body: bytes) -> float:
    request = urllib.request.Request(  # noqa: S310 (our own server on 127.0.0.1)
        f"{url}/api/v1/indicators/figures:batch",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
        answer = json.load(response)
    elapsed = time.perf_counter() - started
    if answer["added"] != INDICATORS * MONTHS:
        raise RuntimeError(f"the API added {answer['added']} figures: {answer}")
    return elapsed


def forget(app) -> None:
    from tracker.extensions import db
    from tracker.models import AuditEvent, ImportRecord, IndicatorValue

    with app.app_context():
        with db.engine.begin() as connection:
            for model in (AuditEvent, ImportRecord, IndicatorValue):
                connection.execute(model.__table__.delete())
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE indicator_values")


def bench(backend: str, repeat: int) -> dict:
    from tracker import create_app
    from tracker.extensions import db

    app = create_app(
        "development",
        {
            "SQLALCHEMY_DATABASE_URI": database(backend),
            "AS_AT_DATE": AS_AT,
            "API_RATE_LIMIT": "100000 per minute",
        },
    )
    secret, ids, user_id = prepare(app)
    body = batch_body()
    gc.freeze()  # as wsgi.py does in every web process once the app is built
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    raw, api = [], []
    try:
        for _ in range(repeat):
            raw.append(raw_insert(app, body, ids, user_id))
            forget(app)
            api.append(api_batch(url, secret, body))
            forget(app)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    raw_seconds, api_seconds = statistics.median(raw), statistics.median(api)
    return {
        "figures": INDICATORS * MONTHS,
        "body_bytes": len(body),
        "raw_insert_seconds": round(raw_seconds, 3),
        "api_batch_seconds": round(api_seconds, 3),
        "api_vs_raw_insert": round(api_seconds / raw_seconds, 2),
        "runs": {"raw": [round(s, 3) for s in raw], "api": [round(s, 3) for s in api]},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results = {}
    for backend in args.backends.split(","):
        results[backend] = bench(backend, args.repeat)
        print(backend, json.dumps(results[backend]), file=sys.stderr)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
