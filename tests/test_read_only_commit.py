"""A transaction that only read ends with COMMIT, so psycopg keeps the statements it prepared
(tracker/read_only.py); anything that wrote and was not committed is still undone."""

import pytest
from sqlalchemy import event, select, text, update

from tests import factories as make
from tracker import read_only
from tracker.extensions import db
from tracker.models import Plan


def _title(app, plan_id: int) -> str:
    with app.app_context():
        return db.session.get(Plan, plan_id).title


@pytest.fixture
def plan_id(app) -> int:
    plan = make.plan(title="Before")
    db.session.commit()
    return plan.id


def test_a_write_not_committed_is_undone_at_the_end(app, plan_id):
    with app.app_context():
        db.session.execute(update(Plan).where(Plan.id == plan_id).values(title="Statement"))
    assert _title(app, plan_id) == "Before"

    with app.app_context():
        db.session.get(Plan, plan_id).title = "Not flushed"
    assert _title(app, plan_id) == "Before"

    with app.app_context():
        db.session.get(Plan, plan_id).title = "Flushed"
        db.session.flush()
    assert _title(app, plan_id) == "Before"

    with pytest.raises(RuntimeError), app.app_context():
        db.session.execute(select(Plan.id)).all()
        raise RuntimeError("the request failed after reading")
    assert _title(app, plan_id) == "Before"


def test_statements_prepared_by_read_only_requests_outlive_them(app, backend, plan_id):
    """psycopg forgets its prepared statements on ROLLBACK; a read-only request ends with
    COMMIT, so a statement run by five requests is prepared for the sixth and after."""
    if backend != "postgresql":  # the sqlite3 module keeps its statements itself
        assert not event.contains(db.engine, "begin", read_only._begun)
        return
    db.engine.dispose()  # one connection from here on, as a worker serving one request at a time
    backends = set()
    for _ in range(6):
        with app.app_context():
            db.session.execute(select(Plan.title).where(Plan.id == plan_id)).all()
            backends.add(db.session.scalar(text("SELECT pg_backend_pid()")))
    with app.app_context():
        backends.add(db.session.scalar(text("SELECT pg_backend_pid()")))
        prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements"))
        statements = list(prepared)
    assert len(backends) == 1  # the same connection throughout, as one worker's requests have
    assert any("FROM plans" in statement for statement in statements)
