"""Owning work is a relation any staff member can hold; reviewing needs a role that may review
plus the lead relationship (issue 12 finding 2, issue 13 item 3)."""

import pytest
from sqlalchemy import select

from tests.conftest import action_by_ref, csrf_token, form_post, sign_in
from tracker.admin.plan_details import possible_leads
from tracker.evidence.service import add_note
from tracker.extensions import db
from tracker.models import Action, Evidence, Recommendation, Role, User
from tracker.permissions import may_own_work

ADMIN = "laura.pickering@example.org"
PERFORMANCE = "rachel.booth@example.org"
COMMITTEE = "margaret.fenwick@example.org"


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _completed_action_with_evidence():
    """R3.10, completed by its owner, with a note waiting for the recommendation lead."""
    action = action_by_ref("R3.10")
    add_note(action, "Visit audit", "All visits checked", action.owner)
    action.status = "completed"
    db.session.commit()
    evidence = db.session.scalar(select(Evidence).where(Evidence.action_id == action.id))
    return action, evidence


def test_a_lead_who_became_a_committee_member_cannot_review_or_verify(seeded, client):
    action, evidence = _completed_action_with_evidence()
    lead = action.recommendation.lead
    assert client.application and sign_in(client, lead.email).status_code == 302
    lead.role = Role.COMMITTEE_MEMBER  # as it was possible before role changes checked work
    db.session.commit()
    token = csrf_token(client, f"/actions/{action.id}")
    response = client.post(
        f"/evidence/{evidence.id}/review",
        data={"csrf_token": token, "decision": "accept", "reason": ""},
    )
    assert response.status_code == 403
    assert client.get(f"/evidence/{evidence.id}/review").status_code == 403
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert f"/evidence/{evidence.id}/review" not in page
    db.session.refresh(evidence)
    db.session.refresh(action)
    assert evidence.review_state == "submitted"
    assert action.status == "completed"


def test_changing_a_leads_role_to_committee_member_lists_their_work_first(seeded, client):
    sign_in(client, ADMIN)
    lead = _user("mark.ellison@example.org")
    owned = db.session.scalars(select(Action).where(Action.owner_id == lead.id)).all()
    led = db.session.scalars(select(Recommendation).where(Recommendation.lead_id == lead.id)).all()
    assert owned or led
    url = f"/admin/people/{lead.id}/edit"
    data = {"name": lead.name, "job_title": lead.job_title, "role": "committee_member"}
    response = form_post(client, url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "A committee member cannot own or lead work: reassign it before changing the role" in page
    )
    assert f"/admin/people/{lead.id}/reassign" in page
    for rec in led:
        assert f"Recommendation {rec.reference}" in page
    db.session.refresh(lead)
    assert lead.role == "head_of_service"

    # Hand everything over, then the role can change.
    successor = _user("priya.desai@example.org")
    reassign_url = f"/admin/people/{lead.id}/reassign"
    reassign_page = client.get(reassign_url).get_data(as_text=True)
    action_ids = [str(a.id) for a in owned if f'value="{a.id}"' in reassign_page]
    form_post(
        client,
        reassign_url,
        {
            "new_owner_id": str(successor.id),
            "action_ids": action_ids,
            "recommendation_ids": [str(r.id) for r in led],
        },
    )
    form_post(client, url, data)
    db.session.refresh(lead)
    assert lead.role == "committee_member"


def test_every_action_owner_in_the_seed_can_open_the_update_page_of_each_of_their_actions(
    seeded, app
):
    actions = db.session.scalars(select(Action).where(Action.owner_id.is_not(None))).all()
    by_owner: dict[int, list[Action]] = {}
    for action in actions:
        by_owner.setdefault(action.owner_id, []).append(action)
    assert any(db.session.get(User, o).role == Role.PERFORMANCE_OFFICER for o in by_owner)
    for owner_id, owned in by_owner.items():
        owner = db.session.get(User, owner_id)
        client = app.test_client()
        assert sign_in(client, owner.email).status_code == 302, owner.email
        assert client.get("/my-actions").status_code == 200, owner.email
        for action in owned:
            status = client.get(f"/actions/{action.id}/update").status_code
            # Verified actions answer with a page explaining why they cannot change.
            expected = 409 if action.status == "verified" else 200
            assert status == expected, (owner.email, action.reference, status)


def test_a_performance_officer_updates_the_action_she_owns_and_sees_it_in_my_actions(
    seeded, client
):
    action = action_by_ref("R1.4")
    assert action.owner.email == PERFORMANCE
    sign_in(client, PERFORMANCE)
    assert "R1.4" in client.get("/my-actions").get_data(as_text=True)
    response = form_post(
        client,
        f"/actions/{action.id}/update",
        {
            "status": "in_progress",
            "note": "Warehouse test extract received",
            "version": action.version,
        },
    )
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.status == "in_progress"


@pytest.mark.parametrize(
    "url_template",
    [
        "/admin/people/{leaver}/reassign",
        "/admin/actions/{action}/edit",
        "/admin/recommendations/{rec}/edit",
    ],
)
def test_owner_lists_offer_exactly_the_people_who_may_own_work(seeded, client, url_template):
    sign_in(client, ADMIN)
    action = action_by_ref("R1.4")
    leaver = _user("gareth.pryce@example.org")
    url = url_template.format(leaver=leaver.id, rec=action.recommendation_id, action=action.id)
    html = client.get(url).get_data(as_text=True)
    people = db.session.scalars(select(User)).all()
    offered = {p.id for p in people if f'<option value="{p.id}"' in html}
    expected = {p.id for p in possible_leads() if p.id != leaver.id or "reassign" not in url}
    assert offered == expected
    assert {p.id for p in possible_leads()} == {p.id for p in people if may_own_work(p)}
    assert _user(PERFORMANCE).id in offered
    assert _user(COMMITTEE).id not in offered


def test_reminders_link_only_to_pages_the_recipient_can_use(seeded, client):
    from datetime import date

    from tracker.reminders.digest import render_digest
    from tracker.reminders.selection import select_reminders

    day = date(2016, 7, 28)  # R1.4 (Rachel Booth, performance officer) is due on 31 July
    selection = select_reminders(day)
    [digest] = [d for d in selection.digests if d.recipient.email == PERFORMANCE]
    email = render_digest(digest, selection.settings)
    action = action_by_ref("R1.4")
    link = f"/actions/{action.id}"
    assert link in email.text
    sign_in(client, PERFORMANCE)
    page = client.get(link).get_data(as_text=True)
    assert f"/actions/{action.id}/update" in page
    assert client.get(f"/actions/{action.id}/update").status_code == 200

    # Someone who cannot own work (left over from before roles were checked) gets no email
    # full of links they cannot use; the run records why, so an admin can reassign the work.
    owner = _user(PERFORMANCE)
    owner.role = Role.COMMITTEE_MEMBER
    db.session.commit()
    selection = select_reminders(day)
    assert PERFORMANCE not in {d.recipient.email for d in selection.digests}
    [skip] = [s for s in selection.skips if s.user.email == PERFORMANCE]
    assert "cannot own or lead work" in skip.reason
