"""Sending the outbox over real SMTP: once only, retried with backoff, never lost."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import SmtpInbox, _free_port, count_queries
from tracker.extensions import db
from tracker.models import AuditEvent, JobRun, ReminderOutbox, User, utcnow
from tracker.reminders import sending
from tracker.reminders.outbox import JOB, claim_run, queue_day
from tracker.reminders.sending import backoff, claim_batch, deliver_pending
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


def claimed(row_ids, now, retry_now=False) -> list[int]:
    return [email.id for email in claim_batch(row_ids, now, retry_now).emails]


@pytest.mark.parametrize("returning", [True, False], ids=["returning", "without-returning"])
def test_a_row_is_claimed_by_one_sender_only(seeded, smtp_down, monkeypatch, returning):
    # Without RETURNING (SQLite before 3.35) each row is claimed by its own UPDATE.
    monkeypatch.setattr(db.engine.dialect, "update_returning", returning)
    send(seeded)
    first, second, third = (row.id for row in outbox())
    later = utcnow() + timedelta(hours=2)
    assert claimed([first], later) == [first]
    # Another process arriving now gets only the rows nobody has taken, even with --retry-now.
    assert claimed([first, second], later) == [second]
    assert claimed([first, second, third], later, retry_now=True) == [third]
    assert claimed([first, second, third], later) == []


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


def sent_events() -> list[tuple[int, str, str, str]]:
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "reminder.sent"))
    return sorted(
        (e.object_id, e.after["to"], e.after["kind"], e.after["day"])
        for e in events
        if e.object_type == "ReminderOutbox"
    )


def test_sending_more_emails_takes_no_more_statements_and_audits_each_email(seeded, smtp_server):
    queue_day(date(2016, 3, 14), "test")
    with count_queries() as three:
        assert deliver_pending().sent == 3
    queue_day(date(2016, 3, 28), "test")
    with count_queries() as five:
        assert deliver_pending().sent == 5
    # Claimed, read and recorded per batch, not per email.
    assert len(three) == len(five)
    assert len(smtp_server.messages) == 8
    assert sent_events() == sorted(
        (row.id, row.recipient_email, row.kind, row.day.isoformat()) for row in outbox()
    )


def test_a_run_sends_batch_after_batch_over_one_connection(seeded, smtp_server, monkeypatch):
    monkeypatch.setattr(sending, "BATCH_SIZE", 2)
    queue_day(date(2016, 3, 28), "test")
    report = deliver_pending()
    assert (report.sent, report.failures) == (5, 0)
    assert len(smtp_server.messages) == 5
    assert len(set(addresses(smtp_server))) == 5
    assert {(row.state, row.attempts, row.last_error) for row in outbox()} == {("sent", 1, None)}
    assert len(sent_events()) == 5


def test_emails_whose_claim_runs_short_are_left_for_the_next_run(seeded, smtp_server, monkeypatch):
    monkeypatch.setattr(sending, "LEASE_MARGIN", sending.LEASE)  # no time left to send anything
    result = send(seeded)
    assert result.exit_code == 0, result.output
    assert "3 emails ran out of time in this run" in result.output
    assert smtp_server.messages == []
    for row in outbox():
        assert (row.state, row.attempts, row.last_error) == ("pending", 0, None)
        assert row.next_attempt_at > utcnow() + timedelta(minutes=14)  # still claimed
    monkeypatch.undo()
    assert deliver_pending(now=utcnow() + timedelta(minutes=6)).sent == 0
    assert deliver_pending(now=utcnow() + sending.LEASE + timedelta(minutes=1)).sent == 3
    assert addresses(smtp_server) == sorted(RECIPIENTS)


class RefusingInbox(SmtpInbox):
    """A real SMTP server that refuses one address, as a server does for an unknown mailbox."""

    def __init__(self, refused: str):
        super().__init__()
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_address_fails_alone_and_the_rest_of_the_batch_is_sent(seeded, monkeypatch):
    inbox = RefusingInbox(refused="mark.ellison@example.org")
    inbox.start()
    monkeypatch.setitem(seeded.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(seeded.config, "MAIL_PORT", inbox.port)
    try:
        result = send(seeded)
    finally:
        inbox.stop()
    assert result.exit_code == 1
    assert "Could not send 1 reminder emails" in result.output
    assert addresses(inbox) == sorted(RECIPIENTS - {"mark.ellison@example.org"})
    rows = {row.recipient_email: row for row in outbox()}
    mark = rows.pop("mark.ellison@example.org")
    assert (mark.state, mark.attempts, mark.sent_at) == ("pending", 1, None)
    assert "No such mailbox" in mark.last_error
    assert {(r.state, r.attempts, r.last_error) for r in rows.values()} == {("sent", 1, None)}
    assert all(r.sent_at is not None for r in rows.values())
    events = db.session.execute(
        select(AuditEvent.event, AuditEvent.object_id).where(AuditEvent.event.like("reminder.%"))
    )
    assert sorted(events) == sorted(
        [("reminder.attempt_failed", mark.id)] + [("reminder.sent", r.id) for r in rows.values()]
    )
