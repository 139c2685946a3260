from flask import Response, abort, render_template, request, url_for
from flask_login import current_user

from tracker.clock import today
from tracker.committee import bp
from tracker.committee.exports import actions_csv, summary_workbook
from tracker.committee.filters import NO_CHANGES, read_filters, refused_since_text, since_choices
from tracker.committee.paper import render_paper
from tracker.committee.paper_store import PaperBusy
from tracker.committee.plan_rows import summary_plan
from tracker.committee.summary import build_summary
from tracker.committee.summary_page import (
    at_a_glance,
    changes_list,
    recommendation_sections,
    summary_controls,
)
from tracker.inspections.timeline import plan_inspections
from tracker.permissions import Permission, permission_required
from tracker.plans.queries import load_plan
from tracker.rag import COLOUR_LABELS, Colour


def _summary(plan_id: int, people: bool = True):
    """The summary; `people=False` for the page, which shows no owners or leads and only the
    indicators linked to the plan's recommendations (the paper and the exports list them all),
    and reads the plan as plain rows (tracker/committee/plan_rows.py)."""
    plan = (load_plan(plan_id) if people else summary_plan(plan_id)) or abort(404)
    filters = read_filters(plan)
    summary = build_summary(
        plan,
        today(),
        theme_id=filters.theme_id,
        colour=filters.colour,
        since=filters.since,
        every_indicator=people,
    )
    return summary, filters


def _file_name(summary, extension: str) -> str:
    return f"plan-{summary.plan.id}-summary-{summary.day.isoformat()}.{extension}"


@bp.route("/plans/<int:plan_id>/summary")
@permission_required(Permission.VIEW_PLANS)
def summary(plan_id: int):
    summary, filters = _summary(plan_id, people=False)
    rag_choices = [(c.value, COLOUR_LABELS[c]) for c in Colour if c is not Colour.GREY]
    controls = summary_controls(
        summary.plan.id,
        since_items=_items(
            since_choices(summary.plan, filters),
            filters.since.isoformat() if filters.since else NO_CHANGES,
        ),
        theme_items=_items(
            [("", "All themes")] + [(str(t.id), t.name) for t in summary.themes],
            str(filters.theme_id or ""),
        ),
        rag_items=_items([("", "All ratings"), *rag_choices], filters.colour or ""),
        export_args=filters.query_args(),
    )
    return render_template(
        "committee/summary.html",
        summary=summary,
        filters=filters,
        rag_choices=rag_choices,
        since_refused=refused_since_text(filters),
        controls=controls,
        inspections=plan_inspections(summary.plan, summary.day),
        at_a_glance=at_a_glance(summary.rows),
        changes=changes_list(summary.changes) if summary.since else None,
        sections=recommendation_sections(summary.rows),
    )


def _items(options: list[tuple[str, str]], selected: str) -> list[dict]:
    return [
        {"value": value, "text": text, "selected": value == selected} for value, text in options
    ]


@bp.route("/plans/<int:plan_id>/summary.xlsx")
@permission_required(Permission.VIEW_PLANS)
def summary_xlsx(plan_id: int):
    summary, filters = _summary(plan_id)
    data = summary_workbook(summary, filters)
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_file_name(summary, "xlsx")}"'},
    )


@bp.route("/plans/<int:plan_id>/actions.csv")
@permission_required(Permission.VIEW_PLANS)
def actions_csv_export(plan_id: int):
    summary, filters = _summary(plan_id)
    return Response(
        actions_csv(summary, filters),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{_file_name(summary, "csv")}"'.replace(
                "summary", "actions"
            )
        },
    )


@bp.route("/plans/<int:plan_id>/paper.pdf")
@permission_required(Permission.VIEW_PLANS)
def paper_pdf(plan_id: int):
    summary, filters = _summary(plan_id)
    base_url = url_for("main.home", _external=True)
    try:
        pdf = render_paper(summary, filters, base_url, current_user.id)
    except PaperBusy:
        return _paper_being_prepared(summary)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{_file_name(summary, "pdf")}"'.replace(
                "summary", "committee-paper"
            )
        },
    )


@bp.route("/plans/<int:plan_id>/paper.docx")
@permission_required(Permission.VIEW_PLANS)
def paper_docx(plan_id: int):
    """The same paper as the PDF, as a Word document (tracker/committee/word.py, imported here
    so that workers load python-docx only when someone asks for a Word paper)."""
    from tracker.committee.word import paper_docx as word_paper

    summary, filters = _summary(plan_id)
    name = _file_name(summary, "docx").replace("summary", "committee-paper")
    return Response(
        word_paper(summary, filters),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


PAPER_RETRY_SECONDS = 10


def _paper_being_prepared(summary):
    """Too many prints for this person at once, or the same paper is still printing."""
    page = render_template(
        "committee/paper-being-prepared.html",
        summary=summary,
        retry_url=request.full_path,
        retry_seconds=PAPER_RETRY_SECONDS,
    )
    return page, 503, {"Retry-After": str(PAPER_RETRY_SECONDS)}
