"""Who gets which reminder: the seeded plan on fixed days, delivered to a real SMTP server.

Expected sets worked out by hand from seed/actions.csv, seed/recommendations.csv and
seed/plan.toml (owners by job title, people from seed/people.csv):
- overdue on 28 March 2016: R3.2 (due 29 Feb, Mark), R3.3 (31 Jan, Mark), R5.4 (31 Jan, Priya);
- due by 4 April (within 7 days): R3.9 (Mark), R3.10, R6.1, R6.3 (Gareth), R4.1 (Joanne);
- last note over 30 days before: R2.4 (note dated 1 February 2016, Mark);
- overdue by 14+ days, on a Monday: R3.2, R3.3 (R3 is led by Mark himself) and R5.4 (R5 is led
  by Priya herself) go to the plan lead, Catherine Holloway, Service Director.
"""

import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from tests.conftest import count_queries
from tracker.extensions import db
from tracker.models import (
    Action,
    AuditEvent,
    JobRun,
    Plan,
    ProgressUpdate,
    Recommendation,
    ReminderOutbox,
    ReminderSkip,
    User,
    utcnow,
)
from tracker.reminders.selection import select_reminders

MONDAY = "2016-03-28"
EXPECTED_ON_MONDAY = {
    "catherine.holloway@example.org": (
        "Escalation: 3 actions overdue by 14 days or more",
        ["R3.3", "R5.4", "R3.2"],
    ),
    "gareth.pryce@example.org": ("3 actions due this week", ["R3.10", "R6.1", "R6.3"]),
    "joanne.whitfield@example.org": ("1 action due this week", ["R4.1"]),
    "mark.ellison@example.org": (
        "2 actions overdue, 1 due this week, 1 with no update for 30 days",
        ["R3.3", "R3.2", "R3.9", "R2.4"],
    ),
    "priya.desai@example.org": ("1 action overdue", ["R5.4"]),
}
REFERENCE_LINE = re.compile(r"^(R\d+\.\d+): ", re.MULTILINE)


def send(app, *args):
    return app.test_cli_runner().invoke(args=["reminders", "send", *args])


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def received(smtp_server) -> dict[str, tuple[str, list[str]]]:
    inbox = {}
    for message in smtp_server.messages:
        address = message["To"].addresses[0].addr_spec
        assert address not in inbox, f"two digests for {address}"
        inbox[address] = (message["Subject"], REFERENCE_LINE.findall(text_of(message)))
    return inbox


def action(reference: str) -> Action:
    return db.session.scalar(select(Action).where(Action.reference == reference))


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_seeded_plan_on_a_monday_reaches_exactly_the_expected_people(seeded, smtp_server):
    result = send(seeded, "--date", MONDAY)
    assert result.exit_code == 0, result.output
    assert "Queued 5 reminder emails" in result.output
    assert received(smtp_server) == EXPECTED_ON_MONDAY
    assert all(envelope[1] == [envelope[1][0]] for envelope in smtp_server.envelopes)


def test_each_action_says_its_plan_due_date_days_overdue_and_links_to_it(seeded, smtp_server):
    send(seeded, "--date", MONDAY)
    [mark] = smtp_server.to("mark.ellison@example.org")
    text = text_of(mark)
    html = mark.get_body(("html",)).get_content()
    r33 = action("R3.3")
    assert "Dear Mark Ellison," in text
    assert "Due 31 January 2016: 57 days overdue" in text
    assert "Due 31 March 2016: in 3 days" in text  # R3.9
    assert "Last update 1 February 2016: 56 days ago" in text  # R2.4
    assert "Plan: Ofsted inspection of children's services in Peterborough 2015" in text
    assert f"http://tracker.test/actions/{r33.id}" in text
    assert f'<a href="http://tracker.test/actions/{r33.id}">R3.3: ' in html
    assert "http://tracker.test/settings/reminders" in text
    assert "<img" not in html
    # Sections in order: overdue first, then due soon, then no update.
    assert text.index("\nOverdue\n") < text.index("\nDue this week\n") < text.index("No update")

    [catherine] = smtp_server.to("catherine.holloway@example.org")
    escalation = text_of(catherine)
    assert "Owner: Mark Ellison, Assistant Director for Children's Social Care" in escalation
    assert "Owner: Priya Desai" in escalation


def test_escalations_go_out_only_on_the_escalation_weekday(seeded, monkeypatch):
    tuesday = select_reminders(date(2016, 3, 29))
    assert {d.kind.value for d in tuesday.digests} == {"reminder"}
    monkeypatch.setitem(seeded.config, "ESCALATION_WEEKDAY", "Tuesday")
    again = select_reminders(date(2016, 3, 29))
    [escalation] = [d for d in again.digests if d.kind.value == "escalation"]
    assert escalation.recipient.email == "catherine.holloway@example.org"


def test_a_lead_who_does_not_own_the_action_gets_the_escalation(seeded):
    action("R5.4").owner_id = user("gareth.pryce@example.org").id
    db.session.commit()
    selection = select_reminders(date(2016, 3, 28))
    escalations = {
        d.recipient.email: d.references for d in selection.digests if d.kind.value == "escalation"
    }
    assert escalations == {
        "priya.desai@example.org": ["R5.4"],  # lead of R5, no longer its owner
        "catherine.holloway@example.org": ["R3.3", "R3.2"],
    }


def test_completed_verified_withdrawn_and_archived_work_never_appears(seeded):
    action("R3.3").status = "completed"
    action("R3.2").status = "verified"
    action("R5.4").withdrawn_reason = "Superseded by the partnership's own plan"
    db.session.commit()
    selection = select_reminders(date(2016, 3, 28))
    references = {ref for d in selection.digests for ref in d.references}
    assert references == {"R3.9", "R2.4", "R3.10", "R6.1", "R6.3", "R4.1"}
    assert all(d.kind.value == "reminder" for d in selection.digests)

    db.session.scalar(select(Plan)).status = "archived"
    db.session.commit()
    assert select_reminders(date(2016, 3, 28)).digests == []


def test_deactivated_people_and_people_without_an_email_are_skipped_with_a_reason(
    seeded, smtp_server, client
):
    user("joanne.whitfield@example.org").active = False
    user("priya.desai@example.org").email = ""
    db.session.commit()
    result = send(seeded, "--date", MONDAY)
    assert result.exit_code == 0, result.output
    sent_to = set(received(smtp_server))
    assert sent_to == {
        "catherine.holloway@example.org",
        "gareth.pryce@example.org",
        "mark.ellison@example.org",
    }
    skips = {
        (s.user.name, s.kind, s.reason)
        for s in db.session.scalars(
            select(ReminderSkip).where(ReminderSkip.day == date(2016, 3, 28))
        )
    }
    assert skips == {
        ("Joanne Whitfield", "reminder", "Account deactivated"),
        ("Priya Desai", "reminder", "No email address"),
    }


def test_people_can_turn_off_due_soon_and_no_update_reminders_but_not_overdue(seeded):
    mark = user("mark.ellison@example.org")
    mark.wants_due_soon_reminders = False
    mark.wants_no_update_reminders = False
    gareth = user("gareth.pryce@example.org")
    gareth.wants_due_soon_reminders = False
    db.session.commit()
    selection = select_reminders(date(2016, 3, 28))
    by_person = {d.recipient.email: d.references for d in selection.digests if d.kind == "reminder"}
    assert by_person["mark.ellison@example.org"] == ["R3.3", "R3.2"]
    assert "gareth.pryce@example.org" not in by_person
    assert selection.skips == []


def test_no_update_counts_from_the_latest_progress_update(seeded):
    r24 = action("R2.4")
    db.session.add(
        ProgressUpdate(
            action_id=r24.id, note="Vacancies down to 18 FTE", created_at=_at(date(2016, 3, 1))
        )
    )
    db.session.commit()
    selection = select_reminders(date(2016, 3, 28))
    references = {ref for d in selection.digests for ref in d.references}
    assert "R2.4" not in references  # updated 27 days ago, under the 30-day limit
    assert "R2.4" in {r for d in select_reminders(date(2016, 3, 31)).digests for r in d.references}


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


def test_a_dry_run_prints_who_would_get_what_and_writes_nothing(seeded, smtp_server):
    audit_before = db.session.scalar(select(func.count(AuditEvent.id)))
    result = send(seeded, "--date", MONDAY, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "nothing is written or sent" in result.output
    assert (
        "mark.ellison@example.org: 2 actions overdue, 1 due this week, 1 with no update for "
        "30 days (R3.3, R3.2, R3.9, R2.4)" in result.output
    )
    assert "catherine.holloway@example.org: Escalation" in result.output
    for model in (ReminderOutbox, ReminderSkip, JobRun):
        assert db.session.scalar(select(func.count(model.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == audit_before
    assert smtp_server.messages == []


def test_preview_shows_tomorrows_run(seeded, monkeypatch):
    monkeypatch.setitem(seeded.config, "AS_AT_DATE", date(2016, 3, 27))
    result = seeded.test_cli_runner().invoke(args=["reminders", "preview"])
    assert result.exit_code == 0, result.output
    assert "Preview for Monday 28 March 2016" in result.output
    assert "gareth.pryce@example.org: 3 actions due this week" in result.output


def test_reminder_work_never_touches_the_actions_it_reads(seeded, smtp_server):
    before = {a.id: (a.version, a.updated_at) for a in db.session.scalars(select(Action))}
    assert send(seeded, "--date", MONDAY).exit_code == 0
    db.session.expire_all()
    after = {a.id: (a.version, a.updated_at) for a in db.session.scalars(select(Action))}
    assert after == before


def test_selection_takes_a_fixed_number_of_queries_whatever_the_plan_size(seeded):
    with count_queries() as few:
        small = select_reminders(date(2016, 3, 28))
    _add_overdue_actions(count=25)
    db.session.expire_all()
    with count_queries() as many:
        large = select_reminders(date(2016, 3, 28))
    assert sum(len(d.items) for d in large.digests) > sum(len(d.items) for d in small.digests) + 25
    # People, open actions, the covers running that day (deputies, issue 13.16), and the
    # previous day's notices: history, assignments and the people they go to (issue 13.15).
    # 2 for reminders, 1 for deputies, 3 for notices, 4 for statutory deadlines: all fixed.
    assert len(many) == len(few) <= 10


def _add_overdue_actions(count: int) -> None:
    rec = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R7"))
    owners = list(db.session.scalars(select(User).where(User.role == "head_of_service")))
    for n in range(count):
        new = Action(
            recommendation_id=rec.id,
            position=100 + n,
            reference=f"R7.{100 + n}",
            description=f"Extra action {n}",
            owner_id=owners[n % len(owners)].id,
            current_due_date=date(2016, 1, 1) + timedelta(days=n),
            status="in_progress",
            updated_at=utcnow(),
        )
        db.session.add(new)
        db.session.flush()
        db.session.add(ProgressUpdate(action_id=new.id, note="started", created_at=utcnow()))
    db.session.commit()
