"""Adding and reviewing evidence. The caller commits (see tracker.uow)."""

from datetime import date
from urllib.parse import urlsplit

from tracker import audit
from tracker.evidence.storage import StoredFile
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionStatus,
    Evidence,
    EvidenceKind,
    ProgressUpdate,
    ReviewState,
    User,
    utcnow,
)
from tracker.permissions import acting_for


def link_problem(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "Enter a web address that starts with http:// or https://"
    return None


def has_substance(evidence: Evidence) -> bool:
    """A title and something behind it (a stored file, a web address, a note's text): blank
    evidence, such as a note of spaces saved before forms stripped input, shows nothing."""
    by_kind: dict[str, str | None] = {
        EvidenceKind.FILE: evidence.stored_name,
        EvidenceKind.LINK: evidence.url,
        EvidenceKind.NOTE: evidence.note,
    }
    content = by_kind.get(evidence.kind)
    return bool((evidence.title or "").strip() and (content or "").strip())


def supports_completion(evidence: Evidence) -> bool:
    """Whether an action can be marked completed on this evidence."""
    return (
        not evidence.withdrawn
        and evidence.review_state != ReviewState.REJECTED
        and has_substance(evidence)
    )


def supports_verification(evidence: Evidence) -> bool:
    """Whether a verified action still stands on this evidence."""
    return supports_completion(evidence) and evidence.review_state == ReviewState.ACCEPTED


def _record(action: Action, evidence: Evidence, author: User) -> Evidence:
    if not has_substance(evidence):
        raise ValueError("Evidence needs a title and a file, a web address or a note")
    db.session.add(evidence)  # before acting_for's query flushes the session
    behalf = acting_for(author, action)
    db.session.add(
        ProgressUpdate(
            action=action,
            author=author,
            status_from=action.status,
            status_to=action.status,
            note=f"Evidence added: {evidence.title}",
            event="evidence.added",
            on_behalf_of=behalf,
        )
    )
    after = {"action_id": action.id, "kind": evidence.kind, "title": evidence.title}
    if behalf is not None:
        after["on_behalf_of_id"] = behalf.id
    audit.record("evidence.added", obj=evidence, actor=author, after=after)
    return evidence


def add_file(action: Action, title: str, stored: StoredFile, author: User) -> Evidence:
    evidence = Evidence(
        action=action,
        kind=EvidenceKind.FILE,
        title=title.strip() or stored.original_filename,
        stored_name=stored.stored_name,
        original_filename=stored.original_filename,
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        added_by=author,
    )
    return _record(action, evidence, author)


def add_link(action: Action, title: str, url: str, author: User) -> Evidence:
    evidence = Evidence(
        action=action, kind=EvidenceKind.LINK, title=title.strip(), url=url.strip(), added_by=author
    )
    return _record(action, evidence, author)


def add_note(action: Action, title: str, note: str, author: User) -> Evidence:
    evidence = Evidence(
        action=action,
        kind=EvidenceKind.NOTE,
        title=title.strip(),
        note=note.strip(),
        added_by=author,
    )
    return _record(action, evidence, author)


def review(evidence: Evidence, accept: bool, reason: str, reviewer: User, today: date) -> None:
    """Accept or reject; accepting evidence on a completed action verifies the action."""
    action = evidence.action
    before = {"review_state": evidence.review_state, "action_status": action.status}
    evidence.review_state = ReviewState.ACCEPTED if accept else ReviewState.REJECTED
    evidence.reviewed_by = reviewer
    evidence.reviewed_at = utcnow()
    evidence.review_reason = reason.strip() or None
    status_from = action.status
    if accept and action.status == ActionStatus.COMPLETED:
        action.status = ActionStatus.VERIFIED
        action.verified_on = today
        action.updated_at = utcnow()
        action.updated_by = reviewer
    verdict = "accepted" if accept else "rejected"
    note = f"Evidence {verdict}: {evidence.title}"
    if evidence.review_reason:
        note += f". {evidence.review_reason}"
    if action.status == ActionStatus.VERIFIED and status_from != ActionStatus.VERIFIED:
        note += ". The action is verified."
    db.session.add(
        ProgressUpdate(
            action=action,
            author=reviewer,
            status_from=status_from,
            status_to=action.status,
            note=note,
            event=f"evidence.{verdict}",
        )
    )
    audit.record(
        f"evidence.{verdict}",
        obj=evidence,
        actor=reviewer,
        before=before,
        after={"review_state": evidence.review_state, "action_status": action.status},
    )


AWAITING_EVIDENCE = "The action is back to completed, awaiting evidence."


def _reopen_if_unsupported(action: Action, gone: Evidence, by: User) -> bool:
    """A completed or verified action that stood on evidence now gone goes back to "completed,
    awaiting evidence", which puts it on the lead's review list. True if it changed."""
    rest = [e for e in action.evidence if e is not gone]
    if action.status == ActionStatus.VERIFIED and not any(supports_verification(e) for e in rest):
        action.status = ActionStatus.COMPLETED
        action.verified_on = None
        action.updated_at = utcnow()
        action.updated_by = by
        return True
    return action.status == ActionStatus.COMPLETED and not any(supports_completion(e) for e in rest)


def _trail(evidence: Evidence) -> dict:
    """What the audit keeps of evidence that is going: never its content."""
    return {
        "action_id": evidence.action_id,
        "kind": evidence.kind,
        "title": evidence.title,
        "original_filename": evidence.original_filename,
        "sha256": evidence.sha256,
        "review_state": evidence.review_state,
    }


def _note_going(evidence: Evidence, verb: str, reason: str, by: User, status_from: str) -> None:
    action = evidence.action
    reopened = _reopen_if_unsupported(action, evidence, by)
    note = f"Evidence {verb}: {evidence.title}. {reason}"
    if reopened:
        note += f" {AWAITING_EVIDENCE}"
    db.session.add(
        ProgressUpdate(
            action=action,
            author=by,
            status_from=status_from,
            status_to=action.status,
            note=note,
            event=f"evidence.{verb}",
        )
    )


def _audit_going(
    evidence: Evidence, event: str, trail: dict, reason: str, status_from: str, by: User
) -> None:
    audit.record(
        event,
        obj=evidence,
        actor=by,
        before={"action_status": status_from},
        after={**trail, "reason": reason, "action_status": evidence.action.status},
    )


def withdraw(evidence: Evidence, reason: str, by: User) -> str | None:
    """Withdraw evidence: its title and checksum stay, its content goes (a note's text, a link's
    address, and - once the caller has committed - the file's bytes, by delete_stored on the name
    returned). Raises ValueError without a reason."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Enter the reason for withdrawing the evidence")
    action = evidence.action
    status_from = action.status
    stored_name = evidence.stored_name
    trail = _trail(evidence)
    evidence.withdrawn_at = utcnow()
    evidence.withdrawn_by = by
    evidence.withdrawn_reason = reason
    evidence.stored_name = None
    evidence.note = None
    evidence.url = None
    _note_going(evidence, "withdrawn", reason, by, status_from)
    _audit_going(evidence, "evidence.withdrawn", trail, reason, status_from, by)
    return stored_name


def purge(evidence: Evidence, reason: str, by: User) -> str | None:
    """Remove evidence altogether, on request: the record goes as well as its content; the audit
    keeps who, when, why, the title and the checksum. Returns the stored file's name for the caller
    to delete once committed."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Enter the reason for purging the evidence")
    action = evidence.action
    status_from = action.status
    stored_name = evidence.stored_name
    trail = _trail(evidence)
    _note_going(evidence, "purged", reason, by, status_from)
    _audit_going(evidence, "evidence.purged", trail, reason, status_from, by)
    action.evidence.remove(evidence)
    db.session.delete(evidence)
    return stored_name
