"""The record every confirmed import leaves: an ImportRecord row and its audit event."""

from tracker import audit
from tracker.extensions import db
from tracker.models import ImportRecord, User, utcnow


def record_import(
    kind: str,
    event: str,
    filename: str,
    sha256: str,
    user: User | None,
    counts: tuple[int, int, int],
    changes: list,
) -> ImportRecord:
    """Add the import's record (rows added, changed and unchanged) and audit it with `changes`,
    what each changed row was before and after. The caller's unit of work commits both."""
    added, changed, unchanged = counts
    record = ImportRecord(
        kind=kind,
        filename=filename[:300],
        sha256=sha256,
        imported_at=utcnow(),
        imported_by_id=user.id if user else None,
        rows_added=added,
        rows_changed=changed,
        rows_unchanged=unchanged,
    )
    db.session.add(record)
    audit.record(
        event,
        obj=record,
        actor=user,
        after={
            "filename": filename,
            "sha256": sha256,
            "added": added,
            "changed": changed,
            "unchanged": unchanged,
            "changes": changes,
        },
    )
    return record
