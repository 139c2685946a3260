"""Wrong data does not get in, and what people read is true (issue 13, items 1-10 that were
reproducible on main): future months, blank evidence, due dates moved into the past, the stale-edit
message, system events as committee notes, and the demo clock."""

import io
from datetime import date

from sqlalchemy import select

from tests.conftest import action_by_ref, csrf_token, form_post, sign_in
from tracker.extensions import db
from tracker.models import (
    Evidence,
    Indicator,
    IndicatorValue,
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
