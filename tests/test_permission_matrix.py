"""Role x endpoint x method: who may read and change an action and its evidence (incl. IDOR)."""

import pytest
from sqlalchemy import func, select

from tests.conftest import action_by_ref, csrf_token, sign_in
from tracker.evidence.storage import store
from tracker.extensions import db
from tracker.models import Evidence, EvidenceKind, ProgressUpdate, User

ACTORS = {
    "anonymous": None,
    "committee": "margaret.fenwick@example.org",
    "owner": "gareth.pryce@example.org",
    "other_head": "priya.desai@example.org",
    "lead": "mark.ellison@example.org",
    "performance": "rachel.booth@example.org",
    "admin": "laura.pickering@example.org",
}
ALL = set(ACTORS) - {"anonymous"}
EDITORS = {"owner", "admin"}

# endpoint template -> who gets 200 on GET (everyone else signed in gets 403; anonymous 302)
GET_RULES = {
    "/actions/{action}": ALL,
    "/actions/{action}/update": EDITORS,
    "/actions/{action}/evidence": EDITORS,
    "/actions/{action}/evidence/file": EDITORS,
    "/actions/{action}/evidence/link": EDITORS,
    "/actions/{action}/evidence/note": EDITORS,
    "/evidence/{evidence}/download": {"owner", "other_head", "lead", "performance", "admin"},
    "/evidence/{evidence}/review": {"lead", "admin"},
    # Its uploader (the owner) while unreviewed; the recommendation lead or an admin any time.
    "/evidence/{evidence}/withdraw": {"owner", "lead", "admin"},
    "/evidence/{evidence}/purge": {"admin"},
    "/my-actions": {"owner", "other_head", "lead", "performance", "admin"},
}

POSTS = {
    "/actions/{action}/update": {"status": "blocked", "note": "Should not be saved"},
    "/actions/{action}/evidence/note": {"title": "Sneaky", "note": "Should not be saved"},
    "/actions/{action}/evidence/link": {"title": "Sneaky", "url": "https://example.org"},
    "/evidence/{evidence}/review": {"decision": "reject", "reason": "Should not be saved"},
    "/evidence/{evidence}/withdraw": {"reason": "Should not be saved"},
    "/evidence/{evidence}/purge": {"reason": "Should not be saved"},
}


@pytest.fixture
def target(seeded):
    action = action_by_ref("R3.10")
    owner = db.session.scalar(select(User).where(User.email == ACTORS["owner"]))
    stored = store(b"%PDF-1.4 audit", "audit.pdf")
    evidence = Evidence(
        action=action,
        kind=EvidenceKind.FILE,
        title="Audit",
        added_by=owner,
        stored_name=stored.stored_name,
        original_filename="audit.pdf",
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
    )
    db.session.add(evidence)
    db.session.commit()
    return {"action": action.id, "evidence": evidence.id, "version": action.version}


def client_for(app, actor):
    client = app.test_client()
    if ACTORS[actor]:
        assert sign_in(client, ACTORS[actor]).status_code == 302
    return client


@pytest.mark.parametrize("actor", list(ACTORS))
def test_get_matrix(seeded, target, actor):
    client = client_for(seeded, actor)
    for template, allowed in GET_RULES.items():
        url = template.format(**target)
        status = client.get(url).status_code
        expected = 302 if actor == "anonymous" else 200 if actor in allowed else 403
        assert status == expected, (actor, url, status)


def _snapshot():
    return (
        db.session.scalar(select(func.count(ProgressUpdate.id))),
        db.session.scalar(select(func.count(Evidence.id))),
        tuple(
            db.session.execute(
                select(Evidence.review_state, Evidence.title, Evidence.withdrawn_at)
            ).all()
        ),
    )


@pytest.mark.parametrize("actor", ["committee", "other_head", "performance", "lead"])
def test_forbidden_posts_change_nothing(seeded, target, actor):
    client = client_for(seeded, actor)
    before = _snapshot()
    # A page this actor may see, to get a valid CSRF token for the attempt.
    token = csrf_token(client, f"/actions/{target['action']}")
    for template, data in POSTS.items():
        if actor == "lead" and template.startswith("/evidence/") and "purge" not in template:
            continue  # the lead may review and withdraw evidence
        url = template.format(**target)
        response = client.post(
            url, data={"csrf_token": token, "version": target["version"], **data}
        )
        assert response.status_code == 403, (actor, url, response.status_code)
    db.session.expire_all()
    assert _snapshot() == before


def test_another_owners_action_cannot_be_reached_by_changing_the_id(seeded, target):
    """IDOR: the owner of R3.10 tries R5.4, which belongs to someone else."""
    client = client_for(seeded, "owner")
    other = action_by_ref("R5.4")
    assert client.get(f"/actions/{other.id}/update").status_code == 403
    token = csrf_token(client, f"/actions/{target['action']}/update")
    response = client.post(
        f"/actions/{other.id}/update",
        data={"csrf_token": token, "status": "blocked", "note": "hijack", "version": other.version},
    )
    assert response.status_code == 403
    db.session.refresh(other)
    assert other.status == "in_progress"
