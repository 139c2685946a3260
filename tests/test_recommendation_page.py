"""The recommendation page reads its recommendation and actions as plain rows in one statement:
what it shows of each action's owner and latest note, and of a recommendation with no lead,
theme or actions."""

import re
from datetime import UTC, date, datetime

from tests import factories as make
from tests.conftest import sign_in, statements_cold_and_warm
from tracker.extensions import db
from tracker.models import ActionStatus, ProgressUpdate, Role, Theme

COMMITTEE = "rec.reader@example.org"


def _page(client, rec_id: int) -> str:
    response = client.get(f"/recommendations/{rec_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_recommendation_with_no_lead_theme_or_actions(app, client):
    make.person(Role.COMMITTEE_MEMBER, email=COMMITTEE)
    rec = make.recommendation(make.plan(title="Quiet plan"), title="Nothing yet")
    db.session.commit()
    sign_in(client, COMMITTEE)
    page = _page(client, rec.id)
    assert "No actions have been added to this recommendation yet." in page
    assert "Not assigned" in page  # no lead
    assert re.search(r"Theme\s*</dt>\s*<dd[^>]*>\s*None\s*</dd>", page)  # no theme
    assert "Quiet plan</a>" in page  # the breadcrumb back to its plan


def test_each_action_shows_its_owner_and_latest_note(app, client):
    make.person(Role.COMMITTEE_MEMBER, email=COMMITTEE)
    owner = make.person(Role.HEAD_OF_SERVICE, job_title="Head of Quality Assurance")
    lead = make.person(Role.HEAD_OF_SERVICE, name="Lee Lead", job_title="Service Manager")
    theme = Theme(name="Practice quality")
    db.session.add(theme)
    rec = make.recommendation(make.plan(), lead=lead, theme=theme)
    owned = make.action(rec, owner=owner, status=ActionStatus.IN_PROGRESS, due=date(2030, 1, 1))
    unowned = make.action(rec, description="Nobody's yet")
    for n, (day, note) in enumerate(
        [(1, "First note"), (3, "Newest note\nsecond line"), (2, "Middle note")]
    ):
        db.session.add(
            ProgressUpdate(
                action_id=owned.id, note=note, created_at=datetime(2016, 1, day, n, tzinfo=UTC)
            )
        )
    db.session.commit()
    sign_in(client, COMMITTEE)
    page = _page(client, rec.id)
    assert "Lee Lead, Service Manager" in page
    assert "Practice quality" in page
    assert f'href="/actions/{owned.id}"' in page and f'href="/actions/{unowned.id}"' in page
    assert "Head of Quality Assurance" in page
    assert "Not assigned" in page  # the second action has no owner
    assert "Latest: Newest note<br>second line</p>" in page
    assert "First note" not in page and "Middle note" not in page
    assert page.count("Latest:") == 1  # the second action has no history yet


def test_statements_are_the_same_with_or_without_actions(app, client):
    make.person(Role.COMMITTEE_MEMBER, email=COMMITTEE)
    plan = make.plan()
    bare = make.recommendation(plan)
    full = make.recommendation(plan)
    for _ in range(5):
        make.action(full)
    make.indicator(code="CSC-77", name="A linked figure", recommendations=[bare, full])
    db.session.commit()
    sign_in(client, COMMITTEE)
    counts = [
        statements_cold_and_warm(client, f"/recommendations/{rec.id}") for rec in (bare, full)
    ]
    assert counts[0] == counts[1]
