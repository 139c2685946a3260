"""Real processes: `flask reminders send` started three times at once, and `flask scheduler`.

Each runs `python -m flask --app wsgi ...` against the test's own database and a real SMTP
server, as cron or systemd would.
"""

import asyncio
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.conftest import _free_port
from tracker.extensions import db
from tracker.models import ReminderOutbox, utcnow
from tracker.reminders import sending
from tracker.reminders.sending import deliver_pending

ROOT = Path(__file__).resolve().parent.parent
MONDAY = "2016-03-28"
EXPECTED_ON_MONDAY = {
    "catherine.holloway@example.org",
    "gareth.pryce@example.org",
    "joanne.whitfield@example.org",
    "mark.ellison@example.org",
    "priya.desai@example.org",
}


def process_env(app, smtp_port: int, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REMINDER_", "MAIL_", "ESCALATION_", "TRACKER_"))
    }
    env.update(
        TRACKER_ENV="test",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def recipients(smtp_server) -> list[str]:
    return sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages)


def release_the_database() -> None:
    """Commit and close the test's session, so other processes can write (SQLite locks)."""
    db.session.commit()
    db.session.close()


def test_three_send_processes_at_once_deliver_one_digest_each(seeded, smtp_server, tmp_path):
    release_the_database()
    env = process_env(seeded, smtp_server.port)
    outputs = [tmp_path / f"send-{n}.log" for n in range(3)]
    processes = [
        subprocess.Popen(
            flask("reminders", "send", "--date", MONDAY),
            cwd=ROOT,
            env=env,
            stdout=out.open("w"),
            stderr=subprocess.STDOUT,
        )
        for out in outputs
    ]
    codes = [p.wait(timeout=120) for p in processes]
    logs = [out.read_text() for out in outputs]
    assert codes == [0, 0, 0], logs
    assert recipients(smtp_server) == sorted(EXPECTED_ON_MONDAY)
    assert sum("Queued 5 reminder emails" in log for log in logs) == 1, logs
    assert sum("already queued" in log for log in logs) == 2, logs
    sent = sum(int(line.split()[1]) for log in logs for line in log.splitlines() if "Sent" in line)
    assert sent == 5, logs
    db.session.expire_all()
    rows = db.session.scalars(select(ReminderOutbox)).all()
    assert sorted((r.state, r.attempts) for r in rows) == [("sent", 1)] * 5


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def start_scheduler(env, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        flask("scheduler"), cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_a_scheduler_started_after_reminder_time_sends_the_days_digests_once(
    seeded, smtp_server, tmp_path
):
    release_the_database()
    env = process_env(
        seeded, smtp_server.port, REMINDER_TIME="07:00", REMINDER_NOW=f"{MONDAY}T07:01"
    )
    first_log = tmp_path / "scheduler-1.log"
    first = start_scheduler(env, first_log)
    try:
        wait_for(lambda: len(smtp_server.messages) >= 5, 60, "the day's digests")
        wait_for(lambda: "Sent 5 emails." in first_log.read_text(), 10, "the run to finish")
        time.sleep(1.5)
        assert first.poll() is None, first_log.read_text()  # it waits for the next day
        assert recipients(smtp_server) == sorted(EXPECTED_ON_MONDAY)
    finally:
        stop(first)

    second_log = tmp_path / "scheduler-2.log"
    second = start_scheduler(env, second_log)
    try:
        wait_for(lambda: "already queued" in second_log.read_text(), 60, "the restart's run")
        time.sleep(1.5)
        assert second.poll() is None, second_log.read_text()
        assert len(smtp_server.messages) == 5, second_log.read_text()
    finally:
        stop(second)
    assert "Scheduler stopped" in second_log.read_text()


def test_a_scheduler_started_before_reminder_time_waits(seeded, smtp_server, tmp_path):
    release_the_database()
    env = process_env(
        seeded, smtp_server.port, REMINDER_TIME="07:00", REMINDER_NOW=f"{MONDAY}T06:30"
    )
    log = tmp_path / "scheduler.log"
    process = start_scheduler(env, log)
    try:
        wait_for(lambda: "Scheduler started" in log.read_text(), 60, "the scheduler to start")
        time.sleep(2)
        assert process.poll() is None, log.read_text()
        assert smtp_server.messages == []
    finally:
        stop(process)


class StallingInbox:
    """A real SMTP server (aiosmtpd) that takes its time: it answers the n-th message after
    `slow[n]` seconds, and never answers message number `stall_at` until released."""

    def __init__(self, slow: dict[int, float], stall_at: int):
        self.slow = slow
        self.stall_at = stall_at
        self.accepted: list[str] = []  # recipients of the messages it answered "250" to
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        number = len(self.accepted) + 1
        if number == self.stall_at:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Try again later"
        await asyncio.sleep(self.slow.get(number, 0))
        self.accepted.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def test_a_sender_killed_mid_batch_loses_nothing_and_resends_only_what_it_had_not_recorded(
    seeded, smtp_server, tmp_path
):
    # Monday's five emails go out in one batch. The second takes longer than RECORD_WITHIN, so
    # the first two are recorded before the third is sent; the fourth never gets an answer, and
    # the process is killed while it waits.
    stalling = StallingInbox(slow={2: sending.RECORD_WITHIN + 0.3}, stall_at=4)
    stalling.controller.start()
    release_the_database()
    log = tmp_path / "killed.log"
    try:
        process = subprocess.Popen(
            flask("reminders", "send", "--date", MONDAY),
            cwd=ROOT,
            env=process_env(seeded, stalling.port),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        assert stalling.stalled.wait(timeout=60), log.read_text()
        process.kill()
        process.wait(timeout=10)
    finally:
        stalling.release.set()
        stalling.controller.stop()
    assert len(stalling.accepted) == 3

    rows = {row.recipient_email: row for row in outbox()}
    recorded = {email for email, row in rows.items() if row.state == "sent"}
    assert recorded == set(stalling.accepted[:2])
    for email, row in rows.items():
        if email not in recorded:  # still claimed, untouched: retried once the lease runs out
            assert (row.state, row.attempts, row.last_error) == ("pending", 0, None)
            assert row.next_attempt_at > utcnow() + timedelta(minutes=10)

    assert deliver_pending(now=utcnow() + timedelta(minutes=5)).sent == 0  # lease not over yet
    report = deliver_pending(now=utcnow() + sending.LEASE + timedelta(minutes=1))
    assert (report.sent, report.failures) == (3, 0)
    # Nothing lost, and only the email accepted but not yet recorded is sent a second time.
    assert sorted(recipients(smtp_server) + stalling.accepted) == sorted(
        [*EXPECTED_ON_MONDAY, stalling.accepted[2]]
    )
    assert {(row.state, row.attempts) for row in outbox()} == {("sent", 1)}


def outbox() -> list[ReminderOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(ReminderOutbox)))
