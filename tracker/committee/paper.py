"""The committee paper as a tagged PDF (WeasyPrint), shaped like a scrutiny report.

Each indicator's chart is printed once, under the first recommendation that uses it; later
recommendations point to it in words, with a link and its page number. The charts go in as SVG
images (templates/committee/_paper-chart.html) and the paper has its own small print stylesheet,
not GOV.UK Frontend's: what makes it quick to print is in docs/performance.md ("The committee
paper"), and `make bench` (bench/paper.py) measures it against a plain 20-page document.
"""

import base64
from dataclasses import dataclass

from flask import get_template_attribute, render_template

from tracker.committee.paper_store import committee_paper
from tracker.committee.summary import PlanSummary
from tracker.indicators.chart import PRINT, WIDE, Frame, LineChart, build_chart
from tracker.indicators.queries import latest_values_for
from tracker.inspections.timeline import plan_inspections


def paper_charts(summary: PlanSummary, frame: Frame = WIDE) -> dict[str, LineChart]:
    """One chart per linked indicator (24 months), built in a fixed number of queries."""
    indicators = {s.indicator.id: s.indicator for row in summary.rows for s in row.indicators}
    charts: dict[str, LineChart] = {}
    for full in latest_values_for(list(indicators.values()), per_series=24):
        published = full.benchmarks.chart_lines() if full.benchmarks else None
        chart = build_chart(
            full.indicator, full.series, full.targets, published=published, frame=frame
        )
        if chart is not None:
            charts[full.indicator.code] = chart
    return charts


@dataclass(frozen=True)
class PaperChart:
    """A chart as printed: where it is, what it says in words, and the picture."""

    chart: LineChart
    anchor: str  # "chart-CSC-09", the id the later references link to
    under: str  # the recommendation it is printed under, "R3"
    alt: str
    src: str  # data:image/svg+xml;base64,...


def placed_charts(summary: PlanSummary) -> dict[str, PaperChart]:
    """Each charted indicator, placed under the first recommendation (in the paper's order)
    that uses it."""
    charts = paper_charts(summary, PRINT)
    draw = get_template_attribute("committee/_paper-chart.html", "paper_chart_svg")
    placed: dict[str, PaperChart] = {}
    for row in summary.rows:
        for s in row.indicators:
            code = s.indicator.code
            chart = charts.get(code)
            if chart is None or code in placed:
                continue
            svg = base64.b64encode(str(draw(chart)).encode()).decode("ascii")
            placed[code] = PaperChart(
                chart=chart,
                anchor=f"chart-{code}",
                under=row.rec.reference,
                alt=f"{chart.title}. {chart.description}",
                src=f"data:image/svg+xml;base64,{svg}",
            )
    return placed


def paper_html(summary: PlanSummary, filters) -> str:
    return render_template(
        "committee/paper.html",
        summary=summary,
        filters=filters,
        charts=placed_charts(summary),
        inspections=plan_inspections(summary.plan, summary.day),
    )


def render_paper(summary: PlanSummary, filters, base_url: str, person_id: int) -> bytes:
    """The paper as PDF, printed only if this content has not been printed before
    (tracker/committee/paper_store.py); raises PaperBusy when it cannot be printed now."""
    html = paper_html(summary, filters)
    return committee_paper(html, base_url, person_id, lambda: print_pdf(html, base_url))


def print_pdf(html: str, base_url: str) -> bytes:
    from weasyprint import HTML  # 22 MB per process: loaded only when a paper is printed

    return HTML(string=html, base_url=base_url).write_pdf(pdf_tags=True)
