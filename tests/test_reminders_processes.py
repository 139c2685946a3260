"""Real processes: `flask reminders send` started three times at once, and `flask scheduler`.

Each runs `python -m flask --app wsgi ...` against the test's own database and a real SMTP
server, as cron or systemd would.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ReminderOutbox

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
