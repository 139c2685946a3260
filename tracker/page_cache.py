"""Caching the pages people read most, without ever showing stale data.

A page is kept whole for one signed-in session (the user id with its session token), one
address and one day. This request's CSP nonce and CSRF token are put back into it on every hit;
a request with a flash message to show is rendered afresh. The key includes the data version
(tracker/models/versions.py): every committed change to anything a page can show replaces it in
the same transaction, through the session events below, so the next request on any process or
host misses the cache and renders afresh. Nothing is ever invalidated by hand.

Changes that no page shows (the audit trail, the reminder outbox, job runs, import records,
account tokens, sign-in bookkeeping) leave the version alone, so that signing in or sending
reminders does not empty everyone's cache. See docs/performance.md.
"""

import hashlib
import secrets
from collections.abc import Callable
from functools import wraps
from itertools import chain

from flask import Flask, current_app, g, request, session
from flask_caching import Cache
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from tracker.clock import today
from tracker.extensions import db
from tracker.models import DataVersion, User
from tracker.security import csp_nonce

cache = Cache()

TABLES_NO_PAGE_SHOWS = frozenset(
    {
        "audit_events",
        "reminder_outbox",
        "reminder_skips",
        "job_runs",
        "import_records",
        "account_tokens",
        "api_tokens",
        "api_idempotency_keys",
        "data_version",
    }
)
USER_BOOKKEEPING = frozenset({"session_token", "last_signed_in_at", "password_hash"})


def register_page_cache(app: Flask) -> None:
    cache.init_app(
        app,
        config={
            "CACHE_TYPE": "SimpleCache" if app.config["PAGE_CACHE"] else "NullCache",
            "CACHE_THRESHOLD": app.config["PAGE_CACHE_SIZE"],
            "CACHE_DEFAULT_TIMEOUT": 24 * 60 * 60,
            "CACHE_NO_NULL_WARNING": True,
        },
    )
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _before_bulk_statement)


# --- The data version ------------------------------------------------------------------------


def data_version() -> int | None:
    """The current version, or None if there is none (nothing is cached then)."""
    return db.session.scalar(select(DataVersion.version).where(DataVersion.id == 1))


def _bump(session: Session) -> None:
    """Give the data a new version, in the transaction that changes it.

    A random number rather than a count: a database restored from a backup, or emptied and
    refilled, must not meet versions it had before with different data behind them.
    """
    session.info["changed_content"] = True
    versions = DataVersion.__table__
    session.connection().execute(
        update(versions).where(versions.c.id == 1).values(version=secrets.randbits(62))
    )


def _table_of(instance) -> str:
    return inspect(instance).mapper.persist_selectable.name


def _shows_on_pages(instance, deleted_or_new: bool) -> bool:
    if _table_of(instance) in TABLES_NO_PAGE_SHOWS:
        return False
    if deleted_or_new:
        return True
    changed = {attr.key for attr in inspect(instance).attrs if attr.history.has_changes()}
    if isinstance(instance, User):
        changed -= USER_BOOKKEEPING
    return bool(changed)


def _after_flush(session: Session, _flush_context) -> None:
    new_or_deleted = chain(session.new, session.deleted)
    if any(_shows_on_pages(i, True) for i in new_or_deleted) or any(
        _shows_on_pages(i, False) for i in session.dirty
    ):
        _bump(session)


def _before_bulk_statement(state: ORMExecuteState) -> None:
    """INSERT, UPDATE or DELETE statements run through the session (bulk imports, claims)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in TABLES_NO_PAGE_SHOWS:
        _bump(state.session)


# --- Pages ---------------------------------------------------------------------------------

# What differs between two requests for the same page by the same person, on the same data and
# day, is replaced by these placeholders in the cached copy and filled in afresh on each hit.
NONCE_PLACEHOLDER = "\x00csp-nonce\x00"
CSRF_PLACEHOLDER = "\x00csrf-token\x00"


def _key() -> str | None:
    version = data_version()
    if version is None:
        return None
    parts = (version, today().isoformat(), current_user.get_id(), request.full_path)
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _with_placeholders(html: str) -> str:
    html = html.replace(csp_nonce(), NONCE_PLACEHOLDER)
    if "csrf_token" in g:  # Flask-WTF keeps this request's token there once a form used it
        html = html.replace(g.csrf_token, CSRF_PLACEHOLDER)
    return html


def _filled_in(shell: str) -> str:
    html = shell.replace(NONCE_PLACEHOLDER, csp_nonce())
    return html.replace(CSRF_PLACEHOLDER, generate_csrf()) if CSRF_PLACEHOLDER in html else html


def cached_page(view: Callable) -> Callable:
    """Serve the view's page from the cache while nothing it shows has changed.

    Put it below @permission_required, so that who may see the page is checked every time.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        wanted = current_app.config["PAGE_CACHE"] and "_flashes" not in session
        key = _key() if wanted else None
        if key is None:
            return view(*args, **kwargs)
        shell = cache.get(key)
        if shell is not None:
            return _filled_in(shell)
        result = view(*args, **kwargs)
        # A page that shows this request's own uncommitted changes may yet be rolled back.
        if isinstance(result, str) and not db.session.info.get("changed_content"):
            cache.set(key, _with_placeholders(result))
        return result

    return wrapped
