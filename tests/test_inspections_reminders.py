"""Statutory deadlines in the daily digest: the plan lead and admins hear about a deadline due
soon or overdue, with the rule; nobody else does, and a deadline met is never mentioned."""

from datetime import date

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.inspections.service import EventDetails, record_event, set_judgements
from tracker.models import Plan
from tracker.uow import unit_of_work

ADMIN = "laura.pickering@example.org"
PLAN_LEAD = "catherine.holloway@example.org"


def _inadequate_inspection_received(day: date) -> None:
    plan = db.session.scalar(select(Plan))
    with unit_of_work():
        event = record_event(
            plan,
            EventDetails(kind="ilacs_standard", started_on=date(2016, 2, 1), received_on=day),
            None,
        )
        set_judgements(event, {"overall": "inadequate"}, None)


def _text(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


@pytest.fixture(autouse=True)
def deadlines_in_digests(app, monkeypatch):
    monkeypatch.setitem(app.config, "REMINDER_STATUTORY_DEADLINES", True)


def _send(app, day: str):
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--date", day])
    assert result.exit_code == 0, result.output


def test_a_draft_due_soon_reaches_the_plan_lead_and_admins(seeded, smtp_server):
    # Received Thu 10 March 2016: the draft is due Mon 11 April 2016 (20 working days across
    # Easter; tests/test_working_days.py), the final plan on Thu 23 June 2016.
    _inadequate_inspection_received(date(2016, 3, 10))
    _send(seeded, "2016-04-01")  # Friday: 6 working days before the draft is due
    for address in (ADMIN, PLAN_LEAD):
        [message] = smtp_server.to(address)
        assert "1 statutory deadline due soon" in message["Subject"], message["Subject"]
        text = _text(message)
        assert "Statutory deadlines for the plan" in text
        assert "Deadline: Draft plan to Ofsted (ILACS standard inspection)" in text
        assert "Due 11 April 2016: Due in 6 working days: not yet sent to Ofsted" in text
        assert "20 working days from the day the report or letter was received" in text
        assert "#deadlines" in text
    assert not smtp_server.to("margaret.fenwick@example.org")  # committee members: never
    assert "statutory deadline" not in _text(smtp_server.to("mark.ellison@example.org")[0])


def test_an_overdue_draft_is_overdue_in_the_subject_and_a_seeded_deadline_never_appears(
    seeded, smtp_server
):
    _inadequate_inspection_received(date(2016, 3, 10))
    _send(seeded, "2016-04-14")  # Thursday: 11 April has passed, 12, 13 and 14 April late
    [message] = smtp_server.to(ADMIN)
    assert message["Subject"] == "1 statutory deadline overdue"
    text = _text(message)
    assert "Overdue by 3 working days: not yet sent to Ofsted" in text
    # The 2015 SIF plan is recorded as sent (date unknown): it is not a reminder.
    assert "single inspection framework (SIF)" not in text


def test_deadlines_stay_out_of_digests_unless_the_setting_is_on(seeded, smtp_server):
    seeded.config["REMINDER_STATUTORY_DEADLINES"] = False
    _inadequate_inspection_received(date(2016, 3, 10))
    _send(seeded, "2016-04-14")
    assert not smtp_server.to(ADMIN)


def test_deadlines_add_the_same_statements_whatever_the_number_of_plans(seeded):
    from tests.conftest import count_queries
    from tracker.inspections.reminders import deadline_notices

    _inadequate_inspection_received(date(2016, 3, 10))
    with count_queries() as one_plan:
        assert len(deadline_notices(date(2016, 4, 14))) == 1
    for n in range(3):
        with unit_of_work():
            plan = Plan(title=f"Another plan {n}", inspectorate="Ofsted")
            db.session.add(plan)
            record_event(
                plan,
                EventDetails(
                    kind="monitoring_visit",
                    started_on=date(2016, 3, 1),
                    received_on=date(2016, 3, 10),
                    priority_actions=True,
                ),
                None,
            )
    with count_queries() as four_plans:
        assert len(deadline_notices(date(2016, 4, 14))) == 4
    assert len(four_plans) == len(one_plan) <= 4
