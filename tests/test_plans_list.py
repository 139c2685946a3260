"""The plans list: each plan's rating and counts are worked out once per process and revision of
its actions, so a national deployment's tens of thousands of actions are not rated on every
request; any change to an action shows on the very next request, and the number of statements
depends neither on how many plans there are nor on what the process has worked out before."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import factories as make
from tests.conftest import sign_in, statements_cold_and_warm
from tracker.extensions import db
from tracker.models import Action, ActionStatus, Plan, Role

COMMITTEE = "list.reader@example.org"
DAY = date(2016, 3, 14)


@pytest.fixture
def reader(app, client, as_at):
    as_at(DAY)
    make.person(Role.COMMITTEE_MEMBER, email=COMMITTEE)
    db.session.commit()
    sign_in(client, COMMITTEE)
    return client


def _plan_with_actions(title: str, *statuses: ActionStatus) -> Plan:
    plan = make.plan(title=title)
    rec = make.recommendation(plan)
    for status in statuses:
        make.action(rec, status=status, due=DAY + timedelta(days=60))
    db.session.commit()
    return plan


def _row(client, title: str) -> str:
    """The plans list's row for the plan, as text: counts and rating."""
    page = client.get("/plans").get_data(as_text=True)
    row = re.search(rf"<tr[^>]*>\s*<th[^>]*><a[^>]*>{re.escape(title)}</a>.*?</tr>", page, re.S)
    assert row, f"no row for {title}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0))).strip()


def test_statements_do_not_grow_with_plans_and_worked_out_plans_are_not_read_again(reader):
    _plan_with_actions("Plan A", ActionStatus.IN_PROGRESS, ActionStatus.VERIFIED)
    few = statements_cold_and_warm(reader, "/plans")
    assert few[1] == few[0] - 1  # no plan's actions to read: every plan is worked out
    for n in range(12):
        _plan_with_actions(f"Plan {n}", ActionStatus.BLOCKED, ActionStatus.NOT_STARTED)
    assert statements_cold_and_warm(reader, "/plans") == few


def test_a_change_to_an_action_shows_on_the_next_request(reader):
    plan = _plan_with_actions("Childrens services", ActionStatus.IN_PROGRESS)
    assert _row(reader, plan.title).endswith("0 of 1 Green Recommendations: 1 green")
    _row(reader, plan.title)  # worked out and kept

    action = db.session.scalar(select(Action).where(Action.recommendation_id.is_not(None)))
    action.status = ActionStatus.BLOCKED.value
    db.session.commit()
    assert _row(reader, plan.title).endswith("0 of 1 Red Recommendations: 1 red")

    action.status = ActionStatus.IN_PROGRESS.value
    action.current_due_date = DAY - timedelta(days=1)  # overdue
    db.session.commit()
    assert _row(reader, plan.title).endswith("0 of 1 Red Recommendations: 1 red")

    action.current_due_date = DAY + timedelta(days=90)  # moved past its original date
    db.session.commit()
    assert _row(reader, plan.title).endswith("0 of 1 Amber Recommendations: 1 amber")

    action.withdrawn_reason = "No longer needed"
    db.session.commit()
    assert _row(reader, plan.title).endswith("0 of 1 No rating No actions yet")


def test_actions_added_removed_and_replaced_show_on_the_next_request(reader):
    plan = _plan_with_actions("Adult social care", ActionStatus.VERIFIED)
    assert _row(reader, plan.title).endswith("1 1 of 1 Complete Recommendations: 1 complete")

    rec = plan.recommendations[0]
    make.action(rec, status=ActionStatus.IN_PROGRESS, due=DAY + timedelta(days=30))
    db.session.commit()
    assert _row(reader, plan.title).endswith("1 1 of 2 Green Recommendations: 1 green")

    # Remove the newest action and add another in its place: SQLite gives the new one the same
    # id, and it has the same version; its rating must still show.
    newest = db.session.scalar(select(Action).order_by(Action.id.desc()))
    newest_id = newest.id
    db.session.delete(newest)
    db.session.commit()
    replacement = make.action(rec, status=ActionStatus.BLOCKED, due=DAY + timedelta(days=30))
    db.session.commit()
    assert replacement.id >= newest_id
    assert _row(reader, plan.title).endswith("1 1 of 2 Red Recommendations: 1 red")

    db.session.delete(replacement)
    db.session.commit()
    assert _row(reader, plan.title).endswith("1 1 of 1 Complete Recommendations: 1 complete")


def test_the_ratings_follow_the_day(app, reader, as_at):
    plan = _plan_with_actions("Early help", ActionStatus.IN_PROGRESS)
    assert "Green" in _row(reader, plan.title)
    as_at(DAY + timedelta(days=61))
    later = app.test_client()  # two months on, the session has lapsed
    sign_in(later, COMMITTEE)
    assert _row(later, plan.title).endswith("0 of 1 Red Recommendations: 1 red")
