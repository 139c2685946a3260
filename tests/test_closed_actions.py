"""Archived plans, withdrawn actions and verified actions refuse updates, evidence and reviews
by POST, with a clear message, not just a hidden button (issue 12 finding 8, issue 13 item 5)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories as make
from tests.conftest import csrf_token, sign_in
from tracker.evidence.service import add_note
from tracker.extensions import db
from tracker.models import Evidence, ProgressUpdate, Role

OWNER = "owner"  # owns R3.10
LEAD = "lead"  # leads R3
ADMIN = "admin"


def _r3_10():
    """Action R3.10 with its owner, recommendation R3's lead and an admin: all these tests need."""
    people = {
        OWNER: make.person(Role.HEAD_OF_SERVICE),
        LEAD: make.person(Role.HEAD_OF_SERVICE),
        ADMIN: make.person(Role.ADMIN),
    }
    plan = make.plan(lead=people[LEAD])
    make.recommendation(plan)
    make.recommendation(plan)
    r3 = make.recommendation(plan, people[LEAD])
    action = make.action(r3, people[OWNER], reference="R3.10", due=date(2016, 6, 30))
    return action, {role: person.email for role, person in people.items()}


def _archive(action):
    action.recommendation.plan.status = "archived"


def _withdraw(action):
    action.withdrawn_reason = "Merged into R3.9"


def _verify(action):
    action.status = "verified"


CLOSINGS = {
    "archived plan": (_archive, "is archived, so its actions cannot be updated"),
    "withdrawn action": (_withdraw, "R3.10 has been withdrawn, so it cannot be updated"),
    "verified action": (_verify, "R3.10 has been verified, so it can no longer be updated"),
}


def _counts():
    return (
        db.session.scalar(select(func.count(ProgressUpdate.id))),
        db.session.scalar(select(func.count(Evidence.id))),
        tuple(db.session.scalars(select(Evidence.review_state).order_by(Evidence.id))),
    )


@pytest.mark.parametrize("closing", list(CLOSINGS))
@pytest.mark.parametrize("who", [OWNER, ADMIN])
def test_closed_actions_refuse_updates_and_evidence(app, client, closing, who):
    action, emails = _r3_10()
    add_note(action, "Visit audit", "All visits checked", action.owner)
    db.session.commit()
    sign_in(client, emails[who])
    # Tokens from pages this person can open while the action is still open.
    token = csrf_token(client, f"/actions/{action.id}/update")
    close, message = CLOSINGS[closing]
    close(action)
    db.session.commit()
    before = _counts()
    posts = {
        f"/actions/{action.id}/update": {
            "status": "blocked",
            "note": "Should not be saved",
            "version": str(action.version),
        },
        f"/actions/{action.id}/evidence/note": {"title": "Late", "note": "Should not be saved"},
        f"/actions/{action.id}/evidence/link": {"title": "Late", "url": "https://example.org"},
        f"/actions/{action.id}/evidence/file": {"title": "Late"},
    }
    for url, data in posts.items():
        response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code == 409, (url, response.status_code)
        html = response.get_data(as_text=True)
        assert message in html and "Nothing has been saved" in html, url
        assert client.get(url).status_code == 409, url
    db.session.expire_all()
    assert _counts() == before
    html = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Update this action" not in html and "Add evidence" not in html


@pytest.mark.parametrize("closing", list(CLOSINGS))
def test_closed_actions_refuse_reviews(app, client, closing):
    action, emails = _r3_10()
    add_note(action, "Visit audit", "All visits checked", action.owner)
    action.status = "completed"
    db.session.commit()
    evidence = db.session.scalar(select(Evidence).where(Evidence.action_id == action.id))
    sign_in(client, emails[LEAD])
    token = csrf_token(client, f"/evidence/{evidence.id}/review")
    close, message = CLOSINGS[closing]
    close(action)
    db.session.commit()
    before = _counts()
    response = client.post(
        f"/evidence/{evidence.id}/review",
        data={"csrf_token": token, "decision": "reject", "reason": "Should not be saved"},
    )
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert _counts() == before
