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
    content = {
        EvidenceKind.FILE: evidence.stored_name,
        EvidenceKind.LINK: evidence.url,
        EvidenceKind.NOTE: evidence.note,
    }.get(evidence.kind)
    return bool((evidence.title or "").strip() and (content or "").strip())


def supports_completion(evidence: Evidence) -> bool:
    """Whether an action can be marked completed on this evidence."""
    return evidence.review_state != ReviewState.REJECTED and has_substance(evidence)


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
