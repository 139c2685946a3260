"""Claiming a day's run and writing its digests to the outbox, in one transaction.

The run is claimed by inserting a JobRun row (unique per job and day). A second process, or a
second scheduler, gets an IntegrityError on that insert and queues nothing: so a day's digests
are written once, however many runs start. The outbox rows are themselves unique per
(recipient, kind, day), and existing ones are left alone, as a second line of defence.
"""

import logging
import os
import socket
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from tracker import audit
from tracker.extensions import db
from tracker.models import JobRun, ReminderOutbox, ReminderSkip, utcnow
from tracker.reminders.digest import Email, Links, render_digest
from tracker.reminders.selection import Digest, Selection, Skip, select_reminders
from tracker.uow import unit_of_work

JOB = "daily-reminders"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueResult:
    day: date
    digests: int
    skips: int


def process_name(source: str) -> str:
    return f"{source} on {socket.gethostname()}, pid {os.getpid()}"


def claim_run(job: str, slot: date, claimed_by: str) -> JobRun | None:
    """Claim (job, slot) with a real INSERT; None if another run already has it.

    Call first in a unit of work: on a clash the transaction is rolled back.
    """
    run = JobRun(job=job, slot=slot, claimed_by=claimed_by[:200])
    db.session.add(run)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    return run


def run_already_claimed(job: str, slot: date) -> JobRun | None:
    return db.session.scalar(select(JobRun).where(JobRun.job == job, JobRun.slot == slot))


def queue_day(day: date, claimed_by: str) -> QueueResult | None:
    """Claim the day and write its digests and skips; None if the day was already claimed."""
    with unit_of_work():
        run = claim_run(JOB, day, claimed_by)
        if run is None:
            return None
        selection = select_reminders(day)
        digests, skips = write_outbox(selection)
        run.finished_at = utcnow()
        run.outcome = f"{digests} digests queued, {skips} skipped"
        audit.record(
            "reminders.queued",
            obj=run,
            after={"day": day.isoformat(), "digests": digests, "skipped": skips},
        )
    return QueueResult(day=day, digests=digests, skips=skips)


def write_outbox(selection: Selection) -> tuple[int, int]:
    """Add pending outbox rows and skip records for a selection; returns how many of each.

    Both are bulk inserts (a day's run at national scale writes a thousand digests)."""
    day = selection.day
    queued = _keys(
        select(ReminderOutbox.recipient_id, ReminderOutbox.kind), ReminderOutbox.day, day
    )
    skipped = _keys(select(ReminderSkip.user_id, ReminderSkip.kind), ReminderSkip.day, day)
    links = Links()
    emails = [
        outbox_row(digest, render_digest(digest, selection.settings, links), day)
        for digest in selection.digests
        if (digest.recipient.id, digest.kind.value) not in queued
    ]
    skips = [
        skip_row(skip, day)
        for skip in selection.skips
        if (skip.user.id, skip.kind.value) not in skipped
    ]
    for model, rows in ((ReminderOutbox, emails), (ReminderSkip, skips)):
        if rows:
            db.session.execute(insert(model), rows)
    return len(emails), len(skips)


def outbox_row(digest: Digest, email: Email, day: date) -> dict:
    return {
        "recipient_id": digest.recipient.id,
        "recipient_email": digest.recipient.email.strip(),
        "kind": digest.kind.value,
        "day": day,
        "state": "pending",
        "subject": email.subject,
        "body_text": email.text,
        "body_html": email.html,
        "action_ids": digest.action_ids,
        "attempts": 0,
    }


def skip_row(skip: Skip, day: date) -> dict:
    log.info("Skipped %s (%s) for %s: %s", skip.user.email, skip.kind.value, day, skip.reason)
    return {
        "user_id": skip.user.id,
        "kind": skip.kind.value,
        "day": day,
        "reason": skip.reason,
        "action_ids": list(skip.action_ids),
    }


def _keys(query, day_column, day: date) -> set[tuple[int, str]]:
    return {(user_id, kind) for user_id, kind in db.session.execute(query.where(day_column == day))}
