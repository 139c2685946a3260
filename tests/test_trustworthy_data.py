"""Wrong data does not get in, and what people read is true (issue 13, items 1-10 that were
reproducible on main): future months, blank evidence, due dates moved into the past, the stale-edit
message, system events as committee notes, and the demo clock."""

import io
from datetime import date
from email.utils import parsedate_to_datetime

from sqlalchemy import select

from tests.conftest import action_by_ref, csrf_token, form_post, sign_in
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Evidence,
    Indicator,
    IndicatorValue,
    ProgressUpdate,
    User,
)

OWNER = "gareth.pryce@example.org"  # owns R3.10
LEAD = "mark.ellison@example.org"  # lead for R3
PERFORMANCE = "rachel.booth@example.org"
ADMIN = "laura.pickering@example.org"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def update(client, action, **fields):
    data = {"status": action.status, "note": "", "version": str(action.version), **fields}
    return form_post(client, f"/actions/{action.id}/update", data)


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


# --- 1. No figure for a month after the current one ------------------------------------------


def stored(code: str, period: date) -> IndicatorValue | None:
    return db.session.scalar(
        select(IndicatorValue)
        .join(IndicatorValue.indicator)
        .where(Indicator.code == code, IndicatorValue.period == period)
    )


def add_figure(client, code: str, period: str, value: str):
    return form_post(
        client,
        f"/indicators/{code}/values/new",
        {"period": period, "basis": "month", "value": value},
    )


def test_the_form_refuses_a_figure_for_a_month_after_the_current_one(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    sign_in(client, PERFORMANCE)
    response = add_figure(client, "CSC-09", "2027-06", "95")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "June 2027 is in the future" in html
    assert 'value="2027-06"' in html  # what was typed is kept
    assert stored("CSC-09", date(2027, 6, 1)) is None
    # By the app's clock: April 2016 is after 14 March 2016, though long before the real today.
    assert "April 2016 is in the future" in add_figure(client, "CSC-09", "Apr-16", "90").get_data(
        as_text=True
    )
    assert add_figure(client, "CSC-09", "Mar-16", "90").status_code == 302
    assert stored("CSC-09", date(2016, 3, 1)).value == 90


def test_the_import_refuses_future_months_by_the_same_clock(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    sign_in(client, PERFORMANCE)
    csv = "code,period,basis,value\nCSC-09,2016-04,month,90\n"

    response = client.post(
        "/indicators/import",
        data={
            "csrf_token": csrf_token(client, "/indicators/import"),
            "file": (io.BytesIO(csv.encode()), "figures.csv"),
        },
        content_type="multipart/form-data",
    )
    html = page(client, response.headers["Location"])
    assert "April 2016 is in the future" in html


# --- 2. Blank evidence is refused ------------------------------------------------------------


def test_evidence_of_spaces_is_refused_and_what_was_typed_kept(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    note = form_post(
        client, f"/actions/{action.id}/evidence/note", {"title": "   ", "note": " \n  "}
    )
    html = note.get_data(as_text=True)
    assert note.status_code == 200
    assert "Enter a title for the note" in html and "Enter the note" in html
    link = form_post(client, f"/actions/{action.id}/evidence/link", {"title": "  ", "url": "   "})
    html = link.get_data(as_text=True)
    assert "Enter a title for the link" in html and "Enter the web address" in html
    assert not db.session.scalars(select(Evidence).where(Evidence.action_id == action.id)).all()


def test_an_action_cannot_be_completed_on_blank_evidence(seeded, client):
    action = action_by_ref("R3.10")
    # As saved before forms stripped what was typed.
    db.session.add(
        Evidence(action=action, kind="note", title="   ", note="   ", added_by=user(OWNER))
    )
    db.session.commit()
    sign_in(client, OWNER)
    refused = update(client, action, status="completed", note="Done.")
    assert "Add at least one piece of evidence" in refused.get_data(as_text=True)
    db.session.refresh(action)
    assert action.status == "in_progress"


# --- 4. A revised due date is today or later; admins correct history, audited ---------------


def test_an_owner_cannot_move_a_due_date_into_the_past(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    refused = update(
        client,
        action,
        note="Recording the real date.",
        new_due_date=["1", "1", "2015"],
        due_change_reason="It was due then.",
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "New due date must be today (14 March 2016) or later" in html
    assert 'value="2015"' in html and "Recording the real date." in html
    db.session.refresh(action)
    assert action.current_due_date == date(2016, 3, 31)
    today = update(
        client,
        action,
        note="Bringing it forward.",
        new_due_date=["14", "3", "2016"],
        due_change_reason="Done sooner.",
    )
    assert today.status_code == 302


def test_an_admin_corrects_a_past_due_date_with_a_reason_and_it_is_audited(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    action = action_by_ref("R3.3")
    sign_in(client, ADMIN)
    no_reason = update(client, action, note="Correction.", new_due_date=["31", "12", "2015"])
    assert "Enter the reason the due date is changing" in no_reason.get_data(as_text=True)
    response = update(
        client,
        action,
        note="Correction.",
        new_due_date=["31", "12", "2015"],
        due_change_reason="The plan said December; typed wrongly at import.",
    )
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.current_due_date == date(2015, 12, 31)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.event == "action.due_date_corrected")
    )
    assert event.actor_id == user(ADMIN).id
    assert event.before == {"current_due_date": "2016-01-31"}
    assert event.after["reason"] == "The plan said December; typed wrongly at import."


def test_the_assumed_label_stays_with_the_original_date_after_a_move(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    before = page(client, f"/actions/{action.id}")
    assert "31 March 2016 (assumed: the report gives no date)" in before
    update(
        client,
        action,
        note="Moving it.",
        new_due_date=["30", "4", "2016"],
        due_change_reason="New checks need a month.",
    )
    after = page(client, f"/actions/{action.id}")
    assert "30 April 2016 (assumed" not in after
    assert "30 April 2016" in after
    assert "31 March 2016 (assumed: the report gives no date) (moved)" in after


# --- 8. The stale-edit message says who, and shows what the other save holds ----------------


def test_a_stale_save_by_the_same_person_says_you_and_shows_the_other_save(seeded, client):
    action = action_by_ref("R3.10")
    url = f"/actions/{action.id}/update"
    sign_in(client, OWNER)
    # Two tabs of one browser: one session, the page opened twice at the same version.
    this_token = csrf_token(client, url)
    other_token = csrf_token(client, url)
    loaded = str(action.version)
    first = client.post(
        url,
        data={
            "csrf_token": other_token,
            "status": "blocked",
            "version": loaded,
            "note": "Waiting for the new data feed.",
        },
    )
    assert first.status_code == 302
    second = client.post(
        url,
        data={
            "csrf_token": this_token,
            "status": "in_progress",
            "version": loaded,
            "note": "My careful note about visits.",
        },
    )
    html = second.get_data(as_text=True)
    assert second.status_code == 200
    assert "You (in another window) changed this action" in html
    assert "Gareth Pryce changed this action" not in html
    other_save = html[html.index('id="other-save"') : html.index(f'action="{url}"')]
    assert "Saved by you in another window" in other_save
    assert "Blocked" in other_save
    assert "31 March 2016" in other_save
    assert "Waiting for the new data feed." in other_save
    assert "My careful note about visits." in html[html.index(f'action="{url}"') :]


def test_a_stale_save_by_someone_else_names_them_and_shows_their_save(seeded, client):
    action = action_by_ref("R3.10")
    url = f"/actions/{action.id}/update"
    admin = client.application.test_client()
    sign_in(client, OWNER)
    sign_in(admin, ADMIN)
    owner_token = csrf_token(client, url)
    admin_token = csrf_token(admin, url)
    loaded = str(action.version)
    admin.post(
        url,
        data={
            "csrf_token": admin_token,
            "status": "in_progress",
            "version": loaded,
            "note": "Checked with the team.",
            "new_due_date": ["30", "6", "2030"],
            "due_change_reason": "Agreed at the board.",
        },
    )
    html = client.post(
        url,
        data={
            "csrf_token": owner_token,
            "status": "in_progress",
            "version": loaded,
            "note": "Mine.",
        },
    ).get_data(as_text=True)
    assert "Laura Pickering changed this action" in html
    other_save = html[html.index('id="other-save"') : html.index(f'action="{url}"')]
    assert "Saved by Laura Pickering" in other_save
    assert "30 June 2030" in other_save and "Checked with the team." in other_save


# --- 9. The committee reads people's notes, and is told when evidence was rejected ----------


def test_the_committee_never_reads_a_system_event_as_the_latest_note(seeded, client, as_at):
    as_at(date(2016, 3, 20))
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    assert update(client, action, note="Team managers now check visits weekly.").status_code == 302
    form_post(
        client,
        f"/actions/{action.id}/evidence/note",
        {"title": "Visit audit, March 2016", "note": "40 of 42 visits in time."},
    )
    lead = client.application.test_client()
    sign_in(lead, LEAD)
    evidence = db.session.scalar(select(Evidence).where(Evidence.action_id == action.id))
    rejected = form_post(
        lead,
        f"/evidence/{evidence.id}/review",
        {"decision": "reject", "reason": "Not about visits"},
    )
    assert rejected.status_code == 302
    committee = client.application.test_client()
    sign_in(committee, "margaret.fenwick@example.org")
    plan_id = action.recommendation.plan_id
    html = page(committee, f"/plans/{plan_id}/summary?since=2016-03-15")
    r3 = html[html.index(">R3: ") :]
    latest = r3[r3.index("Latest note") : r3.index("</dd>", r3.index("Latest note"))]
    assert "R3.10: Team managers now check visits weekly." in latest
    assert "Evidence" not in latest
    changes = html[html.index("New evidence") :]
    assert (
        "Visit audit, March 2016 (rejected on 20 March 2016: Not about visits)"
        in changes[: changes.index("</ul>")]
    )
    # The paper says the same.
    from tracker.committee.summary import build_summary
    from tracker.plans.queries import load_plan

    summary = build_summary(load_plan(plan_id), date(2016, 3, 20))
    row = next(r for r in summary.rows if r.rec.reference == "R3")
    assert row.latest_note.text == "R3.10: Team managers now check visits weekly."


def test_the_migration_marks_history_the_app_wrote_before_the_column_existed(seeded):
    from flask_migrate import downgrade, upgrade

    action_id = action_by_ref("R3.10").id
    for note, status_to in [
        ("Evidence added: Visit audit", "in_progress"),
        ("Evidence accepted: Visit audit. The action is verified.", "verified"),
        ("Evidence rejected: Old audit. Not about visits", "in_progress"),
        ("Checked the evidence added last week.", "in_progress"),
    ]:
        db.session.add(
            ProgressUpdate(
                action_id=action_id, status_from="in_progress", status_to=status_to, note=note
            )
        )
    db.session.commit()
    db.session.remove()
    downgrade(revision="0007-1")
    upgrade()
    events = dict(
        db.session.execute(
            select(ProgressUpdate.note, ProgressUpdate.event).where(
                ProgressUpdate.action_id == action_id
            )
        ).all()
    )
    assert events["Evidence added: Visit audit"] == "evidence.added"
    assert events["Evidence accepted: Visit audit. The action is verified."] == "evidence.accepted"
    assert events["Evidence rejected: Old audit. Not about visits"] == "evidence.rejected"
    assert events["Checked the evidence added last week."] is None
    seeded_notes = [note for note, event in events.items() if event is None]
    assert len(seeded_notes) == 2  # the seed's note and the person's note above


# --- 10. Under a demo date, everything the app stamps uses the same "today" -----------------


def test_on_a_demo_date_history_last_update_and_emails_agree_with_it(seeded, client, as_at):
    as_at(date(2016, 3, 20))
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    assert update(client, action, note="Visits checked weekly now.").status_code == 302
    latest = db.session.scalar(
        select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action.id)
        .order_by(ProgressUpdate.id.desc())
        .limit(1)
    )
    assert local_day(latest.created_at) == date(2016, 3, 20)
    db.session.refresh(action)
    assert local_day(action.updated_at) == date(2016, 3, 20)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "action.updated"))
    assert local_day(event.occurred_at) == date(2016, 3, 20)
    assert "20 March 2016" in page(client, f"/actions/{action.id}")


def test_a_digest_on_a_demo_date_speaks_of_that_date(seeded, client, as_at, smtp_server):
    as_at(date(2016, 3, 20))
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    assert update(client, action, note="Visits checked weekly now.").status_code == 302
    as_at(date(2016, 3, 28))
    result = seeded.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    (email,) = smtp_server.to(OWNER)
    body = email.get_body(("plain",)).get_content()
    assert "Last update 20 March 2016: 8 days ago" in body
    assert "2026" not in body
    assert parsedate_to_datetime(email["Date"]).date() == date(2016, 3, 28)


def local_day(moment) -> date:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/London")).date()
