"""Heads of service keep their actions up to date; nothing is overwritten."""

from datetime import date

from sqlalchemy import select

from tests.conftest import action_by_ref, count_queries, csrf_token, form_post, sign_in
from tracker.extensions import db
from tracker.models import Action, AuditEvent, Evidence, ProgressUpdate, User

OWNER = "gareth.pryce@example.org"  # Interim Head of Service for Children in Care
LEAD = "mark.ellison@example.org"  # Assistant Director: lead for R3


def page(client, url):
    return client.get(url).get_data(as_text=True)


def update(client, action, **fields):
    data = {"status": action.status, "note": "", "version": str(action.version), **fields}
    return form_post(client, f"/actions/{action.id}/update", data)


def test_my_actions_lists_overdue_first_with_counts(seeded, client, as_at):
    as_at(date(2016, 4, 5))
    sign_in(client, OWNER)
    assert client.get("/").headers["Location"] == "/my-actions"
    html = page(client, "/my-actions")
    assert html.index("Overdue (") < html.index("Everything else (")
    overdue_section = html[
        html.index("Overdue (") : html.index("Due in the next 14 days")
        if "Due in the next 14 days" in html
        else html.index("Everything else (")
    ]
    assert "R3.10" in overdue_section
    assert "R5.4" not in html  # another owner's action
    assert "<strong>3</strong> overdue" in html  # R3.10, R6.1 and R6.3 were due on 31 March
    owned = db.session.scalars(select(Action).join(Action.owner).where(User.email == OWNER)).all()
    assert f"<strong>{len(owned)}</strong> actions" in html


def test_my_actions_filters_by_status(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    sign_in(client, OWNER)
    html = page(client, "/my-actions?status=completed")
    assert "R5.3" in html and "R3.10" not in html
    assert "matching the filters" in html


def test_an_update_appends_to_history_and_keeps_the_original_date(seeded, client, as_at):
    as_at(date(2016, 4, 5))
    action = action_by_ref("R3.10")
    version = action.version
    sign_in(client, OWNER)
    response = update(
        client,
        action,
        note="Team managers now check visit records weekly.",
        new_due_date=["30", "4", "2016"],
        due_change_reason="Interim head of service started in January; new checks need a month.",
    )
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.current_due_date == date(2016, 4, 30)
    assert action.original_due_date == date(2016, 3, 31)
    assert action.version == version + 1
    latest = db.session.scalars(
        select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action.id)
        .order_by(ProgressUpdate.id.desc())
    ).first()
    assert latest.due_from == date(2016, 3, 31) and latest.due_to == date(2016, 4, 30)
    assert "weekly" in latest.note
    assert (
        db.session.scalar(
            select(db.func.count(ProgressUpdate.id)).where(ProgressUpdate.action_id == action.id)
        )
        == 2
    )  # the seeded note is still there
    html = page(client, f"/actions/{action.id}")
    assert "Due date moved from 31 March 2016 to 30 April 2016" in html
    assert "Team managers now check visit records weekly." in html
    assert "Due date moved by 30 days" in html  # amber: slipped past its original date
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "action.updated"))


def test_blocking_or_moving_the_date_needs_a_note_and_a_reason(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    blocked = update(client, action, status="blocked")
    html = blocked.get_data(as_text=True)
    assert blocked.status_code == 200 and "<title>Error: " in html
    assert "Enter a progress note saying what is blocking the action" in html
    moved = update(client, action, note="Typed words to keep", new_due_date=["1", "6", "2016"])
    html = moved.get_data(as_text=True)
    assert "Enter the reason the due date is changing" in html
    assert "Typed words to keep" in html and 'value="6"' in html and 'value="2016"' in html
    impossible = update(client, action, note="x", new_due_date=["31", "2", "2016"])
    assert "New due date must be a real date" in impossible.get_data(as_text=True)
    db.session.refresh(action)
    assert action.status == "in_progress" and action.current_due_date == date(2016, 3, 31)


def test_completing_needs_evidence_then_the_lead_verifies(seeded, client, as_at):
    as_at(date(2016, 3, 20))
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    refused = update(client, action, status="completed", note="All visits now on time.")
    assert "Add at least one piece of evidence" in refused.get_data(as_text=True)

    form_post(
        client,
        f"/actions/{action.id}/evidence/note",
        {"title": "Visit audit, March 2016", "note": "42 of 42 visits in time."},
    )
    db.session.refresh(action)
    assert (
        update(client, action, status="completed", note="All visits now on time.").status_code
        == 302
    )
    db.session.refresh(action)
    assert action.status == "completed" and action.completed_on == date(2016, 3, 20)

    evidence = db.session.scalar(select(Evidence).where(Evidence.action_id == action.id))
    # The owner cannot review their own evidence.
    assert client.get(f"/evidence/{evidence.id}/review").status_code == 403

    lead = client.application.test_client()
    sign_in(lead, LEAD)
    rejected = form_post(lead, f"/evidence/{evidence.id}/review", {"decision": "reject"})
    assert "Enter the reason for rejecting the evidence" in rejected.get_data(as_text=True)
    accepted = form_post(lead, f"/evidence/{evidence.id}/review", {"decision": "accept"})
    assert accepted.status_code == 302
    db.session.refresh(action)
    assert action.status == "verified" and action.verified_on == date(2016, 3, 20)
    html = page(lead, f"/actions/{action.id}")
    assert "app-rag--blue" in html and "Evidence accepted: Visit audit, March 2016" in html
    # A verified action is closed to further updates.
    assert "Update this action" not in page(client, f"/actions/{action.id}")


def test_a_stale_save_is_refused_and_keeps_what_was_typed(seeded, client):
    action = action_by_ref("R3.10")
    admin = client.application.test_client()
    sign_in(client, OWNER)
    sign_in(admin, "laura.pickering@example.org")
    owner_token = csrf_token(client, f"/actions/{action.id}/update")
    admin_token = csrf_token(admin, f"/actions/{action.id}/update")
    loaded_version = str(action.version)

    first = admin.post(
        f"/actions/{action.id}/update",
        data={
            "csrf_token": admin_token,
            "status": "blocked",
            "version": loaded_version,
            "note": "Waiting for the new data feed.",
        },
    )
    assert first.status_code == 302
    second = client.post(
        f"/actions/{action.id}/update",
        data={
            "csrf_token": owner_token,
            "status": "in_progress",
            "version": loaded_version,
            "note": "My careful note about visits.",
        },
    )
    html = second.get_data(as_text=True)
    assert second.status_code == 200
    assert "Your update has not been saved" in html
    assert "Laura Pickering changed this action" in html
    assert "My careful note about visits." in html
    assert 'value="in_progress" checked' in html or 'checked value="in_progress"' in html
    db.session.refresh(action)
    assert action.status == "blocked"
    notes = set(
        db.session.scalars(select(ProgressUpdate.note).where(ProgressUpdate.action_id == action.id))
    )
    assert "My careful note about visits." not in notes


def test_posted_owner_and_ids_are_ignored(seeded, client):
    action = action_by_ref("R3.10")
    owner_id = action.owner_id
    sign_in(client, OWNER)
    update(client, action, note="Progress.", owner_id="1", recommendation_id="1", id="999")
    db.session.refresh(action)
    assert action.owner_id == owner_id and action.id != 999


def _give_actions(owner: User, count: int) -> None:
    rec = action_by_ref("R3.10").recommendation
    for n in range(count):
        db.session.add(
            Action(
                recommendation_id=rec.id,
                position=200 + n,
                reference=f"R3.Z{n}",
                description=f"Generated {n}",
                owner_id=owner.id,
                status="in_progress",
                current_due_date=date(2016, 3, 1 + n % 28),
            )
        )
    db.session.commit()


def test_my_actions_queries_do_not_grow_with_actions(seeded, client):
    owner = db.session.scalar(select(User).where(User.email == "daniel.hughes@example.org"))
    sign_in(client, owner.email)
    _give_actions(owner, 3)
    with count_queries() as small:
        assert client.get("/my-actions").status_code == 200
    _give_actions_more = 495
    rec = action_by_ref("R3.10").recommendation
    for n in range(_give_actions_more):
        db.session.add(
            Action(
                recommendation_id=rec.id,
                position=900 + n,
                reference=f"R3.Y{n}",
                description="More",
                owner_id=owner.id,
                status="not_started",
            )
        )
    db.session.commit()
    with count_queries() as large:
        html = client.get("/my-actions").get_data(as_text=True)
    assert html.count("R3.Y") >= 495
    assert len(small) == len(large)


def test_rejected_evidence_does_not_count_towards_completion(seeded, client):
    action = action_by_ref("R3.10")
    owner = db.session.scalar(select(User).where(User.email == OWNER))
    db.session.add(
        Evidence(
            action=action,
            kind="note",
            title="Wrong file",
            note="x",
            added_by=owner,
            review_state="rejected",
            review_reason="Not about visits",
        )
    )
    db.session.commit()
    sign_in(client, OWNER)
    refused = update(client, action, status="completed", note="Done.")
    assert "Add at least one piece of evidence" in refused.get_data(as_text=True)
