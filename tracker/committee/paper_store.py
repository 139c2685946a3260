"""Committee papers are printed once per content and shared by every web process.

Printing a paper (WeasyPrint) costs seconds of CPU; building the HTML it prints costs little.
So the HTML is built on every request and its SHA-256 (with the base address its links use) is
the paper's fingerprint: the same plan, filters and data give the same fingerprint, any change
to what the paper shows gives a new one. No global version row is read or written.

- The PDF is stored under PAPER_FOLDER as <fingerprint>.pdf (written to a temporary name and
  renamed, so a reader never sees half a file); papers unread for PAPER_KEEP_DAYS are removed.
- One print per fingerprint at a time: whoever comes second waits for the first print and
  reuses it (PostgreSQL: an advisory lock, held by the database for every process and host;
  SQLite: a file lock next to the papers).
- A person has at most PAPER_PRINTS_PER_PERSON prints (or waits for one) running at once; past
  that, or if the wait runs past PAPER_WAIT_SECONDS, PaperBusy is raised and the person is told
  their paper is being prepared.

Locks belong to a database connection or an open file, so a worker that dies releases them.
"""

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from flask import current_app
from sqlalchemy import Connection, text

from tracker.extensions import db

POLL_SECONDS = 0.1
# Advisory lock namespaces (the first of PostgreSQL's two int4 keys).
PAPER_LOCKS = 0x7A700000
PERSON_SLOTS = 0x7A710000


class PaperBusy(Exception):
    """The paper cannot be printed for this request now; the person should try again soon."""


def fingerprint(html: str, base_url: str) -> str:
    return hashlib.sha256(f"{base_url}\n{html}".encode()).hexdigest()


def committee_paper(html: str, base_url: str, person_id: int, printer: Callable[[], bytes]):
    """The PDF for this HTML: stored if printed before, else printed once (by `printer`)."""
    key = fingerprint(html, base_url)
    stored = _read(key)
    if stored is not None:
        return stored
    wait = current_app.config["PAPER_WAIT_SECONDS"]
    with _locks() as locks, locks.person_slot(person_id), locks.paper(key, wait):
        stored = _read(key)  # printed by whoever held the lock before us
        if stored is not None:
            return stored
        pdf = printer()
        _store(key, pdf)
        return pdf


# --- Storage ---------------------------------------------------------------------------------


def _folder() -> Path:
    folder = Path(current_app.config["PAPER_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _read(key: str) -> bytes | None:
    path = _folder() / f"{key}.pdf"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    with suppress(OSError):
        os.utime(path)  # read recently: keep it
    return data


def _store(key: str, pdf: bytes) -> None:
    folder = _folder()
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(pdf)
    os.replace(temporary, folder / f"{key}.pdf")
    _remove_old_papers(folder)


def _remove_old_papers(folder: Path) -> None:
    cutoff = time.time() - current_app.config["PAPER_KEEP_DAYS"] * 24 * 60 * 60
    for path in [*folder.glob("*.pdf"), *folder.glob("*.part")]:
        with suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()


# --- Locks -------------------------------------------------------------------------------------


@contextmanager
def _locks() -> Iterator["PostgresLocks | FileLocks"]:
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            yield PostgresLocks(connection)
    else:
        yield FileLocks(_folder() / "locks")


def _wait_for(try_lock: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not try_lock():
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


def _slots() -> range:
    return range(current_app.config["PAPER_PRINTS_PER_PERSON"])


def _signed_int4(key: str) -> int:
    return int.from_bytes(bytes.fromhex(key[:8]), "big", signed=True)


class PostgresLocks:
    """Session-level advisory locks on one connection held for the whole print."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def _try(self, space: int, key: int) -> bool:
        sql = text("SELECT pg_try_advisory_lock(:space, :key)")
        got = bool(self.connection.execute(sql, {"space": space, "key": key}).scalar())
        self.connection.commit()  # the lock outlives the transaction; no snapshot is kept open
        return got

    @contextmanager
    def _held(self, space: int, key: int) -> Iterator[None]:
        try:
            yield
        finally:
            sql = text("SELECT pg_advisory_unlock(:space, :key)")
            self.connection.execute(sql, {"space": space, "key": key})
            self.connection.commit()

    @contextmanager
    def person_slot(self, person_id: int) -> Iterator[None]:
        for slot in _slots():
            if self._try(PERSON_SLOTS + slot, person_id):
                with self._held(PERSON_SLOTS + slot, person_id):
                    yield
                return
        raise PaperBusy("this person's prints are all running")

    @contextmanager
    def paper(self, key: str, wait_seconds: float) -> Iterator[None]:
        number = _signed_int4(key)
        if not _wait_for(lambda: self._try(PAPER_LOCKS, number), wait_seconds):
            raise PaperBusy("the same paper is still being printed")
        with self._held(PAPER_LOCKS, number):
            yield


class FileLocks:
    """flock() on files next to the papers: per open file, so per process and per request."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder

    @contextmanager
    def _try(self, name: str) -> Iterator[bool]:
        with open(self.folder / name, "a") as lock_file:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    @contextmanager
    def person_slot(self, person_id: int) -> Iterator[None]:
        for slot in _slots():
            with self._try(f"person-{person_id}-{slot}.lock") as got:
                if got:
                    yield
                    return
        raise PaperBusy("this person's prints are all running")

    @contextmanager
    def paper(self, key: str, wait_seconds: float) -> Iterator[None]:
        # 256 lock files, one per first byte of the fingerprint, rather than one per paper.
        name = f"paper-{key[:2]}.lock"
        deadline = time.monotonic() + wait_seconds
        while True:
            with self._try(name) as got:
                if got:
                    yield
                    return
            if time.monotonic() >= deadline:
                raise PaperBusy("the same paper is still being printed")
            time.sleep(POLL_SECONDS)
