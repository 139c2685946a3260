"""The committee paper as a tagged PDF (WeasyPrint), shaped like a scrutiny report."""

from flask import render_template

from tracker.committee.paper_store import committee_paper
from tracker.committee.summary import PlanSummary
from tracker.indicators.chart import build_chart
from tracker.indicators.queries import latest_values_for
from tracker.inspections.timeline import plan_inspections


def paper_charts(summary: PlanSummary) -> dict[str, object]:
    """One chart per linked indicator (24 months), built in a fixed number of queries."""
    indicators = {s.indicator.id: s.indicator for row in summary.rows for s in row.indicators}
    charts: dict[str, object] = {}
    for full in latest_values_for(list(indicators.values()), per_series=24):
        published = full.benchmarks.chart_lines() if full.benchmarks else None
        chart = build_chart(full.indicator, full.series, full.targets, published=published)
        if chart is not None:
            charts[full.indicator.code] = chart
    return charts


def paper_html(summary: PlanSummary, filters) -> str:
    return render_template(
        "committee/paper.html",
        summary=summary,
        filters=filters,
        charts=paper_charts(summary),
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
