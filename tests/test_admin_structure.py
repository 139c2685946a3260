"""Recommendations and actions: add, edit, reorder (references follow), delete or withdraw.

Only admins, and the plan's own lead, may change a plan's structure: everyone else gets 403
and nothing changes.
"""

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token, sign_in
from tracker.extensions import db
from tracker.models import (
    Action,
    AuditEvent,
    Plan,
    ProgressUpdate,
    Recommendation,
    User,
)

ADMIN = "laura.pickering@example.org"
PLAN_LEAD = "catherine.holloway@example.org"  # leads the seeded plan
OTHER_HEAD = "mark.ellison@example.org"
COMMITTEE = "margaret.fenwick@example.org"
PERFORMANCE = "rachel.booth@example.org"


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _plan() -> Plan:
    return db.session.scalar(select(Plan))


def _new_plan(lead: User | None = None) -> Plan:
    plan = Plan(title="Monitoring visit 2026", inspectorate="Ofsted", lead_id=lead and lead.id)
    db.session.add(plan)
    db.session.commit()
    return plan


def _refs(plan_id: int) -> list[tuple[str, str]]:
    recs = db.session.scalars(
        select(Recommendation).where(Recommendation.plan_id == plan_id).order_by("position")
    )
    result = []
    for rec in recs:
        result.append((rec.reference, rec.title))
        for action in sorted(rec.actions, key=lambda a: a.position):
            result.append((action.reference, action.description))
    return result


def _add_rec(client, plan_id: int, title: str, lead: User | None = None):
    url = f"/admin/plans/{plan_id}/recommendations/new"
    data = {
        "title": title,
        "text": f"The full text of {title}.",
        "theme": "Workforce",
        "lead_id": str(lead.id) if lead else "",
        "target_date": ["30", "9", "2026"],
        "csrf_token": csrf_token(client, url),
    }
    return client.post(url, data=data)


def _add_action(client, rec_id: int, description: str, owner: User | None = None):
    url = f"/admin/recommendations/{rec_id}/actions/new"
    data = {
        "description": description,
        "owner_id": str(owner.id) if owner else "",
        "due_date": ["31", "7", "2026"],
        "csrf_token": csrf_token(client, url),
    }
    return client.post(url, data=data)


def _rec(plan_id: int, reference: str) -> Recommendation:
    return db.session.scalar(
        select(Recommendation).where(
            Recommendation.plan_id == plan_id, Recommendation.reference == reference
        )
    )


def test_admin_adds_recommendations_and_actions_with_references_in_order(seeded, client):
    plan = _new_plan()
    sign_in(client, ADMIN)
    owner = _user(OTHER_HEAD)
    assert (
        _add_rec(client, plan.id, "Stability of social workers", _user(PLAN_LEAD)).status_code
        == 302
    )
    assert _add_rec(client, plan.id, "Management oversight").status_code == 302
    first = _rec(plan.id, "R1")
    assert (
        _add_action(client, first.id, "Recruit permanent social workers", owner).status_code == 302
    )
    _add_action(client, first.id, "Cut agency use")
    _add_action(client, _rec(plan.id, "R2").id, "Audit supervision records", owner)

    assert _refs(plan.id) == [
        ("R1", "Stability of social workers"),
        ("R1.1", "Recruit permanent social workers"),
        ("R1.2", "Cut agency use"),
        ("R2", "Management oversight"),
        ("R2.1", "Audit supervision records"),
    ]
    action = db.session.scalar(select(Action).where(Action.description == "Cut agency use"))
    assert action.owner_id is None and action.current_due_date.isoformat() == "2026-07-31"
    assert action.original_due_date == action.current_due_date
    assert first.lead_id == _user(PLAN_LEAD).id and first.theme.name == "Workforce"
    page = client.get(f"/admin/plans/{plan.id}").get_data(as_text=True)
    assert "R2.1" in page and "Audit supervision records" in page and "Mark Ellison" in page
    created = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.event == "action.created")
    )
    assert created == 3


def test_moving_renumbers_references_and_actions_follow_their_recommendation(seeded, client):
    plan = _new_plan()
    sign_in(client, ADMIN)
    for title in ("First", "Second", "Third"):
        _add_rec(client, plan.id, title)
    _add_action(client, _rec(plan.id, "R1").id, "First's action")
    _add_action(client, _rec(plan.id, "R3").id, "Third's action A")
    _add_action(client, _rec(plan.id, "R3").id, "Third's action B")
    third = _rec(plan.id, "R3")
    token = csrf_token(client, f"/admin/plans/{plan.id}")

    response = client.post(
        f"/admin/recommendations/{third.id}/move", data={"direction": "up", "csrf_token": token}
    )
    assert response.status_code == 302
    assert [r for r in _refs(plan.id)] == [
        ("R1", "First"),
        ("R1.1", "First's action"),
        ("R2", "Third"),
        ("R2.1", "Third's action A"),
        ("R2.2", "Third's action B"),
        ("R3", "Second"),
    ]
    action_b = db.session.scalar(select(Action).where(Action.description == "Third's action B"))
    client.post(f"/admin/actions/{action_b.id}/move", data={"direction": "up", "csrf_token": token})
    assert _refs(plan.id)[3:5] == [("R2.1", "Third's action B"), ("R2.2", "Third's action A")]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "recommendation.moved"))
    assert event.before == {"reference": "R3"} and event.after["reference"] == "R2"
    assert event.after["renumbered"]["R3.1"] == "R2.1"

    # Moving the first one up changes nothing.
    first = _rec(plan.id, "R1")
    client.post(
        f"/admin/recommendations/{first.id}/move", data={"direction": "up", "csrf_token": token}
    )
    assert _refs(plan.id)[0] == ("R1", "First")


def test_an_item_without_history_is_deleted_and_references_close_up(seeded, client):
    plan = _new_plan()
    sign_in(client, ADMIN)
    for title in ("Keep", "Delete me", "Also keep"):
        _add_rec(client, plan.id, title)
    _add_action(client, _rec(plan.id, "R2").id, "Goes with its recommendation")
    doomed = _rec(plan.id, "R2")
    url = f"/admin/recommendations/{doomed.id}/remove"
    page = client.get(url).get_data(as_text=True)
    assert "Delete recommendation R2" in page and "Goes with its recommendation" in page
    client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert _refs(plan.id) == [("R1", "Keep"), ("R2", "Also keep")]
    assert (
        db.session.scalar(
            select(func.count(Action.id)).where(
                Action.description == "Goes with its recommendation"
            )
        )
        == 0
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.event == "recommendation.deleted")
    )
    assert event.before["title"] == "Delete me" and len(event.before["actions"]) == 1


def test_an_action_with_progress_cannot_be_deleted_only_withdrawn_with_a_reason(seeded, client):
    sign_in(client, ADMIN)
    action = db.session.scalar(select(Action).where(Action.reference == "R1.3"))
    count = db.session.scalar(select(func.count(Action.id)))
    url = f"/admin/actions/{action.id}/remove"
    page = client.get(url).get_data(as_text=True)
    assert "Withdraw action R1.3" in page and "progress update" in page
    token = csrf_token(client, url)

    empty = client.post(url, data={"reason": "", "csrf_token": token}).get_data(as_text=True)
    assert "Enter the reason it is being withdrawn" in empty
    client.post(url, data={"reason": "Superseded by the new data strategy", "csrf_token": token})
    db.session.refresh(action)
    assert action.withdrawn_reason == "Superseded by the new data strategy"
    assert db.session.scalar(select(func.count(Action.id))) == count  # still there
    history = db.session.scalar(
        select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action.id)
        .order_by(ProgressUpdate.id.desc())
    )
    assert history.note == "Withdrawn from the plan: Superseded by the new data strategy"
    assert "Superseded by the new data strategy" in client.get(f"/actions/{action.id}").get_data(
        as_text=True
    )
    assert action.reference == "R1.3"  # withdrawing renumbers nothing

    client.post(f"/admin/actions/{action.id}/reinstate", data={"csrf_token": token})
    db.session.refresh(action)
    assert action.withdrawn_reason is None


def test_withdrawing_a_recommendation_withdraws_its_actions(seeded, client):
    sign_in(client, ADMIN)
    rec = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R4"))
    url = f"/admin/recommendations/{rec.id}/remove"
    client.post(
        url, data={"reason": "Now led by the partnership", "csrf_token": csrf_token(client, url)}
    )
    db.session.refresh(rec)
    assert rec.withdrawn_reason == "Now led by the partnership"
    assert rec.actions and all(
        a.withdrawn_reason == "Recommendation R4 withdrawn: Now led by the partnership"
        for a in rec.actions
    )


def test_editing_an_action_definition_is_audited_and_keeps_its_due_date_once_progress_exists(
    seeded, client
):
    sign_in(client, ADMIN)
    action = db.session.scalar(select(Action).where(Action.reference == "R1.3"))
    due = action.current_due_date
    url = f"/admin/actions/{action.id}/edit"
    token = csrf_token(client, url)
    page = client.get(url).get_data(as_text=True)
    assert "its due date now changes only through an update" in page
    new_owner = _user(OTHER_HEAD)
    response = client.post(
        url,
        data={
            "description": "Build the data warehouse (phase 1)",
            "owner_id": str(new_owner.id),
            "due_date": ["1", "1", "2030"],
            "version": str(action.version),
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.description == "Build the data warehouse (phase 1)"
    assert action.owner_id == new_owner.id
    assert action.current_due_date == due  # progress exists: dates move only with a reason
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "action.updated"))
    assert event.before["owner_id"] != new_owner.id and event.after["owner_id"] == new_owner.id


def test_a_stale_action_edit_is_refused_and_keeps_what_was_typed(seeded, client, app):
    sign_in(client, ADMIN)
    action = db.session.scalar(select(Action).where(Action.reference == "R2.1"))
    url = f"/admin/actions/{action.id}/edit"
    token = csrf_token(client, url)
    opened_version = action.version
    data = {
        "description": "First editor's wording",
        "owner_id": str(action.owner_id),
        "version": str(opened_version),
        "csrf_token": token,
    }
    assert client.post(url, data=data).status_code == 302
    second = client.post(url, data={**data, "description": "Second editor's wording"})
    page = second.get_data(as_text=True)
    assert second.status_code == 200
    assert "Laura Pickering changed this action" in page
    assert "Second editor&#39;s wording" in page  # what they typed is kept
    db.session.refresh(action)
    assert action.description == "First editor's wording"


@pytest.mark.parametrize("email", [OTHER_HEAD, COMMITTEE, PERFORMANCE])
def test_only_admins_and_the_plan_lead_change_structure(seeded, client, email):
    plan = _plan()
    rec = _rec(plan.id, "R1")
    action = db.session.scalar(select(Action).where(Action.reference == "R1.3"))
    before = _refs(plan.id)
    sign_in(client, email)
    token = csrf_token(client, "/plans")
    attempts = [
        ("get", f"/admin/plans/{plan.id}", {}),
        ("post", f"/admin/plans/{plan.id}/recommendations/new", {"title": "X", "text": "Y"}),
        ("post", f"/admin/recommendations/{rec.id}/edit", {"title": "X", "text": "Y"}),
        ("post", f"/admin/recommendations/{rec.id}/move", {"direction": "down"}),
        ("post", f"/admin/recommendations/{rec.id}/remove", {"reason": "No"}),
        ("post", f"/admin/recommendations/{rec.id}/actions/new", {"description": "Z"}),
        ("post", f"/admin/actions/{action.id}/edit", {"description": "Z", "version": "1"}),
        ("post", f"/admin/actions/{action.id}/move", {"direction": "down"}),
        ("post", f"/admin/actions/{action.id}/remove", {"reason": "No"}),
        ("post", f"/admin/actions/{action.id}/reinstate", {}),
        ("get", f"/admin/plans/{plan.id}/import", {}),
    ]
    assert f'href="/admin/plans/{plan.id}"' not in client.get(f"/plans/{plan.id}").get_data(
        as_text=True
    )
    for method, url, data in attempts:
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 403, (email, url)
    assert _refs(plan.id) == before
    db.session.refresh(action)
    assert action.withdrawn_reason is None


def test_the_plan_lead_changes_their_own_plan_but_not_another(seeded, client):
    plan = _plan()
    lead = _user(PLAN_LEAD)
    assert plan.lead_id == lead.id
    other = _new_plan(lead=_user(OTHER_HEAD))
    sign_in(client, PLAN_LEAD)
    manage_link = f'href="/admin/plans/{plan.id}"'
    assert manage_link in client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert f'href="/admin/plans/{other.id}"' not in client.get(f"/plans/{other.id}").get_data(
        as_text=True
    )
    assert client.get(f"/admin/plans/{plan.id}").status_code == 200
    assert _add_rec(client, plan.id, "Added by the plan lead").status_code == 302
    assert _rec(plan.id, "R12").title == "Added by the plan lead"
    assert _add_rec(client, other.id, "Not my plan").status_code == 403
    assert _refs(other.id) == []
    plans = client.get("/admin/plans").get_data(as_text=True)
    assert "Peterborough 2015: improvement plan" in plans and other.title not in plans
    # A plan lead manages structure; creating plans and people stays with admins.
    assert client.get("/admin/plans/new").status_code == 403
    assert client.get("/admin/people").status_code == 403
