"""XLSX and CSV exports of the plan summary. They reflect the filters on screen.

Every cell written from stored text goes through `tracker.text.spreadsheet_cell`, so that a note
typed into the tracker can never become a live formula or break the workbook.
"""

import csv
import io
from datetime import datetime
from typing import TYPE_CHECKING

from tracker.committee.summary import PlanSummary
from tracker.indicators.rag import format_value
from tracker.models import Action, Basis, Recommendation
from tracker.text import spreadsheet_cell

if TYPE_CHECKING:  # openpyxl is imported only when a spreadsheet is asked for
    from openpyxl import Workbook

ACTION_HEADERS = [
    "Recommendation",
    "Action",
    "Description",
    "Owner",
    "Owner job title",
    "Status",
    "Original due date",
    "Current due date",
    "Completed on",
    "Verified on",
    "RAG",
    "RAG reason",
]


RECOMMENDATION_HEADERS = [
    "Reference",
    "Title",
    "Theme",
    "Lead",
    "Actions done",
    "Actions",
    "Next due",
    "RAG",
    "RAG reason",
    "Latest note",
    "Action and impact",
    "Embedded",
    "Embedded: what it rests on or still needs",
]


def _recommendation_rows(summary: PlanSummary):
    for row in summary.rows:
        assert isinstance(row.rec, Recommendation)  # the exports read the whole plan (load_plan)
        yield [
            row.rec.reference,
            row.rec.title,
            row.rec.theme.name if row.rec.theme else "",
            row.rec.lead.name if row.rec.lead else "",
            row.done,
            len(row.actions),
            row.next_due,
            row.rag.label,
            row.rag.reason,
            row.latest_note.text if row.latest_note else "",
            row.impact.text if row.impact else "",
            row.embedding.label if row.embedding else "",
            row.embedding.text if row.embedding else "",
        ]


def _action_rows(summary: PlanSummary):
    for row in summary.rows:
        for action, rag in zip(row.actions, row.action_rags, strict=True):
            assert isinstance(action, Action)  # with its owner (load_plan)
            yield [
                row.rec.reference,
                action.reference,
                action.description,
                action.owner.name if action.owner else "",
                action.owner.job_title if action.owner else "",
                action.status_label,
                action.original_due_date,
                action.current_due_date,
                action.completed_on,
                action.verified_on,
                rag.label,
                rag.reason,
            ]


def _sheet(workbook: "Workbook", title: str, headers: list[str], rows) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([spreadsheet_cell(v) for v in values])
        for cell in sheet[sheet.max_row]:
            if hasattr(cell.value, "year"):
                cell.number_format = (
                    "dd/mm/yyyy" if not isinstance(cell.value, datetime) else "dd/mm/yyyy hh:mm"
                )
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(60, len(header) + 4))


def summary_workbook(summary: PlanSummary, filters) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    about = workbook.worksheets[0]  # a new workbook's one sheet
    about.title = "About"
    for values in (
        ["Plan", summary.plan.title],
        ["As at", summary.day],
        ["Overall rating", f"{summary.rating.label}: {summary.rating.reason}"],
        ["Filters", filters.describe(summary.themes) or NOT_FILTERED],
    ):
        about.append([spreadsheet_cell(v) for v in values])
    about["B2"].number_format = "dd/mm/yyyy"
    _sheet(workbook, "Recommendations", RECOMMENDATION_HEADERS, _recommendation_rows(summary))
    _sheet(workbook, "Actions", ACTION_HEADERS, _action_rows(summary))
    _sheet(
        workbook,
        "Indicators",
        [
            "Code",
            "Name",
            "Judged on",
            "Latest period",
            "Latest value",
            "Shown as",
            "RAG",
            "RAG reason",
            "Month figure period",
            "Month figure",
            "Month figure shown as",
            "Month figure RAG reason",
            "Trend",
            "Data-quality note",
            "Provisional",
            "Recommendations",
        ],
        (_indicator_row(summary, s) for s in summary.indicators),
    )
    _sheet(
        workbook,
        "Values",
        ["Code", "Period", "Basis", "Value", "Shown as", "Provisional", "Data-quality note"],
        (
            [
                s.indicator.code,
                value.period,
                Basis(value.basis).label,
                value.value,
                format_value(value.value, s.indicator.unit, s.indicator.decimals),
                "Yes" if value.provisional else "No",
                value.data_quality_note or "",
            ]
            for s in summary.indicators
            for basis_values in s.series.values()
            for value in sorted(basis_values, key=lambda v: v.period)
        ),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# The CSV is one table (no About sheet): each row also says its recommendation's embedding and
# which recommendations the file was limited to, in words, so a filtered file is never taken
# for the whole plan.
CSV_EXTRA_HEADERS = ["Recommendation embedded", "Filters"]
NOT_FILTERED = "None: every recommendation"


def _embedding_by_reference(summary: PlanSummary) -> dict[str, str]:
    return {row.rec.reference: row.embedding.label if row.embedding else "" for row in summary.rows}


def actions_csv(summary: PlanSummary, filters) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ACTION_HEADERS + CSV_EXTRA_HEADERS)
    embedded = _embedding_by_reference(summary)
    described = filters.describe(summary.themes) or NOT_FILTERED
    for values in _action_rows(summary):
        values = [*values, embedded[values[0]], described]
        writer.writerow(
            [v.isoformat() if hasattr(v, "isoformat") else spreadsheet_cell(v) for v in values]
        )
    return "\ufeff" + buffer.getvalue()  # the BOM makes Excel read UTF-8 correctly


def _shown(s, value) -> str:
    return format_value(value.value, s.indicator.unit, s.indicator.decimals) if value else ""


def _indicator_row(summary: PlanSummary, s) -> list:
    """One indicator: its rated figure and, where it is judged on a rolling or year-to-date
    basis, the month's own figure beside it (the committee is told both)."""
    latest, month = s.latest, (None if s.judged_on_month else s.latest_month)
    notes = [v.data_quality_note for v in (latest, month) if v and v.data_quality_note]
    return [
        s.indicator.code,
        s.indicator.name,
        Basis(s.indicator.basis).label,
        latest.period if latest else None,
        latest.value if latest else None,
        _shown(s, latest),
        s.rating.rag.label,
        s.rating.rag.reason,
        month.period if month else None,
        month.value if month else None,
        _shown(s, month),
        s.month_rag.reason if month and s.month_rag else "",
        s.rating.trend,
        " ".join(dict.fromkeys(notes)),
        "Yes" if any(v and v.provisional for v in (latest, month)) else "No",
        summary.recommendations_using(s.indicator.code),
    ]
