"""The committee paper as a Word document (python-docx): the same content, in the same order, as
the PDF (templates/committee/paper.html), built from Word's own styles so that a committee clerk
can paste it into the council's report template: Heading 1-3, List Bullet, Caption, Strong,
tables with a repeating header row, each chart a PNG picture with alt text followed by its
figures as a table. docs/committee.md "The Word paper" says what is in it and why."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from docx import Document
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm
from docx.table import Table
from docx.text.paragraph import Paragraph

from tracker.clock import now
from tracker.committee.chart_png import chart_png
from tracker.committee.summary import PlanSummary, RecommendationRow
from tracker.indicators.chart import LineChart, build_chart
from tracker.indicators.pages import MonthRow, indicator_rows
from tracker.indicators.queries import IndicatorSummary, latest_values_for
from tracker.indicators.rag import FigureLike, format_value
from tracker.inspections import inspection_kind
from tracker.inspections.timeline import PlanInspections, plan_inspections
from tracker.models import Basis, Indicator, Plan, Recommendation
from tracker.rag import RAG_KEY, Colour, Rag
from tracker.templating import govuk_date, govuk_datetime, month_label

# A piece of text and the character style it is set in (None: the paragraph's own).
Piece = tuple[str, str | None]
Content = str | list[Piece]
Columns = list[tuple[str, float]]  # a table's headings, each with its width in centimetres

STRONG = "Strong"
BULLET = "List Bullet"
CAPTION = "Caption"
TABLE_STYLE = "Table Grid"
CHART_WIDTH = Cm(16)  # A4 with 2 cm margins leaves 17 cm

# The same marks as the PDF's rating tags: the rating never depends on colour alone.
MARKS = {Colour.RED: "■ ", Colour.AMBER: "▲ ", Colour.GREEN: "● ", Colour.BLUE: "◆ "}

CHANGE_SECTIONS = [
    ("completed", "Actions completed or verified"),
    ("overdue", "Newly overdue"),
    ("moved", "Due dates moved"),
    ("rag", "Recommendations whose rating changed"),
    ("evidence", "New evidence"),
    ("indicators", "Indicators whose rating changed"),
]
LINE_LOOKS = {
    "target": "dashed black line",
    "range": "dashed black lines",
    "benchmark": "dotted blue line",
    "england": "dash-dot purple line",
}
POINT_KEY = (
    "Rating of each point: red square, amber triangle, green circle, no target dash, "
    "not rated hollow circle"
)

# Characters XML 1.0 cannot hold (text is cleaned at input; this keeps a stray one from
# failing the whole paper).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BLANK_LINES = re.compile(r"\n\s*\n")


def paper_docx(summary: PlanSummary, filters) -> bytes:
    """The committee paper for `summary` (as filtered by `filters`) as a .docx file."""
    w = Writer(_new_document(summary))
    _title_page(w, summary, filters)
    _summary_section(w, summary)
    if summary.since:
        _changes_section(w, summary, filters.since_label)
    _inspections_section(w, plan_inspections(summary.plan, summary.day))
    _rating_key(w)
    charts = ChartBook.load(summary)
    for row in summary.rows:
        _recommendation(w, row, charts)
    _all_indicators(w, summary)
    out = io.BytesIO()
    w.doc.save(out)
    return out.getvalue()


# --- The document and its building blocks ---------------------------------------------------


def _new_document(summary: PlanSummary) -> WordDocument:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    for lang in doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
        lang.set(qn("w:val"), "en-GB")
    _core_properties(doc, summary)
    return doc


def _core_properties(doc: WordDocument, summary: PlanSummary) -> None:
    """What Word shows under File > Info, replacing python-docx's own placeholders."""
    props = doc.core_properties
    plan = summary.plan
    props.title = f"{plan.title}: progress report, {govuk_date(summary.day)}"
    props.subject = "Progress on the improvement plan for the scrutiny committee"
    props.author = plan.title
    props.last_modified_by = "Improvement plan tracker"
    props.comments = (
        f"Position as at {govuk_date(summary.day)}. Made by the improvement plan tracker."
    )
    props.keywords = "improvement plan; scrutiny committee; Ofsted"
    props.language = "en-GB"
    props.category = "Committee paper"
    props.created = props.modified = now()
    props.revision = 1


def _safe(text: str) -> str:
    return _NOT_XML.sub("", text)


class Writer:
    """Adds paragraphs, headings and tables to a document in Word's built-in styles.

    Styles are set by their ids, found once: python-docx looks a style name up among all the
    document's styles on every run, which took most of the time of a paper of 3,000 runs."""

    def __init__(self, doc: WordDocument):
        self.doc = doc
        self.ids = {style.name: style.style_id for style in doc.styles}

    def paragraph(self, content: Content, style: str | None = None, parent=None) -> Paragraph:
        paragraph = (parent or self.doc).add_paragraph()
        if style:
            paragraph._p.style = self.ids[style]
        self.add(paragraph, content)
        return paragraph

    def paragraphs(self, text: str | None) -> None:
        """A blank line starts a new paragraph, a single new line is a line break (as the PDF)."""
        for block in _BLANK_LINES.split((text or "").strip()):
            if block.strip():
                self.paragraph(block.strip())

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(text, f"Heading {level}")

    def add(self, paragraph: Paragraph, content: Content) -> None:
        """Runs in their character styles. python-docx turns a new line into a line break."""
        pieces = [(content, None)] if isinstance(content, str) else content
        for text, style in pieces:
            if text:
                run = paragraph.add_run(_safe(text))
                if style:
                    run._r.style = self.ids[style]

    def table(self, columns: Columns, rows: Sequence[Sequence[Content]], caption: str) -> Table:
        """A table in a built-in style whose first row repeats on every page as its header.
        `columns`: each column's heading and width in centimetres (17 across)."""
        self.paragraph(caption, CAPTION).paragraph_format.keep_with_next = True
        table = self.doc.add_table(rows=1 + len(rows), cols=len(columns))
        table._tbl.tblPr.style = self.ids[TABLE_STYLE]
        _describe_table(table, caption)
        widths = [Cm(width) for _, width in columns]
        for grid_column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_column.w = width
        trs = table._tbl.tr_lst
        trs[0].get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        header: list[Content] = [[(heading, STRONG)] for heading, _ in columns]
        for tr, values in zip(trs, [header, *rows], strict=True):
            for tc, value, width in zip(tr.tc_lst, values, widths, strict=True):
                tc.width = width
                # The cell's own empty paragraph, reached through the XML: python-docx's
                # row.cells rebuilds the whole grid each time (quadratic in a long table).
                self.add(Paragraph(tc.p_lst[0], table), value)
        return table


def _describe_table(table: Table, caption: str) -> None:
    """The table's alt text (Word's Table Properties > Alt Text), after tblLook as the schema
    orders them."""
    element = OxmlElement("w:tblCaption")
    element.set(qn("w:val"), _safe(caption)[:255])
    table._tbl.tblPr.append(element)


def _rag(rag: Rag) -> list[Piece]:
    return [(MARKS.get(rag.colour, "") + rag.label, STRONG), (f" {rag.reason}", None)]


def _rating(row: RecommendationRow) -> list[Piece]:
    """The rating and its reason, then, once every action is verified, whether the
    recommendation is embedded (tracker/embedding.py), as the PDF shows it."""
    pieces = _rag(row.rag)
    if row.embedding:
        pieces += [
            ("\n", None),
            (f"{row.embedding.label}:", STRONG),
            (f" {row.embedding.text}", None),
        ]
    return pieces


# --- Sections, in the PDF's order ------------------------------------------------------------


def _title_page(w: Writer, summary: PlanSummary, filters) -> None:
    plan = summary.plan
    assert isinstance(plan, Plan)  # the paper reads the whole plan (load_plan), not its rows
    w.paragraph("Scrutiny committee paper")
    if filters.prepared_for:
        w.paragraph(f"Prepared for: {filters.prepared_for}.")
    w.heading(f"{plan.title}: progress on the improvement plan", 1)
    w.paragraph(f"Position as at {govuk_date(summary.day)}.")
    if summary.since:
        w.paragraph(f"Changes since {filters.since_label}.")
    w.paragraph(
        f"{plan.inspectorate}: {plan.inspection_type}. "
        f"Report published {govuk_date(plan.published_on)}.",
    )
    described = filters.describe(summary.themes)
    if described:
        w.paragraph(f"{described}.")
    w.paragraph([("Overall: ", None), *_rag(summary.rating)])


def _summary_section(w: Writer, summary: PlanSummary) -> None:
    w.heading("Summary", 2).paragraph_format.page_break_before = True  # after the title page
    h = summary.headline
    w.paragraph(
        f"{h['total']} actions: {h['verified']} verified, {h['completed']} completed awaiting "
        f"verification, {h['on_track']} on track, {h['at_risk']} at risk, {h['overdue']} overdue, "
        f"{h['blocked']} blocked.",
    )
    rows: list[list[Content]] = [
        [
            row.rec.reference,
            row.rec.title,
            f"{row.done} of {len(row.actions)}",
            govuk_date(row.next_due) or "Nothing open",  # as the summary page, not a blank
            _rating(row),
        ]
        for row in summary.rows
    ]
    columns = [
        ("Ref", 1.2),
        ("Recommendation", 4.3),
        ("Actions done", 2.2),
        ("Next due", 2.8),
        ("Rating and reason", 6.5),
    ]
    if not rows:  # filtered to nothing: say so rather than leave a table of headings only
        w.paragraph("No recommendations match these filters.")
        return
    w.table(columns, rows, "At a glance: each recommendation, its actions and its rating")


def _changes_section(w: Writer, summary: PlanSummary, label: str | None) -> None:
    w.heading(f"Changes since {label}", 2)
    for key, heading in CHANGE_SECTIONS:
        found = summary.changes.get(key, [])
        w.heading(f"{heading} ({len(found)})", 3)
        if not found:
            w.paragraph("None.")
        for change in found:
            w.paragraph([(change.reference, STRONG), (f": {change.text}", None)], BULLET)


def _inspections_section(w: Writer, inspections: PlanInspections) -> None:
    w.heading("Inspections, findings and statutory deadlines", 2)
    if inspections.deadlines:
        _deadlines(w, inspections)
    for event in inspections.events:
        if event.findings:
            _findings(w, event)
    if inspections.timeline:
        w.heading("Timeline", 3)
        for entry in inspections.timeline:
            w.paragraph(_timeline_entry(entry), BULLET)


def _deadlines(w: Writer, inspections: PlanInspections) -> None:
    rows: list[list[Content]] = [
        [
            f"{d.label} ({inspection_kind(d.event.kind)}): {d.why_required}",
            govuk_date(d.due),
            f"Counted from {govuk_date(d.event.received_on)}: {d.how_counted}. "
            f"Source: {d.rule.source}.",
            _rag(d.rag),
        ]
        for d in inspections.deadlines
    ]
    columns = [
        ("Deadline", 4.0),
        ("Due", 2.5),
        ("Rule and source", 6.5),
        ("Rating and reason", 4.0),
    ]
    w.table(columns, rows, "Statutory deadlines, with how each date was counted")


def _findings(w: Writer, event) -> None:
    when = event.published_on or event.started_on
    heading = f"Findings: {inspection_kind(event.kind)}"
    w.heading(heading + (f", {govuk_date(when)}" if when else ""), 3)
    for finding in event.findings:
        references = ", ".join(r.reference for r in finding.recommendations) or "Whole plan"
        w.paragraph([(references, STRONG), (f": {finding.text}", None)], BULLET)


def _timeline_entry(entry) -> list[Piece]:
    text = f": {entry.what}"
    if entry.detail:
        text += f" – {entry.detail}"
    if entry.rag:
        text += f" ({entry.rag.label}: {entry.rag.reason})"
    return [(govuk_date(entry.day), STRONG), (text, None)]


def _rating_key(w: Writer) -> None:
    w.heading("What the ratings mean", 2)
    rows: list[list[Content]] = [
        [[(MARKS.get(c, "") + c.label, STRONG)], meaning] for c, meaning in RAG_KEY
    ]
    w.table([("Rating", 3.0), ("What it means", 14.0)], rows, "What each rating means")


def _recommendation(w: Writer, row: RecommendationRow, charts: ChartBook) -> None:
    rec = row.rec
    assert isinstance(rec, Recommendation)  # the paper reads the whole plan (load_plan)
    heading = w.heading(f"{rec.reference}: {rec.title}", 2)
    heading.paragraph_format.page_break_before = True  # as the PDF: each on a new page
    w.paragraphs(rec.text)
    lead = rec.lead.job_title if rec.lead else "not assigned"
    w.paragraph([(f"Lead: {lead}. Rating: ", None), *_rag(row.rag)])
    if row.embedding:  # a Complete recommendation: embedded yet, or what it still needs
        embedding = row.embedding
        w.paragraph([(f"{embedding.label}: ", STRONG), (f"{embedding.text}.", None)])
    if row.impact:
        w.paragraphs(row.impact.text)
    w.heading("Actions", 3)
    rows = [_action_cells(a, rag) for a, rag in zip(row.actions, row.action_rags, strict=True)]
    columns = [
        ("Ref", 1.4),
        ("Action", 4.7),
        ("Owner", 3.0),
        ("Due", 2.6),
        ("Status", 2.4),
        ("Rating", 2.9),
    ]
    if rows:
        w.table(columns, rows, f"Actions for {rec.reference}")
    else:
        w.paragraph("No actions yet.")
    if row.latest_note:
        w.heading("Latest progress note", 3)
        note = row.latest_note
        by = f", {note.author}" if note.author else ""
        w.paragraph(f"{note.text} ({govuk_datetime(note.at)}{by})")
    if row.indicators:
        w.heading("Indicators", 3)
        for indicator in row.indicators:
            w.paragraph(_indicator_sentence(indicator))
            charts.place(w, indicator, rec.reference)


def _action_cells(action, rag: Rag) -> list[Content]:
    due = govuk_date(action.current_due_date)
    if action.original_due_date and action.current_due_date != action.original_due_date:
        due += f" (was {govuk_date(action.original_due_date)})"
    owner = action.owner.job_title if action.owner else ""
    return [action.reference, action.description, owner, due, action.status_label, _rag(rag)]


def _provisional(value: FigureLike | None) -> str:
    return " (provisional)" if value is not None and value.provisional else ""


def _indicator_sentence(s: IndicatorSummary) -> list[Piece]:
    """As the PDF: the rating, the month's own figure beside a rolling or year-to-date one,
    the trend, and the latest figure's data caveat."""
    code, name = s.indicator.code, s.indicator.name
    if s.rating is None:
        return [(f"{code}: {name}", STRONG), (". No figures yet.", None)]
    pieces: list[Piece] = [(f"{code}: {name}", STRONG), (". ", None), *_rag(s.rating.rag)]
    pieces.append((f"{_provisional(s.latest)}.", None))
    month = s.latest_month
    if s.month_rag and month is not None:
        pieces.append(
            (
                f" {month.period:%B %Y} month figure: {s.month_rag.reason}{_provisional(month)}.",
                None,
            )
        )
    pieces.append((f" {s.rating.trend}.", None))
    if s.latest and s.latest.data_quality_note:
        pieces.append((f" Data caveat: {s.latest.data_quality_note}", STRONG))
    return pieces


def _all_indicators(w: Writer, summary: PlanSummary) -> None:
    w.heading("All indicators", 2)
    w.paragraph(
        "Every indicator the council tracks, whether or not a recommendation is linked to it. "
        "Where an indicator is judged on a rolling or year-to-date figure, the month's own "
        "figure is shown beside it.",
    )
    columns = [
        ("Indicator", 3.6),
        ("Rated figure", 4.0),
        ("Month figure", 3.0),
        ("Trend", 3.8),
        ("Used by", 2.6),
    ]
    rows = [_indicator_cells(s, summary) for s in summary.indicators]
    w.table(columns, rows, "All indicators, with their latest figures")


def _indicator_cells(s: IndicatorSummary, summary: PlanSummary) -> list[Content]:
    rated: Content = "No figures yet"
    if s.latest and s.rating:
        rated = [(f"{s.latest.period:%B %Y}: ", None), *_rag(s.rating.rag)]
        rated.append((_provisional(s.latest), None))
    month = ""
    value = s.latest_month
    if s.month_rag and value is not None:
        month = f"{value.period:%B %Y}: {s.month_rag.reason}{_provisional(value)}"
    elif s.judged_on_month:
        month = "Judged on the month"
    trend: list[Piece] = [(s.rating.trend if s.rating else "No trend yet", None)]
    trend += [
        (f" Data caveat ({v.period:%B %Y}): {v.data_quality_note}", STRONG) for v in s.caveats
    ]
    used = summary.recommendations_using(s.indicator.code) or "No recommendation"
    return [f"{s.indicator.name} ({s.indicator.code})", rated, month, trend, used]


# --- Charts ----------------------------------------------------------------------------------


@dataclass
class ChartBook:
    """Each linked indicator's chart and the figures it is drawn from. A chart appears once, under
    the first recommendation that uses it; later ones say where it is."""

    charts: dict[str, LineChart]
    figures: dict[str, list[MonthRow]]
    shown_under: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, summary: PlanSummary) -> ChartBook:
        linked = {s.indicator.id: s.indicator for row in summary.rows for s in row.indicators}
        charts, figures = {}, {}
        for full in latest_values_for(list(linked.values()), per_series=24):
            published = full.benchmarks.chart_lines() if full.benchmarks else None
            chart = build_chart(full.indicator, full.series, full.targets, published=published)
            if chart is not None:
                charts[full.indicator.code] = chart
                figures[full.indicator.code] = _charted_rows(indicator_rows(full), chart)
        return cls(charts, figures)

    def place(self, w: Writer, s: IndicatorSummary, reference: str) -> None:
        code = s.indicator.code
        chart = self.charts.get(code)
        if chart is None:
            return
        earlier = self.shown_under.get(code)
        if earlier:
            w.paragraph(f"The chart and figures for {s.indicator.label} are under {earlier} above.")
            return
        self.shown_under[code] = reference
        _picture(w, chart)
        w.paragraph(_chart_key(chart), CAPTION)
        _figures_table(w, s.indicator, self.figures[code])


def _charted_rows(rows: list[MonthRow], chart: LineChart) -> list[MonthRow]:
    """The months the chart shows: its data table holds the same figures."""
    months = {p.period for series in chart.series for p in series.points}
    return [row for row in rows if row.period in months]


def _picture(w: Writer, chart: LineChart) -> None:
    """The chart as a PNG with alt text: its title, and the description screen readers get on
    the web page (which ends by pointing to the table of figures that follows)."""
    picture = w.doc.add_paragraph()
    picture.paragraph_format.keep_with_next = True  # with its key
    run = picture.add_run()
    shape = run.add_picture(io.BytesIO(chart_png(chart)), width=CHART_WIDTH)
    properties = shape._inline.docPr
    properties.set("title", _safe(chart.title))
    properties.set("descr", _safe(chart.description))


def _chart_key(chart: LineChart) -> str:
    """The key under the chart on the web page and in the PDF, in words."""
    entries = []
    if chart.judged:
        entries.append(f"{chart.judged.name}: solid line, the one rated")
    entries += [
        f"{series.name}: dashed grey line, not rated on this chart" for series in chart.other
    ]
    entries += [f"{name}: {LINE_LOOKS.get(kind, 'line')}" for kind, name in chart.line_kinds]
    entries.append(POINT_KEY)
    return "Key. " + "; ".join(entries) + "."


def _figures_table(w: Writer, indicator: Indicator, rows: list[MonthRow]) -> None:
    """A line per month: each figure with its rating (the rating's reason is in the sentence
    above for the latest month; 24 reasons a chart would fill pages)."""
    on_month = indicator.basis == Basis.MONTH
    if on_month:
        columns = [("Month", 2.8), ("Figure and rating", 3.6), ("Target in force", 4.0)]
    else:
        rated = f"{Basis(indicator.basis).label} figure and rating"
        columns = [("Month", 2.8), (rated, 3.4), ("Month's own figure", 3.0)]
        columns.append(("Target in force", 3.4))
    columns.append(("Notes", 17.0 - sum(width for _, width in columns)))
    body = [_figure_cells(indicator, row, on_month) for row in rows]
    caption = f"Figures for {indicator.label}, newest first: the same data as the chart"
    w.table(columns, body, caption)


def _figure_cells(indicator: Indicator, row: MonthRow, on_month: bool) -> list[Content]:
    cells = [month_label(row.period), _figure(indicator, row.judged, row.judged_rag)]
    if not on_month:
        cells.append(_figure(indicator, row.month, row.month_rag))
    notes = " ".join(_figure_note(v, on_month) for v in row.values).strip()
    return [*cells, row.target, notes]


def _figure(indicator: Indicator, value: FigureLike | None, rag: Rag | None) -> Content:
    """ "92.52% ▲ Amber": the figure as shown everywhere, then its rating."""
    if value is None or rag is None:
        return "No figure"
    shown = format_value(value.value, indicator.unit, indicator.decimals)
    return [(f"{shown} ", None), (MARKS.get(rag.colour, "") + rag.label, STRONG)]


def _figure_note(value: FigureLike, on_month: bool) -> str:
    parts = [] if on_month else [f"{Basis(value.basis).label}:"]
    if value.provisional:
        parts.append("Provisional.")
    if value.data_quality_note:
        parts.append(f"Data caveat: {value.data_quality_note}")
    if value.quoted:
        parts.append(
            f"Quoted in the report ({value.source})." if value.source else "Quoted in the report."
        )
    return " ".join(parts) if len(parts) > (0 if on_month else 1) else ""
