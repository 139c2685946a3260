"""The committee's plan summary, changes since a meeting, action versus impact, and exports."""

import csv
import io
import re
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import insert, select

from tests.conftest import action_by_ref, sign_in, statements_cold_and_warm
from tracker.committee.summary import build_summary
from tracker.extensions import db
from tracker.indicators.service import Figure, change_value
from tracker.models import (
    Action,
    CommitteeMeeting,
    Evidence,
    EvidenceKind,
    Indicator,
    Plan,
    ProgressUpdate,
    Recommendation,
    recommendation_indicators,
)
from tracker.plans.queries import load_plan

COMMITTEE = "margaret.fenwick@example.org"
REPORT_DAY = date(2016, 3, 14)


def plan_id() -> int:
    return db.session.scalar(select(Plan.id))


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_committee_lands_on_the_summary_with_explained_ratings(seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    assert client.get("/").headers["Location"] == f"/plans/{plan_id()}/summary"
    html = get(client, f"/plans/{plan_id()}/summary").get_data(as_text=True)
    assert "What the ratings mean" in html
    assert "2 actions overdue; 4 actions awaiting verification" in html  # R3, in words
    assert "R1.4: Cannot start until the data warehouse is built" in html  # latest note
    assert "CSC-05: Single assessments" in html and "Improving over the last 3" in html
    assert "Recommendations: 3 red, 3 amber, 5 green" in html
    # Nothing to change: the only form that posts is signing out.
    assert html.count('method="post"') == 1 and 'action="/sign-out"' in html
    assert "Update this action" not in html


def test_filters_by_theme_and_rating(seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    workforce = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R2"))
    html = get(client, f"/plans/{plan_id()}/summary?theme={workforce.theme_id}").get_data(
        as_text=True
    )
    assert "R2: Workforce stability" in html and "R1: Live performance" not in html
    red = get(client, f"/plans/{plan_id()}/summary?rag=red").get_data(as_text=True)
    assert "R1: Live performance" in red and "R4: Neglect strategy" not in red


def _update(action, when: date, **fields):
    db.session.add(
        ProgressUpdate(
            action_id=action.id,
            created_at=datetime(when.year, when.month, when.day, 10, tzinfo=UTC),
            **fields,
        )
    )


def test_changes_since_a_meeting_report_only_what_came_after_it(seeded, as_at):
    """A history built at known dates: the view since the first meeting sees the later change
    and not the earlier one; since the second meeting, neither."""
    as_at(date(2016, 6, 1))
    plan = db.session.get(Plan, plan_id())
    db.session.add_all(
        [
            CommitteeMeeting(plan_id=plan.id, meeting_on=date(2016, 4, 20), title="April meeting"),
            CommitteeMeeting(plan_id=plan.id, meeting_on=date(2016, 5, 25), title="May meeting"),
        ]
    )
    before, after = action_by_ref("R4.1"), action_by_ref("R7.1")
    _update(
        before,
        date(2016, 4, 10),
        status_from="in_progress",
        status_to="completed",
        note="Strategy agreed by the Board.",
    )
    before.status, before.completed_on = "completed", date(2016, 4, 10)
    _update(
        after,
        date(2016, 5, 2),
        status_from="in_progress",
        status_to="in_progress",
        note="Panel work paused for the elections.",
        due_from=date(2016, 7, 31),
        due_to=date(2016, 9, 30),
        due_change_reason="May 2016 elections",
    )
    after.current_due_date = date(2016, 9, 30)
    db.session.add(
        Evidence(
            action_id=after.id,
            kind=EvidenceKind.NOTE,
            title="Panel minutes",
            note="n",
            added_at=datetime(2016, 5, 3, tzinfo=UTC),
        )
    )
    db.session.commit()

    april = build_summary(load_plan(plan.id), date(2016, 6, 1), since=date(2016, 4, 20))
    completed = [c.reference for c in april.changes["completed"]]
    moved = [c.reference for c in april.changes["moved"]]
    assert "R4.1" not in completed  # completed before the April meeting
    assert moved == ["R7.1"]
    assert "May 2016 elections" in april.changes["moved"][0].text
    assert [c.text for c in april.changes["evidence"]] == ["Panel minutes"]
    newly_overdue = {c.reference for c in april.changes["overdue"]}
    assert "R4.2" in newly_overdue  # due 30 April: after the April meeting, before today
    assert "R3.3" not in newly_overdue  # already overdue in April

    may = build_summary(load_plan(plan.id), date(2016, 6, 1), since=date(2016, 5, 25))
    assert may.changes["moved"] == [] and may.changes["evidence"] == []
    assert "R4.2" not in {c.reference for c in may.changes["overdue"]}

    march = build_summary(load_plan(plan.id), date(2016, 6, 1), since=date(2016, 3, 1))
    assert "R4.1" in [c.reference for c in march.changes["completed"]]


def test_recommendation_rating_changes_since_a_meeting(seeded, as_at):
    as_at(REPORT_DAY)
    summary = build_summary(load_plan(plan_id()), REPORT_DAY, since=date(2015, 11, 16))
    changes = {c.reference: c.text for c in summary.changes["rag"]}
    # In November R3's actions were not yet due; by March two are overdue.
    assert "Green to Red" in changes["R3"]


def test_indicators_whose_rating_changed_since_a_meeting(seeded, as_at):
    as_at(REPORT_DAY)
    summary = build_summary(load_plan(plan_id()), REPORT_DAY, since=date(2015, 11, 16))
    changed = {c.reference: c.text for c in summary.changes["indicators"]}
    # Placement moves were amber at the November report and are green again (§4.40).
    # Named, with the code in brackets: "Placement moves ... (CSC-11): Amber (...) to Green".
    placements = next(label for label in changed if label.endswith("(CSC-11)"))
    assert not placements.startswith("CSC-11")
    assert changed[placements].startswith("Amber") and "to Green" in changed[placements]


def _impact(reference: str):
    summary = build_summary(load_plan(plan_id()), REPORT_DAY)
    return next(row.impact for row in summary.rows if row.rec.reference == reference)


def test_impact_indicators_improve_while_actions_lag(seeded, as_at):
    as_at(REPORT_DAY)
    impact = _impact("R4")  # neglect: 0 of 2 done, early help assessments rising
    assert impact.kind == "improving_actions_lag"
    assert impact.text == (
        "Early help assessments active per 10,000 children (CSC-04) is improving while the "
        "actions lag: 0 of 2 done."
    )


def test_impact_does_not_draw_on_a_caveated_figure(seeded, as_at):
    as_at(REPORT_DAY)
    for action in db.session.scalars(
        select(Action).join(Action.recommendation).where(Recommendation.reference == "R6")
    ):
        action.status = "completed"
    db.session.commit()
    impact = _impact("R6")
    # CSC-14's and CSC-16's latest figures are caveated (§4.44, §4.52): they drive nothing, and
    # the statement says why they were left out.
    assert "getting worse" not in impact.text and "not moved" not in impact.text
    assert (
        "Initial health assessments within 20 working days (CSC-14): January 2016 figure "
        "not comparable: see note" in impact.text
    )
    assert impact.text.startswith("3 of 3 actions done and Children looked after 12 months")
    assert "Not judged:" in impact.text


def test_impact_actions_done_but_indicators_not_moved(seeded, as_at):
    as_at(REPORT_DAY)
    r10 = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R10"))
    cp_reviews = db.session.scalar(select(Indicator).where(Indicator.code == "CSC-08"))
    db.session.execute(
        insert(recommendation_indicators).values(
            recommendation_id=r10.id, indicator_id=cp_reviews.id
        )
    )
    db.session.commit()
    impact = _impact("R10")
    assert impact.kind == "done_not_moved"
    assert impact.text == "The only action is done, but the linked indicators have not moved."


def test_xlsx_export_opens_and_follows_the_filters(seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    response = get(client, f"/plans/{plan_id()}/summary.xlsx?rag=red")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["About", "Recommendations", "Actions", "Indicators", "Values"]
    recs = list(book["Recommendations"].iter_rows(values_only=True))
    assert recs[0][:2] == ("Reference", "Title")
    assert [r[0] for r in recs[1:]] == ["R1", "R3", "R5"]
    assert {r[7] for r in recs[1:]} == {"Red"}
    actions = list(book["Actions"].iter_rows(values_only=True))
    r13 = next(r for r in actions if r[1] == "R1.3")
    assert isinstance(r13[7], datetime) and r13[7].date() == date(2016, 6, 30)
    assert r13[10] == "Amber" and r13[11].startswith("Due date moved")
    assert len(actions) - 1 == 4 + 10 + 4  # R1, R3 and R5's actions
    values = list(book["Values"].iter_rows(values_only=True))
    assert any(v[0] == "CSC-05" and v[3] == 98.36 for v in values)


def test_csv_export_of_actions_follows_filters_and_defuses_formulas(seeded, client, as_at):
    as_at(REPORT_DAY)
    action = action_by_ref("R4.1")
    action.description = '=HYPERLINK("http://evil.example","click")'
    db.session.commit()
    sign_in(client, COMMITTEE)
    text = get(client, f"/plans/{plan_id()}/actions.csv?rag=green").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Recommendation", "Action", "Description"]
    assert {r[0] for r in rows[1:]} == {"R4", "R6", "R7", "R9", "R11"}
    r41 = next(r for r in rows if r[1] == "R4.1")
    assert r41[2].startswith("'=")


def test_pdf_committee_paper(seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    response = get(client, f"/plans/{plan_id()}/paper.pdf?since=2015-11-16")
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Changes since the meeting of 16 November 2015" in text
    assert "What the ratings mean" in text
    for heading in ["R1: Live performance data for managers", "R11: Care leavers"]:
        assert heading in text
    linked = db.session.scalar(
        select(db.func.count(db.distinct(recommendation_indicators.c.indicator_id)))
    )
    assert text.count("figure: the one rated") == linked  # each linked indicator's chart once
    assert reader.trailer["/Root"].get("/MarkInfo", {}).get("/Marked")  # tagged PDF

    green = get(client, f"/plans/{plan_id()}/paper.pdf?rag=green")
    green_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(green.data)).pages)
    assert "R4: Neglect strategy" in green_text and "R1: Live performance" not in green_text
    assert "Only recommendations rated green." in green_text


def _all_codes() -> list[str]:
    return list(db.session.scalars(select(Indicator.code).order_by(Indicator.code)))


def test_pdf_lists_every_indicator_with_the_month_figure_beside_the_rolling_one(
    seeded, client, as_at
):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    response = get(client, f"/plans/{plan_id()}/paper.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = " ".join(text.split())  # table cells wrap: "73 per\n10,000"
    all_indicators = text[text.index("All indicators") :]
    codes = _all_codes()
    assert len(codes) == 22
    for code in codes:  # CSC-02, CSC-10, CSC-18 and CAMHS-01 are linked to no recommendation
        assert code in all_indicators, code
    assert "98.36%" in text  # CSC-05's January month figure beside its year-to-date rating
    assert "73 per 10,000" in all_indicators  # CSC-10, linked to nothing
    assert "This paper is filtered" not in text


def test_xlsx_lists_every_indicator_with_its_month_figure(seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    book = load_workbook(io.BytesIO(get(client, f"/plans/{plan_id()}/summary.xlsx?rag=red").data))
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Filters"] == "Only recommendations rated red"
    rows = list(book["Indicators"].iter_rows(values_only=True))
    header, body = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert sorted(body) == _all_codes()
    assert body["CSC-05"]["Month figure shown as"] == "98.36%"
    assert body["CSC-05"]["Month figure"] == 98.36
    assert body["CSC-10"]["Shown as"] == "73 per 10,000"
    assert not body["CSC-10"]["Recommendations"]  # linked to no recommendation
    assert "Data-quality note" in header and "Provisional" in header


def _grow_plan(rec: Recommendation, owner_id: int, count: int, start: int) -> None:
    for n in range(count):
        db.session.add(
            Action(
                recommendation_id=rec.id,
                position=start + n,
                reference=f"{rec.reference}.G{start + n}",
                description="Generated",
                owner_id=owner_id,
                status="in_progress",
                current_due_date=date(2016, 1 + n % 12, 1),
            )
        )
    db.session.commit()


def test_summary_queries_do_not_grow_with_the_plan(seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    rec = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R3"))
    owner_id = action_by_ref("R3.1").owner_id
    url = f"/plans/{plan_id()}/summary?since=2015-11-16"
    small = statements_cold_and_warm(client, url)
    _grow_plan(rec, owner_id, 1000, 1000)
    assert statements_cold_and_warm(client, url) == small


HEADLINE_RE = re.compile(r'govuk-!-font-size-36 govuk-!-font-weight-bold">(\d+)<')


def test_action_ratings_kept_per_process_show_a_change_on_the_next_request(seeded, client, as_at):
    """Actions' ratings are kept per process (tracker.committee.summary._action_ratings), keyed
    by what they are worked out from: a change of status is on the very next page."""
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    url = f"/plans/{plan_id()}/summary?since=2015-11-16"
    keys = ["total", "verified", "completed", "on_track", "at_risk", "overdue", "blocked"]
    before = dict(
        zip(
            keys,
            map(int, HEADLINE_RE.findall(get(client, url).get_data(as_text=True))),
            strict=True,
        )
    )
    action = action_by_ref("R1.3")
    assert action.status == "in_progress"
    action.status = "blocked"
    db.session.commit()
    after = dict(
        zip(
            keys,
            map(int, HEADLINE_RE.findall(get(client, url).get_data(as_text=True))),
            strict=True,
        )
    )
    assert after["blocked"] == before["blocked"] + 1
    assert after["total"] == before["total"]


def _caveated_trend_claims(text: str) -> list[str]:
    """Sentences that would draw a trend or an impact from CSC-14's caveated figures."""
    claims = ["to 58.3% in January 2016", "CSC-14 is getting worse", "(CSC-14) is getting worse"]
    return [claim for claim in claims if claim in text]


def test_no_trend_or_impact_anywhere_draws_on_a_caveated_figure(seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    r6 = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R6"))
    pages = {
        "summary": f"/plans/{plan_id()}/summary",
        "recommendation": f"/recommendations/{r6.id}",
        "indicator": "/indicators/CSC-14",
    }
    for name, url in pages.items():
        text = get(client, url).get_data(as_text=True)
        assert not _caveated_trend_claims(text), name
        assert "January 2016 figure not comparable: see note" in text, name
    book = load_workbook(io.BytesIO(get(client, f"/plans/{plan_id()}/summary.xlsx").data))
    cells = " ".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    assert not _caveated_trend_claims(cells)
    assert "January 2016 figure not comparable: see note" in cells


def test_summary_opens_with_an_at_a_glance_table(seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    html = get(client, f"/plans/{plan_id()}/summary").get_data(as_text=True)
    glance = html[
        html.index('id="at-a-glance"') : html.index("</table>", html.index("at-a-glance"))
    ]
    assert html.index('id="at-a-glance"') < html.index(
        ">Recommendations</h2>"
    )  # first, then detail
    recs = db.session.scalars(
        select(Recommendation).where(Recommendation.withdrawn_reason.is_(None))
    ).all()
    assert glance.count('<th scope="row"') == len(recs) == 11
    assert (
        'R1<span class="govuk-visually-hidden"> in detail below</span></a>: '
        "Live performance data for managers" in glance
    )
    # Its January figure is caveated; named, with the code in brackets.
    assert "Initial health assessments within 20 working days (CSC-14): not comparable" in glance
    summary = build_summary(load_plan(plan_id()), REPORT_DAY)
    r3 = next(row for row in summary.rows if row.rec.reference == "R3")
    assert r3.overdue == 2  # "by March two are overdue"


def test_a_corrected_figure_before_the_meeting_shows_in_the_changes_at_once(seeded, as_at):
    """An indicator's rating before a meeting is kept per process, keyed by the revision of its
    figures: correcting a figure from before the meeting changes the next summary."""
    as_at(REPORT_DAY)
    since = date(2015, 11, 16)

    def changed() -> dict[str, str]:
        summary = build_summary(load_plan(plan_id()), REPORT_DAY, since=since)
        return {c.reference: c.text for c in summary.changes["indicators"]}

    assert any(label.endswith("(CSC-11)") for label in changed())
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "CSC-11"))
    figures = sorted(
        (v for v in indicator.values if v.basis == indicator.basis),
        key=lambda v: v.period,
        reverse=True,
    )
    now = figures[0]
    then = next(v for v in figures if v.period < date(2015, 11, 1))
    # Corrected as the figure page does it: the figure known at the meeting was as good as
    # today's (the clock is set back to the report day, so only the kept revision is new).
    change_value(then, Figure(now.value, then.provisional, then.data_quality_note), None, "test")
    db.session.commit()
    assert not any(label.endswith("(CSC-11)") for label in changed())


def _since_choices(html: str) -> tuple[list[str], list[str]]:
    """The "Show changes since" list: every option's value, and the one selected."""
    import re

    select_html = re.search(r'<select[^>]*id="since".*?</select>', html, re.S).group(0)
    values = re.findall(r'<option value="([^"]*)"', select_html)
    return values, re.findall(r'<option value="([^"]*)" selected', select_html)


def test_changes_since_a_day_that_is_not_a_meeting_stay_chosen(seeded, client, as_at):
    """A link to changes since 1 January 2016 shows that day chosen in the list: without it the
    browser shows "Do not show changes", and applying a theme would drop the changes."""
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    html = get(client, f"/plans/{plan_id()}/summary?since=2016-01-01").get_data(as_text=True)
    assert "Changes since 1 January 2016" in html
    values, selected = _since_choices(html)
    assert selected == ["2016-01-01"]
    assert values == ["none", "2016-01-01", "2016-03-14", "2015-11-16"]
    assert ">1 January 2016</option>" in html
    # A meeting's own day is not listed twice.
    values, selected = _since_choices(
        get(client, f"/plans/{plan_id()}/summary?since=2015-11-16").get_data(as_text=True)
    )
    assert values == ["none", "2016-03-14", "2015-11-16"] and selected == ["2015-11-16"]


def test_a_since_that_cannot_be_used_is_named_not_silently_replaced(seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    for asked in ["2016-02-30", "2099-01-01", "last-meeting"]:
        response = get(client, f"/plans/{plan_id()}/summary?since={asked}")
        text = response.get_data(as_text=True)
        assert f"“{asked}” is not a day changes can be shown since" in text, asked
        assert "Instead changes are shown since the meeting of 16 November 2015." in text
        assert _since_choices(text)[1] == ["2015-11-16"]
    # A day it can use, "none" and no "since" at all are not refused.
    for query in ["?since=2016-01-01", "?since=none", "", "?since=+"]:
        text = get(client, f"/plans/{plan_id()}/summary{query}").get_data(as_text=True)
        assert "is not a day changes can be shown since" not in text, query
    # Control characters asked for are not echoed.
    text = get(client, f"/plans/{plan_id()}/summary?since=%00x%07").get_data(as_text=True)
    assert "“x” is not a day changes can be shown since" in text and "\x00" not in text
