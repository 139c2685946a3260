"""How many pieces of evidence and pending import uploads a person, and the whole tracker, may
hold: limits on what anyone signed in can make the server store (docs/security.md, "Sign-in and
upload limits"). Each refusal is a sentence for the person who hit it."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Evidence, User, utcnow


class QuotaExceeded(Exception):
    """A limit was reached; the message says which, and what to do."""


def check_evidence_quota(person: User) -> None:
    """Raise QuotaExceeded if this person, or the tracker, may not add more evidence now."""
    config = current_app.config
    per_person = int(config["EVIDENCE_MAX_PER_PERSON_PER_DAY"])
    since = utcnow() - timedelta(days=1)
    added = (
        db.session.scalar(
            select(func.count(Evidence.id)).where(
                Evidence.added_by_id == person.id, Evidence.added_at >= since
            )
        )
        or 0
    )
    if added >= per_person:
        raise QuotaExceeded(
            f"You have added {per_person:,} pieces of evidence in the last 24 hours, the most "
            "allowed. Try again tomorrow, or ask an admin if you need to add more."
        )
    total = int(config["EVIDENCE_MAX_TOTAL"])
    if (db.session.scalar(select(func.count(Evidence.id))) or 0) >= total:
        raise QuotaExceeded(
            f"The tracker holds {total:,} pieces of evidence, the most it is set up for, so no "
            "more can be added. Nothing has been saved: tell an admin."
        )


def check_pending_upload_quota(person_id: int, pending_owners: list[int]) -> None:
    """Raise QuotaExceeded if this person, or everyone together, has too many import uploads
    waiting for confirmation. `pending_owners` holds the owner of each waiting upload."""
    config = current_app.config
    per_person = int(config["IMPORT_PENDING_MAX_PER_PERSON"])
    if pending_owners.count(person_id) >= per_person:
        raise QuotaExceeded(
            f"You have {per_person} uploads waiting to be imported, the most allowed. Import or "
            "cancel one of them, then try again (uploads not imported are removed after a day)."
        )
    total = int(config["IMPORT_PENDING_MAX_TOTAL"])
    if len(pending_owners) >= total:
        raise QuotaExceeded(
            f"There are {total} uploads waiting to be imported across the tracker, the most "
            "allowed. Try again later, or ask an admin."
        )
