"""Malformed input gets a 400, a 404 or the form's own message: never a 500 (issue 12, finding 6).

Each test names what the penetration test sent. tests/test_fuzz.py then throws odd values at
every route; these are the cases it found first, kept as plain tests.
"""

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import action_by_ref, csrf_token, form_post, sign_in
from tracker.extensions import db
from tracker.models import AuditEvent, Plan, ProgressUpdate

ADMIN = "laura.pickering@example.org"
OWNER = "gareth.pryce@example.org"  # owns R3.10
SUPERSCRIPT_TWO = "\u00b2"  # "²".isdigit() is True, int("²") fails


def plan_id() -> int:
    return db.session.scalar(select(Plan.id))


@pytest.mark.parametrize(
    "path",
    [
        "/admin/people?page=" + SUPERSCRIPT_TWO,
        "/indicators?page=" + SUPERSCRIPT_TWO,
        "/audit?page=" + SUPERSCRIPT_TWO,
        "/my-actions?plan=" + SUPERSCRIPT_TWO,
        "/plans/{plan}/summary?theme=" + SUPERSCRIPT_TWO,
        "/plans/{plan}/summary.xlsx?theme=" + SUPERSCRIPT_TWO,
        "/plans/{plan}/actions.csv?theme=" + SUPERSCRIPT_TWO,
        "/admin/people?page=99999999999999999999",
        "/plans/{plan}/summary?theme=99999999999999999999",
    ],
)
def test_unicode_and_huge_digits_in_query_arguments(seeded, client, path):
    sign_in(client, ADMIN)
    response = client.get(path.format(plan=plan_id()))
    assert response.status_code == 200


def test_unicode_digits_as_the_version_of_an_action(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, ADMIN)
    url = f"/admin/actions/{action.id}/edit"
    response = form_post(
        client,
        url,
        {
            "description": action.description,
            "owner_id": str(action.owner_id),
            "due_date": ["31", "3", "2016"],
            "version": SUPERSCRIPT_TWO,
        },
    )
    assert response.status_code in (200, 302, 409)
    client = client.application.test_client()
    sign_in(client, OWNER)
    response = form_post(
        client,
        f"/actions/{action.id}/update",
        {"status": action.status, "note": "", "version": SUPERSCRIPT_TWO},
    )
    assert response.status_code in (200, 302, 409)


@pytest.mark.parametrize("kind", ["summary", "summary.xlsx", "actions.csv"])
def test_changes_since_the_last_day_there_is(seeded, client, kind):
    sign_in(client, ADMIN)
    response = client.get(f"/plans/{plan_id()}/{kind}?since=9999-12-31")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "argument",
    ["_anchor=x", "_method=POST", "_scheme=javascript", "_external=1", "endpoint=x"],
)
def test_query_arguments_never_reach_url_for(seeded, client, argument):
    db.session.add_all(AuditEvent(event="test.padding") for _ in range(60))  # two pages
    db.session.commit()
    sign_in(client, ADMIN)
    response = client.get(f"/audit?{argument}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/audit?' in html  # the pagination kept the argument as a query argument
    assert "#x" not in html and "javascript:" not in html and "http://localhost/audit" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/actions/99999999999999999999",
        "/actions/2147483648",  # one past PostgreSQL's INTEGER
        "/plans/9223372036854775808",  # one past SQLite's
        "/admin/people/99999999999999999999",
        "/evidence/99999999999999999999/download",
        "/indicators/CSC-01/values/99999999999999999999",
        "/actions/%C2%B2",
        "/indicators/CSC%00",
        "/indicators/import/%00",
    ],
)
def test_ids_outside_the_database_range_are_not_found(seeded, client, path):
    sign_in(client, ADMIN)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["14"], "must include a day, month and year"),
        (["14", "3", "2016", "1"], "must include a day, month and year"),
        (["14", "3", "1" * 25], "must be a real date"),
        (["14", "3", "²⁰¹⁶"], "must be a real date"),
    ],
)
def test_odd_dates_get_the_forms_own_message(seeded, client, as_at, parts, message):
    as_at(date(2016, 3, 14))
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    response = form_post(
        client,
        f"/actions/{action.id}/update",
        {
            "status": action.status,
            "note": "Moving the date",
            "new_due_date": parts,
            "due_change_reason": "Because",
            "version": str(action.version),
        },
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("parts", [["1"], ["1", "2", "3", "4"], ["14", "3", "1" * 25]])
def test_odd_dates_in_the_structure_and_reminder_forms(seeded, client, parts):
    action = action_by_ref("R3.10")
    sign_in(client, ADMIN)
    response = form_post(
        client,
        f"/admin/actions/{action.id}/edit",
        {
            "description": action.description,
            "owner_id": str(action.owner_id),
            "due_date": parts,
            "version": str(action.version),
        },
    )
    assert response.status_code == 200
    assert "Due date must" in response.get_data(as_text=True)
    query = "&".join(f"day={p}" for p in parts)
    response = client.get(f"/admin/reminders?{query}")
    assert response.status_code == 200
    assert "Enter a" in response.get_data(as_text=True)


def test_a_nul_byte_at_sign_in(seeded, client):
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={"email": "laura.pickering\x00@example.org", "password": "x\x00", "csrf_token": token},
    )
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_a_nul_byte_in_forms_searches_and_addresses(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    response = form_post(
        client,
        f"/actions/{action.id}/update",
        {"status": action.status, "note": "Checked\x00 today", "version": str(action.version)},
    )
    assert response.status_code == 302
    note = db.session.scalars(
        select(ProgressUpdate.note).where(ProgressUpdate.action_id == action.id)
    ).all()
    assert "Checked today" in note
    client = client.application.test_client()
    sign_in(client, ADMIN)
    assert client.get("/admin/people?q=%00").status_code == 200
    assert client.get("/indicators?q=%00").status_code == 200
    assert client.get("/forgot-password").status_code == 200
    response = form_post(client, "/forgot-password", {"email": "a\x00@example.org"})
    assert response.status_code in (200, 302)


def test_a_json_body_with_objects_for_fields(seeded, client):
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in",
        json={"email": {"a": 1}, "password": ["x", None, 5]},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert "Enter your email address" in response.get_data(as_text=True)
