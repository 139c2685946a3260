"""Delivering pending outbox rows over SMTP, with retries and backoff.

Rows are sent in batches of BATCH_SIZE over one SMTP connection:

1. **Claim.** One atomic UPDATE takes the batch's rows that are still pending and due, and pushes
   their `next_attempt_at` a lease into the future. Of several processes sending at once, exactly
   one wins each row, on SQLite and on PostgreSQL alike. In the same transaction the claimed rows
   are read and their messages built; it commits before the SMTP conversation starts, so no
   transaction is open while talking to the SMTP server.
2. **Send** each claimed email, keeping what happened to it in memory.
3. **Record** what happened, in one transaction: sent rows marked sent, failed ones counted and
   pushed back, one audit event per email. Outcomes are recorded at the end of the batch, or as
   soon as the oldest one has waited RECORD_WITHIN, whichever is sooner, so a slow SMTP server
   does not hold them back for long.

A failed attempt leaves the row pending with the error, one more attempt counted, and the next
attempt pushed back (5, 10, 20, 40 minutes...); after REMINDER_MAX_ATTEMPTS it is marked failed.
A process that dies mid-batch leaves its claimed rows leased; they are retried once the lease runs
out. Emails the SMTP server had accepted but that were not yet recorded are then sent again: at
most one batch, or RECORD_WITHIN's worth of sending (docs/reminders.md says why that trade-off).
"""

import logging
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import func, insert, or_, select, update

from tracker.auth.account_tokens import with_fresh_link
from tracker.extensions import db, rows_matched
from tracker.mail import build_message, open_connection
from tracker.models import AuditEvent, ReminderOutbox, User, utcnow
from tracker.models.reminders import ACCOUNT_EMAIL_KINDS
from tracker.uow import unit_of_work

log = logging.getLogger(__name__)

BATCH_SIZE = 50
LEASE = timedelta(minutes=15)
# A claimed email is only sent while this much of its lease is left: more than one SMTP attempt
# can take (a few operations of MAIL_TIMEOUT each), so no lease runs out mid-send.
LEASE_MARGIN = timedelta(minutes=2)
RECORD_WITHIN = 1.0  # seconds an outcome may wait in memory before it is recorded
FIRST_RETRY = timedelta(minutes=5)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    gave_up: int = 0
    errors: list[str] = field(default_factory=list)
    next_attempt_at: datetime | None = None
    waiting: int = 0  # pending, but not due yet (waiting out a backoff, or being sent elsewhere)
    left_for_later: int = 0  # claimed, but their lease ran short before their turn came

    @property
    def failures(self) -> int:
        return self.retrying + self.gave_up


@dataclass(frozen=True)
class Outgoing:
    """A claimed email, read while claiming it, so sending needs no database."""

    id: int
    recipient_email: str
    kind: str
    day: date
    attempts: int  # before this one (the claim makes this process the only one counting)
    message: EmailMultiAlternatives


@dataclass(frozen=True)
class Outcome:
    email: Outgoing
    at: datetime
    error: str | None = None  # None: the SMTP server accepted it


@dataclass
class Batch:
    emails: list[Outgoing]
    claimed_at: datetime

    @property
    def send_until(self) -> datetime:
        return self.claimed_at + LEASE - LEASE_MARGIN


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


def in_batches(row_ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(row_ids), size):
        yield row_ids[start : start + size]


def claim_batch(row_ids: list[int], now: datetime, retry_now: bool = False) -> Batch:
    """Take the given rows for sending, those still pending and due; the others were taken by
    another process first (or are not due) and are left alone."""
    claimed_at = max(now, utcnow())  # the lease runs from the claim, however long the run
    with unit_of_work():
        claimed = _claim(row_ids, now, claimed_at + LEASE, retry_now)
        emails = _outgoing(claimed)
    return Batch(emails=emails, claimed_at=claimed_at)


def _claim(row_ids: list[int], now: datetime, lease_ends: datetime, retry_now: bool) -> list[int]:
    def claim_statement(ids):
        return (
            update(ReminderOutbox)
            .where(
                ReminderOutbox.id.in_(ids),
                ReminderOutbox.state == "pending",
                _due(now, retry_now),
            )
            .values(next_attempt_at=lease_ends, last_error=None)
            .execution_options(synchronize_session=False)
        )

    if db.engine.dialect.update_returning:
        return list(db.session.scalars(claim_statement(row_ids).returning(ReminderOutbox.id)))
    # SQLite before 3.35 has no RETURNING: one UPDATE per row, each telling whether it won the
    # row, all in this one transaction (so still one commit per batch).
    return [i for i in row_ids if rows_matched(db.session.execute(claim_statement([i]))) == 1]


def _outgoing(row_ids: list[int]) -> list[Outgoing]:
    """The claimed rows' messages. An account email gets its set-password link now, in the
    claim's transaction: a retry issues a fresh one (and the earlier link stops working)."""
    if not row_ids:
        return []
    query = (
        select(
            ReminderOutbox.id,
            ReminderOutbox.recipient_id,
            ReminderOutbox.recipient_email,
            ReminderOutbox.kind,
            ReminderOutbox.day,
            ReminderOutbox.attempts,
            ReminderOutbox.subject,
            ReminderOutbox.body_text,
            ReminderOutbox.body_html,
            User.name,
        )
        .join(ReminderOutbox.recipient)
        .where(ReminderOutbox.id.in_(row_ids))
        .order_by(ReminderOutbox.day, ReminderOutbox.id)
    )
    outgoing = []
    for row in db.session.execute(query).all():
        text, html = row.body_text, row.body_html
        if row.kind in ACCOUNT_EMAIL_KINDS:
            recipient = db.session.get_one(User, row.recipient_id)
            text, html = with_fresh_link(recipient, row.kind, text, html)
        outgoing.append(
            Outgoing(
                id=row.id,
                recipient_email=row.recipient_email,
                kind=row.kind,
                day=row.day,
                attempts=row.attempts,
                message=build_message(row.recipient_email, row.subject, text, html, row.name),
            )
        )
    return outgoing


def record(outcomes: list[Outcome], report: SendReport) -> None:
    """Write down what happened to each email: one transaction, one UPDATE statement (executed
    for each row) and one INSERT of the audit events (one per email)."""
    if not outcomes:
        return
    max_attempts = int(current_app.config["REMINDER_MAX_ATTEMPTS"])
    changes = [_changes(outcome, max_attempts) for outcome in outcomes]
    with unit_of_work():
        db.session.execute(update(ReminderOutbox), changes)
        db.session.execute(
            insert(AuditEvent),
            [_audit_event(o, c) for o, c in zip(outcomes, changes, strict=True)],
        )
    for outcome, change in zip(outcomes, changes, strict=True):
        _count(report, outcome, change)


def _changes(outcome: Outcome, max_attempts: int) -> dict:
    """The row's new values: sent; or failed once more, retried after a backoff or given up."""
    attempts = outcome.email.attempts + 1
    if outcome.error is None:
        return {
            "id": outcome.email.id,
            "state": "sent",
            "sent_at": outcome.at,
            "attempts": attempts,
            "next_attempt_at": None,
            "last_error": None,
        }
    gave_up = attempts >= max_attempts
    return {  # the same keys as above: the batch's rows are updated by one executemany
        "id": outcome.email.id,
        "state": "failed" if gave_up else "pending",
        "sent_at": None,
        "attempts": attempts,
        "next_attempt_at": None if gave_up else outcome.at + backoff(attempts),
        "last_error": outcome.error[:2000],
    }


def _audit_event(outcome: Outcome, change: dict) -> dict:
    """Who was emailed what, and how it went (as tracker.audit.record writes it, in bulk)."""
    email = outcome.email
    after = {
        "to": email.recipient_email,
        "kind": email.kind,
        "day": email.day.isoformat(),
        "attempts": change["attempts"],
    }
    area = "account_email" if email.kind in ACCOUNT_EMAIL_KINDS else "reminder"
    if outcome.error is None:
        event = f"{area}.sent"
    elif change["state"] == "failed":
        event = f"{area}.failed"
        after["error"] = outcome.error
    else:
        event = f"{area}.attempt_failed"
        after["error"] = outcome.error
        after["next_attempt_at"] = str(change["next_attempt_at"])
    return {
        "event": event,
        "object_type": ReminderOutbox.__name__,
        "object_id": email.id,
        "after": after,
    }


def _count(report: SendReport, outcome: Outcome, change: dict) -> None:
    if outcome.error is None:
        report.sent += 1
        return
    email = outcome.email
    log.warning(
        "Reminder to %s (%s, %s) not sent: %s",
        email.recipient_email,
        email.kind,
        email.day,
        outcome.error,
    )
    if outcome.error not in report.errors:
        report.errors.append(outcome.error)
    if change["state"] == "failed":
        report.gave_up += 1
        return
    report.retrying += 1
    retry_at = change["next_attempt_at"]
    if report.next_attempt_at is None or retry_at < report.next_attempt_at:
        report.next_attempt_at = retry_at


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

    def send(self, message: EmailMultiAlternatives) -> None:
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
            self.connection.send_messages([message])
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
        for row_ids in in_batches(due_row_ids(now, retry_now), BATCH_SIZE):
            send_batch(claim_batch(row_ids, now, retry_now), postman, report)
    finally:
        postman.close()
    report.waiting = count_waiting(utcnow())
    return report


def send_batch(batch: Batch, postman: Postman, report: SendReport) -> None:
    """Send a claimed batch, recording outcomes at the end, or before the next email once the
    oldest unrecorded one is RECORD_WITHIN old (so with a slow server, after every email)."""
    outcomes: list[Outcome] = []
    oldest = 0.0
    for position, email in enumerate(batch.emails):
        if utcnow() >= batch.send_until:
            _leave_for_later(batch.emails[position:], report)
            break
        if outcomes and time.monotonic() - oldest >= RECORD_WITHIN:
            record(outcomes, report)
            outcomes = []
        if not outcomes:
            oldest = time.monotonic()
        outcomes.append(attempt(postman, email, batch.claimed_at))
    record(outcomes, report)


def attempt(postman: Postman, email: Outgoing, claimed_at: datetime) -> Outcome:
    try:
        postman.send(email.message)
    except Exception as error:  # every failure is recorded on the row
        # Backoff counts from the attempt (a test may run the clock ahead of the real one).
        return Outcome(email, max(claimed_at, utcnow()), describe_failure(error))
    return Outcome(email, utcnow())


def _leave_for_later(emails: list[Outgoing], report: SendReport) -> None:
    """Too little of the lease is left to send these safely: they stay claimed, and any sender
    takes them once the lease has run out (within LEASE_MARGIN)."""
    log.warning(
        "%s claimed reminder emails left for the next run: their lease ran short", len(emails)
    )
    report.left_for_later += len(emails)


def count_waiting(now: datetime) -> int:
    query = select(func.count(ReminderOutbox.id)).where(
        ReminderOutbox.state == "pending",
        ReminderOutbox.next_attempt_at > now,
        ReminderOutbox.last_error.is_not(None),
    )
    return db.session.scalar(query) or 0


def describe_failure(error: Exception) -> str:
    return str(error) if isinstance(error, CannotConnect) else describe(error)
