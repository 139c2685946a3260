"""Sending the outbox over real SMTP: once only, retried with backoff, never lost."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import _free_port
from tracker.extensions import db
from tracker.models import AuditEvent, JobRun, ReminderOutbox, User, utcnow
from tracker.reminders.outbox import JOB, claim_run
from tracker.reminders.sending import backoff, claim, deliver_pending
from tracker.uow import unit_of_work

DAY = "2016-03-14"  # a Monday: Mark and Priya get reminders, Catherine an escalation
RECIPIENTS = {
    "mark.ellison@example.org",
    "priya.desai@example.org",
    "catherine.holloway@example.org",
}


def send(app, *args):
    return app.test_cli_runner().invoke(args=["reminders", "send", "--date", DAY, *args])


def addresses(smtp_server) -> list[str]:
    return sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages)


def outbox() -> list[ReminderOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(ReminderOutbox).order_by(ReminderOutbox.id)))


@pytest.fixture
def smtp_down(app, monkeypatch):
    """Nothing listening on the configured SMTP port."""
    port = _free_port()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    return port


def test_running_send_twice_for_the_same_day_sends_nothing_the_second_time(seeded, smtp_server):
    first = send(seeded)
    assert first.exit_code == 0, first.output
    assert "Sent 3 emails." in first.output
    assert addresses(smtp_server) == sorted(RECIPIENTS)

    second = send(seeded)
    assert second.exit_code == 0, second.output
    assert "already queued" in second.output and "Sent 0 emails." in second.output
    assert len(smtp_server.messages) == 3
    assert {row.state for row in outbox()} == {"sent"}
    assert db.session.scalar(select(func.count(JobRun.id))) == 1


def test_smtp_down_keeps_every_email_pending_and_says_so(seeded, smtp_down):
    result = send(seeded)
    assert result.exit_code == 1
    assert "Could not send 3 reminder emails" in result.output
    assert f"Could not connect to the SMTP server 127.0.0.1:{smtp_down}" in result.output
    assert "3 are still pending and will be tried again" in result.output
    rows = outbox()
    assert len(rows) == 3
    for row in rows:
        assert row.state == "pending"
        assert row.attempts == 1
        assert "Connection refused" in row.last_error
        assert row.next_attempt_at > utcnow() + timedelta(minutes=4)


def test_when_smtp_is_back_the_next_run_delivers_each_email_once(seeded, smtp_down, smtp_server):
    seeded.config["MAIL_PORT"] = smtp_down  # smtp_server started after: point at the dead port
    assert send(seeded).exit_code == 1
    seeded.config["MAIL_PORT"] = smtp_server.port

    waiting = send(seeded)  # backoff not over yet: nothing is sent, and it says why
    assert waiting.exit_code == 0, waiting.output
    assert "3 emails are waiting to be retried" in waiting.output
    assert smtp_server.messages == []

    retried = send(seeded, "--retry-now")
    assert retried.exit_code == 0, retried.output
    assert addresses(smtp_server) == sorted(RECIPIENTS)
    assert [(row.state, row.attempts, row.last_error) for row in outbox()] == [
        ("sent", 2, None)
    ] * 3

    assert send(seeded, "--retry-now").exit_code == 0
    assert len(smtp_server.messages) == 3


def test_retries_happen_by_themselves_once_the_backoff_has_passed(seeded, smtp_down, smtp_server):
    seeded.config["MAIL_PORT"] = smtp_down
    send(seeded)
    seeded.config["MAIL_PORT"] = smtp_server.port
    assert deliver_pending(now=utcnow() + timedelta(minutes=1)).sent == 0
    report = deliver_pending(now=utcnow() + timedelta(minutes=6))
    assert report.sent == 3
    assert addresses(smtp_server) == sorted(RECIPIENTS)


def test_backoff_doubles_and_the_attempt_limit_marks_emails_failed(seeded, smtp_down, monkeypatch):
    assert [backoff(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
        timedelta(minutes=40),
    ]
    monkeypatch.setitem(seeded.config, "REMINDER_MAX_ATTEMPTS", 3)
    send(seeded)
    now = utcnow()
    second = deliver_pending(now=now + timedelta(minutes=6))
    assert second.retrying == 3
    for row in outbox():
        assert row.attempts == 2
        # the second failure waits 10 minutes from the moment of that attempt
        assert now + timedelta(minutes=15) < row.next_attempt_at < now + timedelta(minutes=17)
    result = send(seeded, "--retry-now")
    assert result.exit_code == 1
    assert "3 reached the attempt limit and are marked failed" in result.output
    assert {(row.state, row.attempts) for row in outbox()} == {("failed", 3)}
    events = db.session.scalars(select(AuditEvent.event).where(AuditEvent.event.like("reminder.%")))
    assert sorted(set(events)) == ["reminder.attempt_failed", "reminder.failed"]


def test_a_row_is_claimed_by_one_sender_only(seeded, smtp_down):
    send(seeded)
    row = outbox()[0]
    later = utcnow() + timedelta(hours=2)
    assert claim(row.id, later) is True
    assert claim(row.id, later) is False  # another process arriving now finds it taken
    assert claim(row.id, later, retry_now=True) is False  # even when told to retry now


def test_a_day_is_claimed_once(app):
    with unit_of_work():
        assert claim_run(JOB, date(2016, 3, 14), "first") is not None
    with unit_of_work():
        assert claim_run(JOB, date(2016, 3, 14), "second") is None
    with unit_of_work():
        assert claim_run(JOB, date(2016, 3, 15), "next day") is not None
    runs = db.session.execute(select(JobRun.slot, JobRun.claimed_by).order_by(JobRun.slot)).all()
    assert [tuple(r) for r in runs] == [
        (date(2016, 3, 14), "first"),
        (date(2016, 3, 15), "next day"),
    ]


def test_a_header_injection_in_a_name_adds_no_header(seeded, smtp_server):
    mark = db.session.scalar(select(User).where(User.email == "mark.ellison@example.org"))
    mark.name = "Mark Ellison\r\nBcc: victim@example.org\r\nX-Injected: yes"
    db.session.commit()
    assert send(seeded).exit_code == 0
    [message] = smtp_server.to("mark.ellison@example.org")
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert "\n" not in message["To"] and "\r" not in message["To"]
    assert all("victim@example.org" not in rcpts for _, rcpts in smtp_server.envelopes)
    assert len(smtp_server.messages) == 3
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Dear Mark Ellison Bcc: victim@example.org X-Injected: yes,")
