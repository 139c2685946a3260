"""The rules issue 17 put in one place, tested with only what each test needs (tests/factories.py)
rather than the whole demo seed."""

from datetime import date

import pytest
from sqlalchemy import func, select
from wtforms import StringField

from tests import factories as make
from tests.conftest import csrf_token, sign_in
from tracker.admin.people import open_actions_owned_by
from tracker.extensions import db
from tracker.forms import TrackerForm
from tracker.models import Action, ActionStatus, PlanStatus, Recommendation, Role
from tracker.permissions import may_own_work
from tracker.plans.progress import done_count, next_due
from tracker.rules import RuleError


def test_completed_and_verified_actions_are_closed_in_python_and_in_sql(app):
    owner = make.person()
    rec = make.recommendation(make.plan())
    for status in ActionStatus:
        make.action(rec, owner, status, due=date(2016, 5, 1))
    closed = {a.status for a in rec.actions if a.is_closed}
    assert closed == {"completed", "verified"}
    in_sql = db.session.scalars(select(Action.status).where(Action.is_closed))
    assert set(in_sql) == closed
    # What an admin is asked to hand over when someone leaves: only work still to do.
    assert {a.status for a in open_actions_owned_by(owner.id)} == {
        "not_started",
        "in_progress",
        "blocked",
    }


def test_done_count_and_next_due_ignore_closed_actions(app):
    rec = make.recommendation(make.plan())
    make.action(rec, status=ActionStatus.VERIFIED, due=date(2016, 1, 1))
    make.action(rec, status=ActionStatus.COMPLETED, due=date(2016, 2, 1))
    make.action(rec, status=ActionStatus.IN_PROGRESS, due=date(2016, 4, 1))
    make.action(rec, status=ActionStatus.NOT_STARTED, due=date(2016, 3, 1))
    make.action(rec, status=ActionStatus.BLOCKED)
    assert done_count(rec.actions) == 2
    assert next_due(rec.actions) == date(2016, 3, 1)


def test_committee_members_and_leavers_cannot_own_work(app):
    assert may_own_work(make.person(Role.HEAD_OF_SERVICE))
    assert not may_own_work(make.person(Role.COMMITTEE_MEMBER))
    assert not may_own_work(make.person(Role.ADMIN, active=False))
    assert not may_own_work(None)


def _recommendations() -> int:
    return db.session.scalar(select(func.count(Recommendation.id))) or 0


@pytest.mark.parametrize("status", [PlanStatus.ACTIVE, PlanStatus.ARCHIVED])
def test_only_the_lead_changes_structure_and_not_while_archived(app, client, status):
    lead, other = make.person(), make.person()
    plan = make.plan(lead=lead, status=status)
    db.session.commit()
    url = f"/admin/plans/{plan.id}/recommendations/new"

    someone_else = app.test_client()
    sign_in(someone_else, other.email)
    assert someone_else.get(url).status_code == 403

    sign_in(client, lead.email)
    page = client.get(url)
    if status is PlanStatus.ARCHIVED:
        assert page.status_code == 409
        assert "This plan is archived" in page.get_data(as_text=True)
        token = csrf_token(client, f"/admin/plans/{plan.id}")
    else:
        assert page.status_code == 200
        token = csrf_token(client, url)
    client.post(url, data={"csrf_token": token, "title": "New", "text": "Do it", "lead_id": ""})
    assert _recommendations() == (0 if status is PlanStatus.ARCHIVED else 1)


class _NameForm(TrackerForm):
    class Meta:
        csrf = False

    name = StringField("Name")


def test_a_refusal_shows_on_the_field_it_names_or_on_the_form(app):
    with app.test_request_context():
        form = _NameForm()
        assert form.show_rule_error(RuleError("Enter a different name", "name"))
        assert form.name.errors == ["Enter a different name"]
        assert form.show_rule_error(RuleError("Choose another", None), "name")
        assert not form.show_rule_error(RuleError("Not about a field", "nothing_here"))
        assert form.form_errors == ["Not about a field"]
