"""A transaction that only read ends with COMMIT, not ROLLBACK (PostgreSQL).

For a transaction that changed nothing the two are the same to the database. They are not to
psycopg: on ROLLBACK it forgets every statement it has prepared on the connection, and as each
request ends with one, no statement was ever prepared, so PostgreSQL parsed every statement of
every page afresh. Ended with COMMIT, a statement run five times on a connection is prepared
there and later runs skip the parsing. Each statement is still planned for its own values
(plan_cache_mode in tracker/__init__.py).

Anything but a plain SELECT marks the transaction as having written (a SAVEPOINT too), and then
nothing changes: the session is rolled back at the end of the request, as before, unless the
request committed. So do ORM changes not yet flushed, and an exception.
"""

from flask import Flask
from sqlalchemy import event

from tracker.extensions import db

WROTE = "tracker_wrote"


def _begun(connection) -> None:
    connection.info[WROTE] = False


def _before_execute(connection, cursor, statement, parameters, context, executemany) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        connection.info[WROTE] = True


def _end_read_only_transaction(exc: BaseException | None) -> None:
    session = db.session
    if exc is not None or not session().in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        return
    if session.connection().info.get(WROTE, True):
        return
    session.commit()


def register_read_only_commit(app: Flask) -> None:
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        return
    with app.app_context():
        engine = db.engine
    event.listen(engine, "begin", _begun)
    event.listen(engine, "before_cursor_execute", _before_execute)
    # Registered after Flask-SQLAlchemy's own teardown, so run before it (Flask runs them in
    # reverse): the session is still there to commit, then removed as usual.
    app.teardown_appcontext(_end_read_only_transaction)
