"""The committee paper as printed (issue 14 item 6): each indicator's chart once, later
recommendations pointing to it; chart labels that print (no SVG paint-order, placed clear of the
lines; checked on the rasterised PDF page); the tagged-PDF structure kept."""

import io
import re
import xml.etree.ElementTree as ET
from datetime import date

import pypdfium2
import pytest
from flask import get_template_attribute
from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import sign_in
from tracker.extensions import db
from tracker.indicators.chart import NARROW, PRINT, WIDE, build_chart, segment_crosses_box
from tracker.indicators.queries import latest_values_for
from tracker.models import Indicator, Plan, recommendation_indicators

COMMITTEE = "margaret.fenwick@example.org"
REPORT_DAY = date(2016, 3, 14)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def paper(seeded, client, as_at) -> bytes:
    as_at(REPORT_DAY)
    sign_in(client, COMMITTEE)
    plan_id = db.session.scalar(select(Plan.id))
    response = client.get(f"/plans/{plan_id}/paper.pdf?since=2015-11-16")
    assert response.status_code == 200
    return response.data


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def _structure(pdf: bytes) -> list[tuple[str, str | None]]:
    """Every element of the PDF's structure tree: (type, alternative text)."""
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get") or "/S" not in node:
            return
        found.append((str(node["/S"]), node.get("/Alt")))
        if "/K" in node:
            walk(node["/K"])

    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    walk(root["/StructTreeRoot"]["/K"])
    return found


def test_each_chart_is_printed_once_and_later_recommendations_point_to_it(paper):
    text = _text(paper)
    table = recommendation_indicators.c
    links = db.session.execute(select(table.recommendation_id, table.indicator_id)).all()
    charted = {indicator_id for _, indicator_id in links}
    assert len(links) > len(charted)  # the seed links some indicators to several recommendations
    assert text.count("figure: the one rated") == len(charted)
    # CSC-13 is linked to R1 and to three later recommendations: drawn under R1, named after.
    reference = "The chart with Children looked after visits within timescale (CSC-13) is under R1."
    assert text.count(reference) == 3
    assert text.count("CSC-13: Children looked after visits within timescale") == 4
    # The words are a link to the chart, which carries the indicator's code as its anchor.
    reader = PdfReader(io.BytesIO(paper))
    assert "chart-CSC-13" in reader.named_destinations
    figures = [alt for kind, alt in _structure(paper) if kind == "/Figure"]
    assert len(figures) == len(charted)  # one picture per chart: no swatch pictures
    assert all(re.match(r"[A-Z]+-\d\d: ", alt) for alt in figures), figures
    assert any(alt.startswith("CSC-13: Children looked after visits") for alt in figures)


def test_the_shorter_paper_keeps_its_tagged_structure_and_content(paper):
    reader = PdfReader(io.BytesIO(paper))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith("Ofsted inspection of children's services")
    kinds = [kind for kind, _ in _structure(paper)]
    for kind in ("/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/L", "/LI", "/Figure"):
        assert kind in kinds, kind
    assert len(reader.pages) <= 24  # 39 pages before charts were printed once
    text = _text(paper)
    assert "98.36%" in text  # CSC-05's month figure beside its year-to-date rating
    assert "Data caveat" in text and "known to be wrong" in text  # CSC-14's January figure
    for code in db.session.scalars(select(Indicator.code)):
        assert f"({code})" in text[text.index("All indicators") :], code


def _charts(frame) -> list:
    indicators = list(db.session.scalars(select(Indicator).order_by(Indicator.code)))
    charts = []
    for full in latest_values_for(indicators, per_series=24):
        published = full.benchmarks.chart_lines() if full.benchmarks else None
        chart = build_chart(
            full.indicator, full.series, full.targets, published=published, frame=frame
        )
        if chart is not None:
            charts.append(chart)
    return charts


def _segments(d: str) -> list[tuple[float, float, float, float]]:
    """Straight segments of a path made of M, L, H and V commands (the chart's lines)."""
    segments, x, y = [], 0.0, 0.0
    for command, numbers in re.findall(r"([MLHV])\s*([-\d.,\s]+)", d):
        values = [float(n) for n in re.split(r"[\s,]+", numbers.strip())]
        if command == "M":
            x, y = values
            continue
        nx, ny = {"L": values, "H": (values[0], y), "V": (x, values[0])}[command]
        segments.append((x, y, nx, ny))
        x, y = nx, ny
    return segments


def _svg(chart, frame) -> ET.Element:
    if frame is PRINT:
        drawn = get_template_attribute("committee/_paper-chart.html", "paper_chart_svg")(chart)
    else:
        figure = str(get_template_attribute("indicators/_chart.html", "line_chart")(chart, "c"))
        drawn = figure[figure.index("<svg") : figure.index("</svg>") + len("</svg>")]
    assert "paint-order" not in drawn
    return ET.fromstring(str(drawn))  # noqa: S314 (the app's own template, not input)


@pytest.mark.parametrize("frame", [WIDE, NARROW, PRINT], ids=lambda f: f.name)
def test_the_latest_figure_label_crosses_no_line_in_any_drawing(seeded, frame):
    """From the drawn SVG: the label's box (its anchor, size and a generous width per
    character) is crossed by no target, range, benchmark or figures' line."""
    checked = 0
    for chart in _charts(frame):
        svg = _svg(chart, frame)
        label = svg.find(f"{SVG}text[@class='app-chart__label']")
        assert label is not None and label.text == chart.latest_text
        assert label.get("stroke") is None  # no halo: nothing white drawn over a line
        right, baseline = float(label.get("x")), float(label.get("y"))
        size = float(label.get("font-size"))
        box = (right - len(label.text) * 0.6 * size, baseline - 0.75 * size, right, baseline)
        lines = [
            s
            for path in svg.iter(f"{SVG}path")
            if path.get("stroke-dasharray") or path.get("stroke-width") == "3"
            for s in _segments(path.get("d"))
        ]
        assert lines, chart.title
        crossing = [s for s in lines if segment_crosses_box(s, box)]
        assert not crossing, (chart.title, label.text, crossing)
        checked += 1
    assert checked >= 20


def test_the_printed_label_is_dark_on_the_page(paper):
    """The rasterised PDF page: where the PDF has CSC-05's latest label, ink is drawn (before,
    WeasyPrint painted the paint-order halo over the letters: a white label)."""
    pdf = pypdfium2.PdfDocument(paper)
    for index in range(len(pdf)):
        page = pdf[index]
        found = page.get_textpage().search("92.52% Amber").get_next()
        if found:
            break
    else:
        pytest.fail("CSC-05's latest figure is not on any page")
    start, count = found
    text_page = page.get_textpage()
    boxes = [text_page.get_charbox(start + i) for i in range(count)]
    left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
    bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
    scale = 3
    image = page.render(scale=scale).to_pil().convert("L")
    height = page.get_height()
    crop = image.crop(
        (
            int(left * scale),
            int((height - top) * scale),
            int(right * scale),
            int((height - bottom) * scale),
        )
    )
    dark = sum(crop.histogram()[:96])  # pixels darker than mid-grey
    assert dark > 0.15 * crop.width * crop.height, (dark, crop.size)


def test_the_benchmark_baselines_are_twenty_pages():
    """bench/paper.py compares the paper with fixed 20-page documents: they must stay 20 pages
    (a change of font or words would move the baseline)."""
    from weasyprint import HTML

    from bench.paper import plain_document, prose_document

    assert plain_document() == plain_document()  # the same every time
    for document in (plain_document(), prose_document()):
        assert len(HTML(string=document).render().pages) == 20
