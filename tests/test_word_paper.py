"""The committee paper as a Word document (issue 14 item 5, issue 19 items 1 and 4): the PDF's
content in the PDF's order, built from Word's own styles, each chart a picture with alt text and
its figures as a table; opened here with python-docx as a clerk's Word would read it."""

import io
import re
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from sqlalchemy import select

from tests.conftest import sign_in
from tests.test_inspections import _finding, _visit
from tracker.extensions import db
from tracker.models import (
    Indicator,
    InspectionEvent,
    Plan,
    Recommendation,
    Theme,
    recommendation_indicators,
)

COMMITTEE = "margaret.fenwick@example.org"
ADMIN = "laura.pickering@example.org"
REPORT_DAY = date(2016, 3, 14)
NOVEMBER_MEETING = "2015-11-16"  # seed/plan.toml: the previous Service Director report
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SIGNED_IN = [
    "margaret.fenwick@example.org",  # committee member
    "gareth.pryce@example.org",  # action owner
    "rachel.booth@example.org",  # performance officer
    "laura.pickering@example.org",  # admin
]


def _plan_id() -> int:
    return db.session.scalar(select(Plan.id))


def _get(client, query: str = ""):
    response = client.get(f"/plans/{_plan_id()}/paper.docx{query}")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == DOCX
    return response


def _paper(client, query: str = ""):
    return Document(io.BytesIO(_get(client, query).data))


def _headings(doc) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]


def _all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _table(doc, caption: str):
    """The table whose alt text (w:tblCaption) is `caption`."""
    for table in doc.tables:
        found = table._tbl.tblPr.find(qn("w:tblCaption"))
        if found is not None and found.get(qn("w:val")) == caption:
            return table
    raise AssertionError(f"no table {caption!r}")


def _rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.fixture
def committee(seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    return client


def test_the_word_paper_is_built_from_real_styles(committee):
    doc = _paper(committee)
    headings = _headings(doc)
    assert headings[0] == (
        "Heading 1",
        "Ofsted inspection of children's services in Peterborough 2015: improvement plan: "
        "progress on the improvement plan",
    )
    levels = {style for style, _ in headings}
    assert levels == {"Heading 1", "Heading 2", "Heading 3"}
    for text in ["Summary", "What the ratings mean", "All indicators"]:
        assert ("Heading 2", text) in headings
    assert ("Heading 3", "Actions") in headings and ("Heading 3", "Indicators") in headings
    # No fake headings: no run is made bold or bigger by hand; emphasis is the Strong style.
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [
        r for t in doc.tables for row in t.rows for c in row.cells for r in c.paragraphs[0].runs
    ]
    assert all(r.bold is None and r.font.size is None for r in runs)
    assert any(r.style.name == "Strong" for r in runs)
    bullets = [p for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert any(p.text.startswith("16 November 2015: ") for p in bullets)  # the timeline

    for table in doc.tables:
        assert table.style.name == "Table Grid"
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
        assert all(
            run.style.name == "Strong" for c in table.rows[0].cells for run in c.paragraphs[0].runs
        )

    properties = doc.core_properties
    assert properties.title.startswith("Ofsted inspection of children's services in Peterborough")
    assert properties.title.endswith("progress report, 14 March 2016")
    assert (
        properties.author
        == "Ofsted inspection of children's services in Peterborough 2015: improvement plan"
    )
    assert properties.created.date() == REPORT_DAY and properties.language == "en-GB"
    assert "python-docx" not in (properties.comments + properties.last_modified_by)


def test_every_chart_is_a_picture_with_alt_text_followed_by_its_figures(committee):
    doc = _paper(committee)
    linked = {
        code
        for code in db.session.scalars(
            select(Indicator.code).join(
                recommendation_indicators,
                recommendation_indicators.c.indicator_id == Indicator.id,
            )
        )
    }
    shapes = doc.inline_shapes
    assert len(shapes) == len(linked)  # each linked indicator's chart once
    titles = []
    for shape in shapes:
        properties = shape._inline.docPr
        assert properties.get("title") and properties.get("descr"), properties.get("name")
        assert properties.get("descr").startswith("Line chart of ")
        titles.append(properties.get("title"))
    assert {title.split(":")[0] for title in titles} == linked
    assert shapes[0].width.cm == pytest.approx(16, abs=0.01)

    # In the body, each picture is followed by its key and then the table of its figures.
    body = list(doc.element.body)
    pictures = [i for i, e in enumerate(body) if e.xpath(".//pic:pic")]
    labels = dict(db.session.execute(select(Indicator.code, Indicator.name)).all())
    for index, title in zip(pictures, titles, strict=True):
        code = title.split(":")[0]
        label = f"{labels[code]} ({code})"  # names in words, the code in brackets
        table = next(e for e in body[index:] if e.tag == qn("w:tbl"))
        caption = table.find(qn("w:tblPr")).find(qn("w:tblCaption")).get(qn("w:val"))
        assert caption == f"Figures for {label}, newest first: the same data as the chart"
    image = shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert doc.part.related_parts[image].blob.startswith(b"\x89PNG")

    csc05 = "Single assessments completed within 42 days (CSC-05)"
    figures = _rows(_table(doc, f"Figures for {csc05}, newest first: the same data as the chart"))
    assert figures[0] == [
        "Month",
        "Year to date figure and rating",
        "Month's own figure",
        "Target in force",
        "Notes",
    ]
    january = next(row for row in figures if row[0] == "January 2016")
    assert january[1:3] == ["92.52% ▲ Amber", "98.36% ● Green"]
    assert len(figures) == 1 + 12  # the chart's twelve months, as its points
    # A later recommendation that uses an indicator already charted says where the chart is.
    assert any(
        "The chart and figures for " in p.text and " are under R" in p.text for p in doc.paragraphs
    )
    assert f"The chart and figures for {csc05} are under R1 above." in _all_text(doc)
    # No sentence or caption names an indicator by its bare code.
    bare = re.compile(r"(?<!\()\b(CSC|WF|CAMHS)-\d\d\b(?![):])")  # "CSC-05: name" heads
    captions = [p.text for p in doc.paragraphs if p.style.name in ("Normal", "Caption")]
    assert [text for text in captions if bare.search(text)] == []


def test_the_word_paper_holds_what_the_committee_was_told(committee):
    doc = _paper(committee)
    text = _all_text(doc)
    headings = [text for _, text in _headings(doc)]
    references = [f"R{n}" for n in range(1, 12)]
    for reference in references:
        assert any(h.startswith(f"{reference}: ") for h in headings), reference
    glance = _rows(_table(doc, "At a glance: each recommendation, its actions and its rating"))
    assert [row[0] for row in glance[1:]] == references
    assert glance[1][4].startswith("■ Red ")  # R1, rated red with its reason

    # CSC-05's January month figure beside its year-to-date rating, in its sentence under R3.
    sentence = next(p.text for p in doc.paragraphs if p.text.startswith("CSC-05: "))
    assert "92.52% (year to date) against a 95% target" in sentence
    assert "January 2016 month figure: 98.36% against a 95% target" in sentence

    everything = _rows(_table(doc, "All indicators, with their latest figures"))
    codes = list(db.session.scalars(select(Indicator.code).order_by(Indicator.code)))
    assert len(codes) == 22 and len(everything) == 23
    by_code = {row[0].rsplit("(", 1)[1].rstrip(")"): row for row in everything[1:]}
    assert sorted(by_code) == codes
    assert "73 per 10,000" in by_code["CSC-10"][1]  # linked to no recommendation
    assert by_code["CSC-10"][4] == "No recommendation"
    assert by_code["CSC-05"][2].startswith("January 2016: 98.36%")
    assert "Only recommendations" not in text
    # By default the paper reports changes since the plan's last meeting (docs/committee.md).
    assert "Changes since the meeting of 16 November 2015" in text


def test_the_word_paper_shows_changes_since_the_november_meeting(committee):
    assert "Changes since" not in _all_text(_paper(committee, "?since=none"))
    doc = _paper(committee, f"?since={NOVEMBER_MEETING}")
    headings = [text for _, text in _headings(doc)]
    assert "Changes since the meeting of 16 November 2015" in headings
    assert "Changes since the meeting of 16 November 2015." in _all_text(doc)  # title page
    assert "Newly overdue (3)" in headings
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert any(b.startswith("R3.3: Overdue by 43 days") for b in bullets)
    assert any(
        b.startswith("R1.3: Due date moved from 31 March 2016 to 30 June 2016") for b in bullets
    )
    # The PDF's order: summary, changes, inspections, the rating key, each recommendation, all.
    order = [
        "Summary",
        "Changes since the meeting of 16 November 2015",
        "Inspections, findings and statutory deadlines",
        "What the ratings mean",
        "R1: Live performance data for managers",
        "All indicators",
    ]
    assert [headings.index(h) for h in order] == sorted(headings.index(h) for h in order)
    last = next(i for i, h in enumerate(headings) if h.startswith("R11: Care leavers"))
    assert last < headings.index("All indicators")


def test_the_word_paper_has_the_inspection_findings_deadlines_and_timeline(seeded, client, as_at):
    as_at(REPORT_DAY)
    sign_in(client, ADMIN)
    plan_id, r3 = (
        _plan_id(),
        db.session.scalar(select(Recommendation).where(Recommendation.reference == "R3")),
    )
    assert _visit(client, plan_id).status_code == 302
    event = db.session.scalar(
        select(InspectionEvent).where(InspectionEvent.kind == "monitoring_visit")
    )
    assert (
        _finding(client, event.id, "Progress on chronologies is too slow.", r3).status_code == 302
    )

    doc = _paper(client)
    headings = [text for _, text in _headings(doc)]
    assert (
        "Findings: Inspection under the single inspection framework (SIF), 18 September 2015"
        in headings
    )
    assert "Findings: Monitoring visit, 9 February 2016" in headings
    assert "Timeline" in headings
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert "R3: Progress on chronologies is too slow." in bullets
    assert any(
        b.startswith("R1: Ensure that managers have access to live performance data")
        for b in bullets
    )
    assert "9 February 2016: Monitoring visit – On site until 10 February 2016" in bullets
    deadlines = _rows(_table(doc, "Statutory deadlines, with how each date was counted"))
    final = next(row for row in deadlines if row[0].startswith("Final plan to Ofsted"))
    assert final[1] == "29 December 2015"
    assert "70 working days from the day the report or letter was received" in final[2]


def test_a_filtered_word_paper_says_so_in_words(committee):
    doc = _paper(committee, "?rag=green")
    text = _all_text(doc)
    headings = [text for _, text in _headings(doc)]
    assert "Only recommendations rated green." in text
    assert "R4: Neglect strategy" in headings
    assert not any(h.startswith("R1: ") for h in headings)
    assert len(_rows(_table(doc, "All indicators, with their latest figures"))) == 23  # still all

    theme = db.session.scalar(select(Theme).order_by(Theme.name))
    themed = _all_text(_paper(committee, f"?theme={theme.id}&rag=red"))
    assert f"Only recommendations rated red in the theme {theme.name}." in themed


def test_the_file_is_named_like_the_pdf_and_offered_beside_it(committee):
    response = _get(committee, "?rag=amber")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="plan-{_plan_id()}-committee-paper-2016-03-14.docx"'
    )
    page = committee.get(f"/plans/{_plan_id()}/summary?rag=amber").get_data(as_text=True)
    pdf = page.index(f"/plans/{_plan_id()}/paper.pdf?rag=amber")
    word = page.index(f"/plans/{_plan_id()}/paper.docx?rag=amber")
    assert 0 < word - pdf < 300 and "committee paper (Word)" in page


def test_only_signed_in_people_get_the_word_paper(seeded, client, as_at):
    as_at(REPORT_DAY)
    url = f"/plans/{_plan_id()}/paper.docx"
    response = client.get(url)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    for email in SIGNED_IN:  # every role may view plans
        reader = seeded.test_client()
        sign_in(reader, email)
        assert reader.get(url).mimetype == DOCX, email
    assert reader.get("/plans/999999/paper.docx").status_code == 404


def test_a_plan_with_nothing_in_it_yet_still_gets_a_paper(seeded, client, as_at):
    as_at(REPORT_DAY)
    plan = Plan(title="Focused visit 2016: improvement plan", inspectorate="Ofsted")
    db.session.add(plan)
    db.session.commit()
    sign_in(client, COMMITTEE)
    response = client.get(f"/plans/{plan.id}/paper.docx")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.data))
    headings = [text for _, text in _headings(doc)]
    assert "Summary" in headings and "All indicators" in headings
    assert not doc.inline_shapes
    assert "0 actions: 0 verified" in _all_text(doc)

    # A recommendation with no actions yet says so, rather than a table of headings only.
    from tracker.models import Recommendation

    db.session.add(Recommendation(plan_id=plan.id, position=1, reference="R1", title="Early help"))
    db.session.commit()
    doc = Document(io.BytesIO(client.get(f"/plans/{plan.id}/paper.docx").data))
    assert "No actions yet." in _all_text(doc)
    assert all(len(table.rows) > 1 for table in doc.tables)


def test_the_latest_figure_label_is_drawn_over_its_halo_not_under_it(committee):
    """CairoSVG ignores paint-order: left alone, the white halo would hide the label's letters."""
    from tracker.committee.chart_png import chart_png, chart_svg
    from tracker.committee.summary import build_summary
    from tracker.committee.word import ChartBook
    from tracker.plans.queries import load_plan

    summary = build_summary(load_plan(_plan_id()), REPORT_DAY)
    chart = ChartBook.load(summary).charts["CSC-05"]
    svg = chart_svg(chart)
    assert "paint-order" not in svg
    labels = re.findall(r"<text[^>]*>92\.52% Amber</text>", svg)
    assert labels and "stroke" not in labels[-1]  # the one drawn last, on top, has no halo
    assert chart_png(chart).startswith(b"\x89PNG") and chart_png(chart) == chart_png(chart)


def test_the_word_paper_says_whether_a_complete_recommendation_is_embedded(committee):
    """The summary shows a Complete recommendation's embedding; the Word paper the clerk sends
    says it too, under the recommendation's rating (issue 14 item 7)."""
    from tracker.models import Action, Recommendation

    r11 = select(Action).join(Action.recommendation).where(Recommendation.reference == "R11")
    for action in db.session.scalars(r11):
        action.status = "verified"
        action.completed_on = action.verified_on = REPORT_DAY
    db.session.commit()
    doc = _paper(committee, "?since=none")
    paragraphs = [p.text for p in doc.paragraphs]
    start = paragraphs.index("R11: Care leavers' information and pathway plans")
    wanted = (
        "Not yet embedded: All actions verified; Children looked after 12 months or more with a "
        "health assessment in the last 12 months (CSC-15) off target since February 2015 or "
        "earlier."
    )
    assert wanted in paragraphs[start : start + 8]
    embedded = [p for p in doc.paragraphs if p.text == wanted][0]
    assert embedded.runs[0].style.name == "Strong"
    # Only the complete recommendation carries it.
    assert sum("embedded:" in text.lower() for text in paragraphs) == 1
    # And the data kept with a published paper records it beside the rating.
    from tracker.committee.filters import SummaryFilters
    from tracker.committee.publishing import paper_data
    from tracker.committee.summary import build_summary
    from tracker.plans.queries import load_plan

    summary = build_summary(load_plan(_plan_id()), REPORT_DAY)
    data = paper_data(summary, SummaryFilters(None, None, None, None))
    kept = {rec["reference"]: rec["embedding"] for rec in data["recommendations"]}
    assert kept["R11"] == {
        "state": "Not yet embedded",
        "text": wanted[len("Not yet embedded: ") : -1],
    }
    assert kept["R1"] is None


def test_the_at_a_glance_table_has_no_blank_cells(committee):
    """R10's only action is done: "Next due" says "Nothing open", as the summary page does,
    rather than a blank cell a screen reader reads as "blank"."""
    table = _rows(
        _table(_paper(committee), "At a glance: each recommendation, its actions and its rating")
    )
    r10 = next(row for row in table if row[0] == "R10")
    assert r10[3] == "Nothing open"
    assert all(cell.strip() for row in table for cell in row)


def test_a_paper_filtered_to_nothing_says_so_rather_than_an_empty_table(committee):
    doc = _paper(committee, "?rag=blue&since=none")  # no recommendation is complete on the seed
    text = _all_text(doc)
    assert "Only recommendations that are complete." in text
    assert "No recommendations match these filters." in text
    assert all(len(table.rows) > 1 for table in doc.tables)  # no table of headings only
