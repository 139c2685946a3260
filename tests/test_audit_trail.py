"""Issue 13.13: the audit trail reads as English (names and references, never ids or field
names), filters by person, plan, kind and dates, exports CSV, and is linked from Admin."""

import csv
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from tests.conftest import action_by_ref, form_post, sign_in
from tracker.api.tokens import issue_token
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Deputy,
    Evidence,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    InspectionEvent,
    Plan,
    ReminderOutbox,
    User,
)

ADMIN = "laura.pickering@example.org"
OWNER = "gareth.pryce@example.org"
ROOT = Path(__file__).resolve().parent.parent


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def recorded_kinds() -> set[str]:
    """Every kind of event the code records, read from the source."""
    kinds = set()
    for path in (ROOT / "tracker").rglob("*.py"):
        source = path.read_text()
        kinds |= set(re.findall(r'\brecord\(\s*"([a-z_]+\.[a-z_.]+)"', source))
        kinds |= set(re.findall(r'event = "([a-z_]+\.[a-z_.]+)"', source))
        for template in re.findall(r'audit\.record\(\s*f"([a-z_.{}]+)"', source):
            words = ("accepted", "rejected") if "{verdict}" in template else ("invite", "reset")
            kinds |= {re.sub(r"\{[a-z_.]+\}", word, template) for word in words}
    return kinds


def samples() -> dict[str, tuple]:
    """One realistic event of every kind: (object, before, after, subject)."""
    owner, other = person(OWNER), person("priya.desai@example.org")
    action, rec = action_by_ref("R3.3"), action_by_ref("R3.3").recommendation
    plan = db.session.scalar(select(Plan))
    evidence = Evidence(action=action, kind="note", title="Visit audit", note="n", added_by=owner)
    db.session.add(evidence)
    db.session.flush()
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "CSC-15"))
    target = db.session.scalar(select(IndicatorTarget))
    value = db.session.scalar(select(IndicatorValue))
    email = ReminderOutbox(
        recipient_id=owner.id,
        recipient_email=OWNER,
        kind="reminder",
        day=date(2016, 3, 14),
        subject="s",
        body_text="b",
        body_html="<p>b</p>",
    )
    account_email = ReminderOutbox(
        recipient_id=owner.id,
        recipient_email=OWNER,
        kind="invite",
        day=date(2016, 3, 14),
        subject="s",
        body_text="b",
        body_html="<p>b</p>",
    )
    visit = InspectionEvent(plan=plan, kind="monitoring_visit", started_on=date(2016, 5, 10))
    token = issue_token("Warehouse", owner, ["figures:write"], 90, person(ADMIN)).token
    db.session.add_all([email, account_email, visit])
    db.session.flush()
    account_email_after = {"to": OWNER, "kind": "invite", "day": "2016-03-14", "attempts": 1}
    visit_snap = {
        "kind": "monitoring_visit",
        "inspectorate": "Ofsted",
        "started_on": "2016-05-10",
        "ended_on": "2016-05-11",
        "received_on": "",
        "published_on": "",
        "priority_actions": False,
    }
    cover = Deputy(
        person=owner, deputy=other, starts_on=date(2016, 3, 21), ends_on=date(2016, 4, 1)
    )
    db.session.add(cover)
    db.session.flush()
    cover_snap = {
        "person_id": owner.id,
        "deputy_id": other.id,
        "starts_on": "2016-03-21",
        "ends_on": "2016-04-01",
    }
    a_snap = {
        "reference": "R3.3",
        "description": "Ensure chronologies are up to date",
        "owner_id": owner.id,
        "original_due_date": "2016-01-31",
        "current_due_date": "2016-01-31",
        "withdrawn_reason": None,
    }
    r_snap = {
        "reference": "R3",
        "title": "Chronologies",
        "text": "t",
        "theme": "Practice",
        "lead_id": other.id,
        "target_date": "2016-06-30",
        "withdrawn_reason": None,
    }
    p_snap = {
        "title": plan.title,
        "inspectorate": "Ofsted",
        "inspection_type": "Monitoring visit",
        "published_on": "2016-03-14",
        "lead_id": other.id,
        "status": "active",
        "meeting_dates": ["2016-04-20"],
    }
    u_snap = {
        "name": "Sam New",
        "email": "sam@example.org",
        "job_title": "Analyst",
        "role": "head_of_service",
        "active": True,
    }
    status = {"status": "in_progress", "current_due_date": "2016-01-31", "completed_on": None}
    value_key = {"indicator": "CSC-15", "period": "2016-01", "basis": "month"}
    figure = {"value": 94.6, "provisional": False, "data_quality_note": None}
    email_after = {"to": OWNER, "kind": "reminder", "day": "2016-03-14", "attempts": 1}
    return {
        "action.created": (action, None, a_snap, None),
        "action.updated": (
            action,
            {**status, "owner_id": owner.id},
            {**status, "status": "blocked", "owner_id": other.id},
            None,
        ),
        "action.deleted": (action, a_snap, None, None),
        "action.withdrawn": (action, a_snap, {**a_snap, "withdrawn_reason": "Merged"}, None),
        "action.reinstated": (action, {**a_snap, "withdrawn_reason": "Merged"}, a_snap, None),
        "action.moved": (
            action,
            {"reference": "R3.3"},
            {"reference": "R3.4", "renumbered": ["R3.5"]},
            None,
        ),
        "action.owner_changed": (action, {"owner_id": owner.id}, {"owner_id": other.id}, None),
        "action.due_date_corrected": (
            action,
            {"current_due_date": "2016-01-31"},
            {"current_due_date": "2015-12-31", "reason": "Typed wrongly"},
            None,
        ),
        "action_plan.imported": (
            plan,
            None,
            {
                "plan_id": plan.id,
                "filename": "plan.xlsx",
                "recommendations_added": ["R12"],
                "actions_added": ["R12.1"],
            },
            None,
        ),
        "recommendation.created": (rec, None, r_snap, None),
        "recommendation.updated": (rec, r_snap, {**r_snap, "title": "Better chronologies"}, None),
        "recommendation.deleted": (rec, r_snap, None, None),
        "recommendation.withdrawn": (rec, r_snap, {**r_snap, "withdrawn_reason": "Done"}, None),
        "recommendation.reinstated": (rec, {**r_snap, "withdrawn_reason": "Done"}, r_snap, None),
        "recommendation.moved": (rec, {"reference": "R3"}, {"reference": "R4"}, None),
        "recommendation.lead_changed": (rec, {"lead_id": other.id}, {"lead_id": owner.id}, None),
        "plan.created": (plan, None, p_snap, None),
        "plan.updated": (plan, p_snap, {**p_snap, "inspectorate": "Ofsted and CQC"}, None),
        "plan.archived": (plan, {"status": "active"}, {"status": "archived"}, None),
        "plan.restored": (plan, {"status": "archived"}, {"status": "active"}, None),
        "evidence.added": (
            evidence,
            None,
            {"action_id": action.id, "kind": "note", "title": "Visit audit"},
            None,
        ),
        "evidence.accepted": (
            evidence,
            {"review_state": "submitted", "action_status": "completed"},
            {"review_state": "accepted", "action_status": "verified"},
            None,
        ),
        "evidence.rejected": (
            evidence,
            {"review_state": "submitted", "action_status": "in_progress"},
            {"review_state": "rejected", "action_status": "in_progress"},
            None,
        ),
        "evidence.withdrawn": (
            evidence,
            {"action_status": "completed"},
            {
                "action_id": action.id,
                "kind": "file",
                "title": "Visit audit",
                "original_filename": "visit-audit.pdf",
                "sha256": "ab" * 32,
                "review_state": "submitted",
                "reason": "Wrong file: it names a child",
                "action_status": "completed",
            },
            None,
        ),
        "evidence.purged": (
            evidence,
            {"action_status": "verified"},
            {
                "action_id": action.id,
                "kind": "note",
                "title": "Visit audit",
                "original_filename": None,
                "sha256": None,
                "review_state": "accepted",
                "reason": "Erasure request IG-14",
                "action_status": "completed",
            },
            None,
        ),
        "indicator.created": (indicator, None, {"code": "CSC-15", "owner_id": owner.id}, None),
        "indicator.updated": (indicator, {"owner_id": owner.id}, {"owner_id": other.id}, None),
        "indicator.linked": (
            indicator,
            None,
            {"recommendation_id": rec.id, "recommendation": "R3", "rationale": "Shows visits"},
            None,
        ),
        "indicator.unlinked": (
            indicator,
            {"recommendation_id": rec.id, "recommendation": "R3", "rationale": "Shows visits"},
            None,
            None,
        ),
        "indicator_target.added": (
            target,
            None,
            {"indicator": "CSC-15", "effective_from": "2015-04-01", "target": 95},
            None,
        ),
        "indicator_target.updated": (
            target,
            {"indicator": "CSC-15", "target": 95},
            {"indicator": "CSC-15", "target": 96},
            None,
        ),
        "indicator_value.added": (value, None, value_key | figure, None),
        "indicator_value.changed": (
            value,
            value_key | figure,
            value_key | {**figure, "value": 94.9},
            None,
        ),
        "indicator_value.moved": (
            value,
            value_key,
            {**value_key, "period": "2016-02", "reason": "Wrong month"},
            None,
        ),
        "indicator_value.deleted": (value, value_key | figure, {"reason": "Not ours"}, None),
        "indicator_values.imported": (
            None,
            None,
            {"filename": "figures.csv", "added": 3, "changed": 1, "unchanged": 0},
            None,
        ),
        "benchmarks.figures_imported": (
            None,
            None,
            {"filename": "cla-rates.csv", "added": 24, "changed": 0, "unchanged": 0},
            None,
        ),
        "benchmarks.neighbours_imported": (
            None,
            None,
            {"filename": "neighbours.csv", "added": 10, "changed": 0, "unchanged": 0},
            None,
        ),
        "user.created": (owner, None, u_snap, None),
        "user.updated": (owner, u_snap, {**u_snap, "job_title": "Lead analyst"}, None),
        "user.role_changed": (owner, {"role": "head_of_service"}, {"role": "admin"}, None),
        "user.deactivated": (owner, {"active": True}, {"active": False}, None),
        "user.reactivated": (owner, {"active": False}, {"active": True}, None),
        "user.password_changed": (owner, None, None, None),
        "user.password_set_by_invite_link": (owner, None, None, None),
        "user.password_set_by_reset_link": (owner, None, None, None),
        "user.reminder_settings_changed": (
            owner,
            {"due_soon": True, "no_update": True},
            {"due_soon": False, "no_update": True},
            None,
        ),
        "user.notice_settings_changed": (
            owner,
            {"evidence_added": True, "verified": True},
            {"evidence_added": False, "verified": True},
            None,
        ),
        "account_link.invite_issued": (owner, None, None, None),
        "account_link.reset_issued": (owner, None, None, None),
        "account_link.email_failed": (owner, None, None, OWNER),
        "account_email.invite_queued": (owner, None, None, None),
        "account_email.reset_queued": (owner, None, None, None),
        "password_reset.requested": (None, None, None, OWNER),
        "password_change.failed": (owner, None, None, None),
        "sign_in.succeeded": (owner, None, None, OWNER),
        "sign_in.failed": (None, None, None, "nobody@example.org"),
        "sign_in.throttled": (None, None, None, "nobody@example.org"),
        "sign_in.password_refused": (None, None, None, OWNER),
        "sign_in.oidc_succeeded": (owner, None, None, OWNER),
        "sign_in.oidc_refused": (
            None,
            None,
            {"reason": "the provider has not verified someone@example.org"},
            "someone@example.org",
        ),
        "user.oidc_unlinked": (
            owner,
            {"issuer": "https://login.microsoftonline.com/tenant-id/v2.0"},
            None,
            None,
        ),
        "user.oidc_linked": (
            owner,
            None,
            {"issuer": "https://login.microsoftonline.com/tenant-id/v2.0"},
            OWNER,
        ),
        "sign_out": (owner, None, None, None),
        "sign_in.password_accepted": (owner, None, None, OWNER),
        "sign_in.code_failed": (owner, None, None, OWNER),
        "sign_in.code_reused": (owner, None, None, OWNER),
        "sign_in.recovery_code_used": (owner, None, {"recovery_codes_left": 7}, None),
        "session.ended": (owner, None, {"device": "Chrome on Windows"}, None),
        "session.timed_out": (owner, None, {"reason": "inactive for too long"}, None),
        "sessions.ended": (owner, None, {"reason": "password changed", "sessions": 2}, None),
        "user.two_factor_turned_on": (owner, None, None, None),
        "user.two_factor_turned_off": (owner, None, None, None),
        "user.two_factor_reset": (owner, None, None, None),
        "user.recovery_codes_renewed": (owner, None, None, None),
        "seed.loaded": (None, None, {"plans": 1, "actions": 40, "indicator_values": 300}, None),
        "reminders.queued": (
            None,
            None,
            {"day": "2016-03-14", "digests": 5, "skipped": 0},
            None,
        ),
        "reminder.sent": (email, None, email_after, None),
        "reminder.failed": (email, None, {**email_after, "error": "Mail server refused"}, None),
        "account_email.sent": (account_email, None, account_email_after, None),
        "account_email.failed": (
            account_email,
            None,
            {**account_email_after, "error": "Mail server refused"},
            None,
        ),
        "account_email.attempt_failed": (
            account_email,
            None,
            {**account_email_after, "error": "Mail server down"},
            None,
        ),
        "api_token.created": (
            token,
            None,
            {
                "name": "Warehouse",
                "owner": OWNER,
                "scopes": "figures:write",
                "expires_at": "2016-06-12T09:00:00+00:00",
            },
            None,
        ),
        "api_token.revoked": (token, None, {"name": "Warehouse"}, None),
        "inspection.recorded": (visit, None, visit_snap, None),
        "inspection.changed": (
            visit,
            visit_snap,
            {**visit_snap, "received_on": "2016-05-20", "priority_actions": True},
            None,
        ),
        "inspection.judged": (visit, {}, {"overall": "requires_improvement"}, None),
        "inspection.finding_added": (
            visit,
            None,
            {"finding": "Progress on chronologies is too slow", "recommendations": ["R3"]},
            None,
        ),
        "inspection.finding_removed": (
            visit,
            {"finding": "Progress on chronologies is too slow"},
            None,
            None,
        ),
        "plan.submission_recorded": (
            plan,
            {"draft_sent_on": "", "approved_on": "", "approved_by": "", "submitted_on": ""},
            {
                "draft_sent_on": "2015-10-15",
                "approved_on": "2015-11-10",
                "approved_by": "Cabinet",
                "submitted_on": "2015-11-20",
            },
            None,
        ),
        "plan.paper_published": (
            plan,
            None,
            {
                "kind": "committee_paper",
                "meeting": "2016-03-14",
                "version": 1,
                "since": "2015-11-16",
                "sha256": "9f2c" * 16,
                "word_sha256": None,
            },
            None,
        ),
        "deputy.named": (cover, None, cover_snap, None),
        "deputy.ended": (cover, cover_snap, {}, None),
        "reminder.attempt_failed": (
            email,
            None,
            {
                **email_after,
                "error": "Mail server down",
                "next_attempt_at": "2016-03-14 07:30:00+00:00",
            },
            None,
        ),
    }


def visible_text(html: str) -> str:
    table = html[html.index("<table") : html.index("</table>")]
    return re.sub(r"<[^>]+>", " ", table)


def test_every_kind_of_event_reads_as_english_with_no_ids_or_field_names(seeded, client):
    kinds = samples()
    missing = recorded_kinds() - set(kinds)
    assert not missing, f"add a sample (and a sentence in describe.EVENTS) for {missing}"
    admin = person(ADMIN)
    for n, (kind, (obj, before, after, subject)) in enumerate(sorted(kinds.items())):
        db.session.add(
            AuditEvent(
                event=kind,
                actor_id=None if kind.startswith(("sign_in.failed", "sign_in.thr")) else admin.id,
                object_type=type(obj).__name__ if obj is not None else None,
                object_id=obj.id if obj is not None else None,
                subject=subject,
                before=before,
                after=after,
                occurred_at=datetime(2016, 3, 1, 9, n % 60, tzinfo=UTC),
            )
        )
    db.session.commit()
    sign_in(client, ADMIN)
    text = visible_text(page(client, "/audit")) + visible_text(page(client, "/audit?page=2"))
    snake_case = set(re.findall(r"\b[a-z0-9]+_[a-z0-9_]+\b", text))
    assert not snake_case, snake_case  # no field or event names
    assert not re.search(r"\b(User|Action|Plan|Recommendation|Evidence|Indicator) \d+\b", text)
    for raw in ("IndicatorValue", "ReminderOutbox", "IndicatorTarget", "->"):
        assert raw not in text, raw
    assert not re.search(r"\b(None|True|False)\b", text)
    assert not re.search(r"(Owner|Lead|Plan|Action|Recommendation|Indicator): \d", text)
    assert "Laura Pickering updated R3.3" in text
    assert "Owner: Gareth Pryce to Priya Desai" in text
    assert "Status: In progress to Blocked" in text
    assert "Laura Pickering changed the lead of R3" in text
    assert "Laura Pickering accepted the evidence &#39;Visit audit&#39; on R3.3" in text
    assert "Laura Pickering moved the CSC-15 figure for January 2016 to another month" in text
    assert (
        "Laura Pickering named Priya Desai as deputy for Gareth Pryce from 21 March 2016 to "
        "1 April 2016" in text
    )
    assert "nobody@example.org (not signed in) failed to sign in" in text


def test_a_due_date_move_reads_as_a_sentence_with_its_reason(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    action = action_by_ref("R3.3")
    sign_in(client, ADMIN)
    response = form_post(
        client,
        f"/actions/{action.id}/update",
        {
            "status": action.status,
            "version": str(action.version),
            "note": "Agreed with the service director.",
            "new_due_date": ["30", "4", "2016"],
            "due_change_reason": "waiting for the new team manager",
        },
    )
    assert response.status_code == 302
    html = page(client, "/audit")
    assert (
        "Laura Pickering moved R3.3 from 31 January 2016 to 30 April 2016: "
        "&#39;waiting for the new team manager&#39;"
    ) in html


def _event(kind: str, actor: User | None, obj, when: datetime, **fields) -> None:
    db.session.add(
        AuditEvent(
            event=kind,
            actor_id=actor.id if actor else None,
            object_type=type(obj).__name__,
            object_id=obj.id,
            occurred_at=when,
            **fields,
        )
    )


def test_filters_by_person_plan_kind_and_dates_and_exports_csv(seeded, client):
    admin, owner = person(ADMIN), person(OWNER)
    action = action_by_ref("R3.10")
    other_plan = Plan(title="Fostering inspection 2017", inspectorate="Ofsted")
    db.session.add(other_plan)
    db.session.flush()
    march, april = datetime(2016, 3, 10, 9, tzinfo=UTC), datetime(2016, 4, 10, 9, tzinfo=UTC)
    _event(
        "action.updated",
        owner,
        action,
        march,
        before={"status": "in_progress"},
        after={"status": "blocked"},
    )
    _event(
        "plan.updated",
        admin,
        other_plan,
        april,
        before={"title": "Fostering"},
        after={"title": '=HYPERLINK("http://x")'},
    )
    _event(
        "user.deactivated", admin, owner, april, before={"active": True}, after={"active": False}
    )
    db.session.commit()
    sign_in(client, ADMIN)
    everything = visible_text(page(client, "/audit"))
    assert "Gareth Pryce updated R3.10" in everything
    assert "deactivated the account of Gareth Pryce" in everything

    by_person = visible_text(page(client, f"/audit?person={owner.id}"))
    assert "Gareth Pryce updated R3.10" in by_person and "deactivated" not in by_person
    plan_id = action.recommendation.plan_id
    by_plan = visible_text(page(client, f"/audit?plan={plan_id}"))
    assert "R3.10" in by_plan and "Fostering" not in by_plan and "deactivated" not in by_plan
    by_kind = visible_text(page(client, "/audit?kind=people"))
    assert "deactivated the account of Gareth Pryce" in by_kind and "R3.10" not in by_kind
    dates = "date_from=1&date_from=3&date_from=2016&date_to=31&date_to=3&date_to=2016"
    by_dates = visible_text(page(client, f"/audit?{dates}"))
    assert "R3.10" in by_dates and "deactivated" not in by_dates
    bad = page(client, "/audit?date_from=31&date_from=2&date_from=2016")
    assert "From must be a real date" in bad

    export = client.get(f"/audit.csv?plan={other_plan.id}")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["When", "Who", "What happened", "Details", "IP address"]
    assert len(rows) == 2
    assert rows[1][2] == "Laura Pickering updated the plan Fostering inspection 2017"
    assert rows[1][3].startswith("Title: Fostering to =HYPERLINK")
    export_all = client.get("/audit.csv?kind=plans").get_data(as_text=True)
    assert "'=HYPERLINK" not in export_all  # the cell starts with "Title", not a formula
    del_cell = [r for r in csv.reader(io.StringIO(export_all.lstrip("\ufeff")))][1:]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in del_cell for cell in row)


def test_the_audit_trail_is_linked_from_admin(seeded, client):
    sign_in(client, ADMIN)
    assert 'href="/audit"' in page(client, "/admin/")
    html = page(client, "/audit")
    assert 'aria-current="page"' in html or "govuk-service-navigation__item--active" in html
    owner = client.application.test_client()
    sign_in(owner, OWNER)
    assert owner.get("/audit").status_code == 403
    assert owner.get("/audit.csv").status_code == 403
