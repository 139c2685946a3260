"""Issue 13.12: a figure recorded against the wrong month can be moved, and one that should not
exist deleted; each is kept as a revision with its reason, shown in the figure's history (or
under Deleted figures), audited, and ratings and trends follow."""

import re
from datetime import date

from sqlalchemy import select

from tests.conftest import form_post, sign_in
from tracker.extensions import db
from tracker.indicators.queries import latest_values_for
from tracker.models import AuditEvent, Indicator, IndicatorValue, IndicatorValueRevision

PERFORMANCE = "rachel.booth@example.org"
HEAD = "mark.ellison@example.org"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def figure(code: str, period: date) -> IndicatorValue | None:
    return db.session.scalar(
        select(IndicatorValue)
        .join(IndicatorValue.indicator)
        .where(Indicator.code == code, IndicatorValue.period == period)
    )


def latest_period(code: str) -> date:
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == code))
    (summary,) = latest_values_for([indicator])
    return summary.latest.period


def stamp(html: str) -> str:
    return re.search(r'name="stamp"[^>]*value="([^"]+)"', html).group(1)


def test_a_figure_is_moved_to_the_right_month_with_a_reason(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    sign_in(client, PERFORMANCE)
    form_post(
        client,
        "/indicators/CSC-15/values/new",
        {"period": "2016-03", "basis": "month", "value": "80"},
    )
    assert latest_period("CSC-15") == date(2016, 3, 1)
    wrong = figure("CSC-15", date(2016, 3, 1))
    url = f"/indicators/CSC-15/values/{wrong.id}/move"
    html = page(client, url)
    blank = form_post(client, url, {"period": "2016-02", "reason": "  ", "stamp": stamp(html)})
    assert "Enter why the figure is moving to another month" in blank.get_data(as_text=True)
    taken = form_post(client, url, {"period": "2016-01", "reason": "x", "stamp": stamp(html)})
    assert "There is already a month figure for January 2016" in taken.get_data(as_text=True)
    future = form_post(client, url, {"period": "2016-05", "reason": "x", "stamp": stamp(html)})
    assert "May 2016 is in the future" in future.get_data(as_text=True)

    moved = form_post(
        client,
        url,
        {"period": "Feb-16", "reason": "Entered against the wrong month", "stamp": stamp(html)},
    )
    assert moved.status_code == 302
    assert figure("CSC-15", date(2016, 3, 1)) is None
    assert figure("CSC-15", date(2016, 2, 1)).value == 80
    assert latest_period("CSC-15") == date(2016, 2, 1)  # ratings and trends read the new month
    history = page(client, f"/indicators/CSC-15/values/{wrong.id}")
    assert "Moved from March 2016 to February 2016" in history
    assert "Reason: Entered against the wrong month" in history
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "indicator_value.moved"))
    assert event.before["period"] == "2016-03" and event.after["period"] == "2016-02"
    assert event.after["reason"] == "Entered against the wrong month"


def test_a_figure_is_deleted_with_a_reason_and_kept_under_deleted_figures(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    sign_in(client, PERFORMANCE)
    form_post(
        client,
        "/indicators/CSC-15/values/new",
        {"period": "2016-03", "basis": "month", "value": "80"},
    )
    wrong = figure("CSC-15", date(2016, 3, 1))
    wrong_id, indicator_id = wrong.id, wrong.indicator_id
    edit = f"/indicators/CSC-15/values/{wrong_id}/edit"
    form_post(client, edit, {"value": "81", "stamp": stamp(page(client, edit))})
    url = f"/indicators/CSC-15/values/{wrong_id}/delete"
    html = page(client, url)
    blank = form_post(client, url, {"reason": " ", "stamp": stamp(html)})
    assert "Enter why the figure is being deleted" in blank.get_data(as_text=True)
    deleted = form_post(
        client, url, {"reason": "No March figures until April", "stamp": stamp(html)}
    )
    assert deleted.status_code == 302
    assert figure("CSC-15", date(2016, 3, 1)) is None
    assert latest_period("CSC-15") == date(2016, 1, 1)
    # The figure and its earlier correction are kept, with the reason.
    kept = db.session.scalars(
        select(IndicatorValueRevision).order_by(IndicatorValueRevision.id)
    ).all()
    assert [(r.change, r.previous_value) for r in kept] == [("corrected", 80), ("deleted", 81)]
    assert all(r.indicator_value_id is None and r.indicator_id == indicator_id for r in kept)
    indicator_page = page(client, "/indicators/CSC-15")
    section = indicator_page[indicator_page.index('id="deleted"') :]
    assert "March 2016 (month)" in section
    assert "81%" in section and "No March figures until April" in section
    assert "Rachel Booth" in section
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.event == "indicator_value.deleted")
    )
    assert event.before["value"] == 81 and event.after == {"reason": "No March figures until April"}
    assert client.get(f"/indicators/CSC-15/values/{wrong_id}").status_code == 404


def test_only_people_who_manage_indicators_move_or_delete_figures(seeded, client):
    value = figure("CSC-15", date(2016, 1, 1))
    sign_in(client, HEAD)
    for action in ("move", "delete"):
        assert client.get(f"/indicators/CSC-15/values/{value.id}/{action}").status_code == 403
