"""Parts of pages rendered once per process and distinct content (tracker/fragments.py): the
plan summary's recommendation sections, at-a-glance table, changes since a meeting and filters.
A change to anything they show is on the very next request, exactly as a new process renders
it."""

import re
from datetime import UTC, date, datetime, timedelta

from markupsafe import Markup
from sqlalchemy import select

from tests.conftest import action_by_ref, forget_worked_out_indicators, sign_in
from tracker.extensions import db
from tracker.fragments import render_fragment
from tracker.models import Plan, ProgressUpdate, Recommendation

COMMITTEE = "margaret.fenwick@example.org"
REPORT_DAY = date(2016, 3, 14)
# Per request or per second: the sign-out form's CSRF token and the CSP nonce.
PER_REQUEST = re.compile(r'(value|nonce|content)="[A-Za-z0-9_.\-]{20,}"')


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return PER_REQUEST.sub(r'\1="X"', response.get_data(as_text=True))


def _warm_and_fresh(client, url: str) -> str:
    """The page from this process (fragments kept from earlier requests), checked against the
    page a new process renders (nothing kept)."""
    warm = _page(client, url)
    forget_worked_out_indicators()
    assert _page(client, url) == warm
    return warm


def _summary_url(since: str = "2015-11-16") -> str:
    return f"/plans/{db.session.scalar(select(Plan.id))}/summary?since={since}"


def _section(html: str, reference: str) -> str:
    """One recommendation's section of the summary."""
    rec_id = db.session.scalar(
        select(Recommendation.id).where(Recommendation.reference == reference)
    )
    start = html.index(
        f'<section class="app-print-section govuk-!-margin-bottom-8" aria-labelledby="rec-{rec_id}"'
    )
    return html[start : html.index("</section>", start)]


def _glance(html: str) -> str:
    start = html.index('id="at-a-glance"')
    return html[start : html.index("</table>", start)]


def test_a_fragment_is_kept_by_its_key_and_rendered_afresh_for_another(app):
    """The template is rendered with exactly the variables given, once per key."""
    name = "indicators/_summary-table.html"
    with app.test_request_context():
        one = render_fragment(name, ("k", 1), indicators=[], caption="One")
        assert isinstance(one, Markup) and "One" in one
        assert render_fragment(name, ("k", 1), indicators=[], caption="Two") == one  # kept
        assert "Two" in render_fragment(name, ("k", 2), indicators=[], caption="Two")
        assert "Three" in render_fragment(name, None, indicators=[], caption="Three")  # not kept
        assert render_fragment(name, None, indicators=[], caption="Four") != one


def test_a_changed_status_due_date_and_note_show_on_the_next_summary(seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    url = _summary_url()
    before = _warm_and_fresh(client, url)
    action = action_by_ref("R1.3")
    assert action.status == "in_progress"

    action.status = "blocked"
    db.session.commit()
    blocked = _warm_and_fresh(client, url)
    assert _section(blocked, "R1") != _section(before, "R1")
    assert _glance(blocked) != _glance(before)

    action.current_due_date = REPORT_DAY - timedelta(days=3)
    action.status = "in_progress"
    db.session.commit()
    overdue = _warm_and_fresh(client, url)
    assert "overdue" in _section(overdue, "R1") and "overdue" not in _section(blocked, "R1")

    db.session.add(
        ProgressUpdate(
            action_id=action.id,
            created_at=datetime(2016, 3, 15, 1, tzinfo=UTC),  # the newest note
            note="The warehouse's first extract ran overnight.",
        )
    )
    db.session.commit()
    noted = _warm_and_fresh(client, url)
    assert "R1.3: The warehouse&#39;s first extract ran overnight." in _section(noted, "R1")

    # The changes since the meeting: a due date moved.
    db.session.add(
        ProgressUpdate(
            action_id=action.id,
            created_at=datetime(2016, 3, 15, 2, tzinfo=UTC),
            due_from=action.current_due_date,
            due_to=date(2016, 9, 30),
            due_change_reason="The supplier's delay",
        )
    )
    db.session.commit()
    moved = _warm_and_fresh(client, url)
    assert "Reason given: The supplier&#39;s delay" in moved
    assert "Reason given: The supplier&#39;s delay" not in noted


def test_a_changed_recommendation_and_day_show_on_the_next_summary(app, seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    url = _summary_url()
    before = _warm_and_fresh(client, url)
    rec = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R2"))
    rec.title = "A title written after the page was first shown"
    db.session.commit()
    retitled = _warm_and_fresh(client, url)
    assert "R2: A title written after the page was first shown" in _section(retitled, "R2")
    assert "A title written after the page was first shown" in _glance(retitled)
    assert "A title written after the page was first shown" not in before
    # The filters: a theme renamed is in the theme choices; another filter, in the links.
    rec.theme.name = "A theme renamed"
    db.session.commit()
    renamed = _warm_and_fresh(client, url)
    assert f'<option value="{rec.theme.id}">A theme renamed</option>' in renamed
    red = _warm_and_fresh(client, url + "&rag=red")
    assert "/summary.xlsx?rag=red&amp;since=2015-11-16" in red
    assert "/summary.xlsx?rag=red" not in renamed

    # A later day: actions due in between are overdue now, in the sections and at a glance.
    as_at(date(2016, 4, 5))
    client = app.test_client()  # the clock moved on: signed in afresh
    sign_in(client, COMMITTEE)
    later = _warm_and_fresh(client, url)
    assert later.count("overdue") > retitled.count("overdue")
    assert _glance(later) != _glance(retitled)
