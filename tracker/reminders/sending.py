"""Delivering pending outbox rows over SMTP, with retries and backoff.

Each row is claimed before it is sent by one atomic UPDATE that only succeeds while the row is
still pending and due; the claim pushes `next_attempt_at` a lease into the future. Of several
processes sending at once, exactly one wins each row, on SQLite and on PostgreSQL alike, and no
transaction is held open while talking to the SMTP server.

A failed attempt leaves the row pending with the error, one more attempt counted, and the next
attempt pushed back (5, 10, 20, 40 minutes...); after REMINDER_MAX_ATTEMPTS it is marked failed.
A process that dies mid-send leaves the row claimed until the lease runs out, then it is retried.
"""

import logging
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from tracker import audit
from tracker.extensions import db
from tracker.mail import build_message, open_connection
from tracker.models import ReminderOutbox, utcnow
from tracker.uow import unit_of_work

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)  # far longer than one SMTP conversation (MAIL_TIMEOUT)
FIRST_RETRY = timedelta(minutes=5)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    gave_up: int = 0
    errors: list[str] = field(default_factory=list)
    next_attempt_at: datetime | None = None
    waiting: int = 0  # pending, but not due yet (waiting out a backoff, or being sent elsewhere)

    @property
    def failures(self) -> int:
        return self.retrying + self.gave_up


def backoff(attempts: int) -> timedelta:
    """How long to wait after the given number of failed attempts: 5, 10, 20, 40... minutes."""
    return FIRST_RETRY * 2 ** max(0, attempts - 1)


def _due(now: datetime, retry_now: bool):
    conditions = [ReminderOutbox.next_attempt_at.is_(None), ReminderOutbox.next_attempt_at <= now]
    if retry_now:
        # A row waiting out its backoff has last_error set; a row another process is sending
        # right now has it cleared by the claim, so --retry-now never takes a row in flight.
        conditions.append(ReminderOutbox.last_error.is_not(None))
    return or_(*conditions)


def due_row_ids(now: datetime, retry_now: bool = False) -> list[int]:
    query = (
        select(ReminderOutbox.id)
        .where(ReminderOutbox.state == "pending", _due(now, retry_now))
        .order_by(ReminderOutbox.day, ReminderOutbox.id)
    )
    return list(db.session.scalars(query))


def claim(row_id: int, now: datetime, retry_now: bool = False) -> bool:
    """Take one row for sending; False if another process took it first or it is not due."""
    with unit_of_work():
        result = db.session.execute(
            update(ReminderOutbox)
            .where(
                ReminderOutbox.id == row_id,
                ReminderOutbox.state == "pending",
                _due(now, retry_now),
            )
            .values(next_attempt_at=now + LEASE, last_error=None)
            .execution_options(synchronize_session=False)
        )
    return result.rowcount == 1


def load_row(row_id: int) -> ReminderOutbox:
    db.session.expire_all()
    query = (
        select(ReminderOutbox)
        .where(ReminderOutbox.id == row_id)
        .options(joinedload(ReminderOutbox.recipient))
    )
    return db.session.scalar(query)


def message_for(row: ReminderOutbox):
    return build_message(
        row.recipient_email, row.subject, row.body_text, row.body_html, row.recipient.name
    )


def record_sent(row: ReminderOutbox) -> None:
    with unit_of_work():
        row.state = "sent"
        row.sent_at = utcnow()
        row.attempts += 1
        row.next_attempt_at = None
        row.last_error = None
        audit.record("reminder.sent", obj=row, after=_summary(row))


def record_failure(row: ReminderOutbox, error: str, now: datetime) -> bool:
    """Count a failed attempt; True if the row will be retried, False if it has now failed."""
    max_attempts = int(current_app.config["REMINDER_MAX_ATTEMPTS"])
    with unit_of_work():
        row.attempts += 1
        row.last_error = error[:2000]
        if row.attempts >= max_attempts:
            row.state = "failed"
            row.next_attempt_at = None
            audit.record("reminder.failed", obj=row, after={**_summary(row), "error": error})
            return False
        row.next_attempt_at = now + backoff(row.attempts)
        audit.record(
            "reminder.attempt_failed",
            obj=row,
            after={**_summary(row), "error": error, "next_attempt_at": str(row.next_attempt_at)},
        )
        return True


def _summary(row: ReminderOutbox) -> dict:
    return {
        "to": row.recipient_email,
        "kind": row.kind,
        "day": row.day.isoformat(),
        "attempts": row.attempts,
    }


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}".strip()


class CannotConnect(Exception):
    """The SMTP server could not be reached; the message says which and why."""


class Postman:
    """One SMTP connection for a run, opened when first needed. If it cannot be opened, the
    rest of the run's rows fail with the same error rather than each waiting for a timeout."""

    def __init__(self):
        self.connection = None
        self.cannot_connect: str | None = None

    def send(self, row: ReminderOutbox) -> None:
        if self.cannot_connect:
            raise CannotConnect(self.cannot_connect)
        if self.connection is None:
            config = current_app.config
            try:
                self.connection = open_connection()
            except Exception as error:
                self.cannot_connect = (
                    f"Could not connect to the SMTP server {config['MAIL_SERVER']}:"
                    f"{config['MAIL_PORT']} ({describe(error)})"
                )
                raise CannotConnect(self.cannot_connect) from error
        try:
            self.connection.send_messages([message_for(row)])
        except Exception:
            self.close()  # the connection may be half-broken; open a fresh one for the next row
            raise

    def close(self) -> None:
        if self.connection is not None:
            with suppress(Exception):  # closing a broken connection may fail too
                self.connection.close()
            self.connection = None


def deliver_pending(now: datetime | None = None, retry_now: bool = False) -> SendReport:
    """Send every pending row that is due. Never raises for an SMTP problem: it is recorded."""
    now = now or utcnow()
    report = SendReport()
    postman = Postman()
    try:
        for row_id in due_row_ids(now, retry_now):
            if not claim(row_id, now, retry_now):
                continue
            row = load_row(row_id)
            try:
                postman.send(row)
            except Exception as error:  # every failure is recorded on the row
                _count_failure(report, row, describe_failure(error), now)
            else:
                record_sent(row)
                report.sent += 1
    finally:
        postman.close()
    report.waiting = count_waiting(utcnow())
    return report


def count_waiting(now: datetime) -> int:
    query = select(func.count(ReminderOutbox.id)).where(
        ReminderOutbox.state == "pending",
        ReminderOutbox.next_attempt_at > now,
        ReminderOutbox.last_error.is_not(None),
    )
    return db.session.scalar(query) or 0


def describe_failure(error: Exception) -> str:
    return str(error) if isinstance(error, CannotConnect) else describe(error)


def _count_failure(report: SendReport, row: ReminderOutbox, error: str, now: datetime) -> None:
    log.warning(
        "Reminder to %s (%s, %s) not sent: %s", row.recipient_email, row.kind, row.day, error
    )
    if error not in report.errors:
        report.errors.append(error)
    if record_failure(row, error, now):
        report.retrying += 1
        if report.next_attempt_at is None or row.next_attempt_at < report.next_attempt_at:
            report.next_attempt_at = row.next_attempt_at
    else:
        report.gave_up += 1
