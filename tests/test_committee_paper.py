"""The committee paper (PDF) is printed once per content, never twice at once, and a person
cannot keep more than two prints running."""

import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select

from tests.conftest import action_by_ref, sign_in
from tracker.committee import paper as paper_module
from tracker.committee.paper_store import PAPER_LOCKS, PERSON_SLOTS, _signed_int4
from tracker.extensions import db
from tracker.models import Plan, User

COMMITTEE = "margaret.fenwick@example.org"
OTHER_COMMITTEE_READER = "laura.pickering@example.org"  # admin: reads the same paper
REPORT_DAY = date(2016, 3, 14)


@pytest.fixture(autouse=True)
def no_papers_yet(app):
    """Each test starts with no stored papers (the folder lives as long as the test app)."""
    for path in Path(app.config["PAPER_FOLDER"]).glob("*.pdf"):
        path.unlink()


@pytest.fixture
def prints(monkeypatch):
    """Every real print of a paper, counted (the PDF is still printed by WeasyPrint)."""
    printed: list[str] = []
    real = paper_module.print_pdf

    def counted(html, base_url):
        printed.append(html)
        return real(html, base_url)

    monkeypatch.setattr(paper_module, "print_pdf", counted)
    return printed


def paper_url(query: str = "") -> str:
    return f"/plans/{db.session.scalar(select(Plan.id))}/paper.pdf{query}"


def stored_papers(app) -> set[Path]:
    return set(Path(app.config["PAPER_FOLDER"]).glob("*.pdf"))


def test_the_same_paper_is_printed_once_for_everyone(app, seeded, client, as_at, prints):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    first = client.get(paper_url("?theme=&rag=amber"))
    again = client.get(paper_url("?theme=&rag=amber"))
    assert first.status_code == again.status_code == 200
    assert first.mimetype == "application/pdf" and first.data == again.data
    assert len(prints) == 1

    other = app.test_client()
    sign_in(other, OTHER_COMMITTEE_READER)
    assert other.get(paper_url("?theme=&rag=amber")).data == first.data
    assert len(prints) == 1  # the same content for another reader: reused

    assert client.get(paper_url("?rag=green")).status_code == 200
    assert len(prints) == 2  # other filters, another paper


def test_a_change_to_what_the_paper_shows_prints_it_afresh(app, seeded, client, as_at, prints):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    before = client.get(paper_url()).data
    action = action_by_ref("R1.2")
    action.description = "Data warehouse so Business Objects reports from Liquid Logic: phase 2"
    db.session.commit()
    after = client.get(paper_url())
    assert len(prints) == 2 and after.data != before
    assert "phase 2" in prints[-1]


def test_concurrent_requests_for_one_paper_wait_for_a_single_print(
    app, seeded, client, as_at, monkeypatch
):
    as_at(REPORT_DAY)
    readers = []
    for email in (COMMITTEE, OTHER_COMMITTEE_READER):
        reader = app.test_client()
        sign_in(reader, email)
        readers.append(reader)
    url = paper_url("?rag=red")
    printing, release = threading.Event(), threading.Event()
    printed: list[str] = []
    real = paper_module.print_pdf

    def slow_print(html, base_url):
        printed.append(html)
        printing.set()
        release.wait(30)
        return real(html, base_url)

    monkeypatch.setattr(paper_module, "print_pdf", slow_print)
    answers: dict[int, object] = {}

    def fetch(n):
        with app.app_context():  # as another worker would: its own context and session
            answers[n] = readers[n].get(url)

    first = threading.Thread(target=fetch, args=(0,))
    first.start()
    assert printing.wait(30)
    second = threading.Thread(target=fetch, args=(1,))
    second.start()
    time.sleep(1)  # the second request is now waiting for the first print
    assert second.is_alive()
    release.set()
    first.join(60)
    second.join(60)
    assert answers[0].status_code == answers[1].status_code == 200
    assert answers[0].data == answers[1].data
    assert len(printed) == 1


@contextmanager
def held_by_another_process(app, space: int, key: int, file_name: str):
    """Hold one of the paper locks from outside this process, as another gunicorn worker would:
    a PostgreSQL advisory lock from its own connection, or flock(1) on SQLite's lock file."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("SELECT pg_advisory_lock(%s, %s)", (space, key))
            yield
            connection.execute("SELECT pg_advisory_unlock(%s, %s)", (space, key))
        return
    lock = Path(app.config["PAPER_FOLDER"]) / "locks" / file_name
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", HOLD_FILE_LOCK, str(lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.stdin.close()  # the holder exits, and its lock goes with it
        holder.wait(10)


# Another process: take the lock, say so, hold it until its stdin closes.
HOLD_FILE_LOCK = """
import fcntl, sys
lock = open(sys.argv[1], "a")
fcntl.flock(lock, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


def in_own_context(app, client, url, answers):
    with app.app_context():
        answers.append(client.get(url))


def _person_id(email: str) -> int:
    return db.session.scalar(select(User.id).where(User.email == email))


def test_a_third_print_at_once_says_the_paper_is_being_prepared(app, seeded, client, as_at, prints):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    person = _person_id(COMMITTEE)
    slot = [
        held_by_another_process(app, PERSON_SLOTS + n, person, f"person-{person}-{n}.lock")
        for n in range(2)
    ]
    with slot[0], slot[1]:
        busy = client.get(paper_url("?rag=blue"))
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "10"
        html = busy.get_data(as_text=True)
        assert "Your paper is being prepared" in html
        assert "Wait 10 seconds, then" in html and "download the paper again" in html
        assert 'href="/plans/' in html and "paper.pdf?rag=blue" in html
        assert 'http-equiv="refresh"' not in html  # no page that reloads itself (WCAG F41)
        assert prints == []

        someone_else = app.test_client()
        sign_in(someone_else, OTHER_COMMITTEE_READER)
        assert someone_else.get(paper_url("?rag=blue")).status_code == 200
    assert client.get(paper_url("?rag=blue")).mimetype == "application/pdf"
    assert len(prints) == 1


def test_a_paper_printing_in_another_process_is_waited_for_and_reused(
    app, seeded, client, as_at, prints
):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    url = paper_url("?rag=amber")
    first = client.get(url)
    assert first.status_code == 200, first.get_data(as_text=True)
    (stored,) = stored_papers(app)
    key = stored.stem
    stored.unlink()
    elsewhere = b"%PDF-1.7 printed by another worker"
    answers = []
    with held_by_another_process(app, PAPER_LOCKS, _signed_int4(key), f"paper-{key[:2]}.lock"):
        waiting = threading.Thread(target=in_own_context, args=(app, client, url, answers))
        waiting.start()
        time.sleep(1)
        assert waiting.is_alive()  # waiting for the other process's print
        stored.write_bytes(elsewhere)
    waiting.join(30)
    assert answers[0].status_code == 200 and answers[0].data == elsewhere
    assert len(prints) == 1  # only the first request printed


def test_waiting_too_long_for_another_print_says_the_paper_is_being_prepared(
    app, seeded, client, as_at, prints, monkeypatch
):
    monkeypatch.setitem(app.config, "PAPER_WAIT_SECONDS", 1)
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    url = paper_url("?rag=amber&theme=")
    client.get(url)
    (stored,) = stored_papers(app)
    key = stored.stem
    stored.unlink()
    with held_by_another_process(app, PAPER_LOCKS, _signed_int4(key), f"paper-{key[:2]}.lock"):
        busy = client.get(url)
    assert busy.status_code == 503
    assert "Your paper is being prepared" in busy.get_data(as_text=True)
    assert len(prints) == 1
