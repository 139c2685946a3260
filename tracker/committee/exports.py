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
from tracker.models import Basis
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


def _action_rows(summary: PlanSummary):
    for row in summary.rows:
        for action, rag in zip(row.actions, row.action_rags, strict=True):
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
    about = workbook.active
    about.title = "About"
    applied = filters.query_args()
    for values in (
        ["Plan", summary.plan.title],
        ["As at", summary.day],
        ["Overall rating", f"{summary.rating.label}: {summary.rating.reason}"],
        ["Filters", ", ".join(f"{k}={v}" for k, v in applied.items()) or "None"],
    ):
        about.append([spreadsheet_cell(v) for v in values])
    about["B2"].number_format = "dd/mm/yyyy"
    _sheet(
        workbook,
        "Recommendations",
        [
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
        ],
        (
            [
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
            ]
            for row in summary.rows
        ),
    )
    _sheet(workbook, "Actions", ACTION_HEADERS, _action_rows(summary))
    indicators = {s.indicator.code: s for row in summary.rows for s in row.indicators}
    _sheet(
        workbook,
        "Indicators",
        [
            "Code",
            "Name",
            "Judged on",
            "Latest period",
            "Latest value",
            "RAG",
            "RAG reason",
            "Trend",
            "Data-quality note",
            "Recommendations",
        ],
        (
            [
                code,
                s.indicator.name,
                Basis(s.indicator.basis).label,
                s.latest.period if s.latest else None,
                s.latest.value if s.latest else None,
                s.rating.rag.label,
                s.rating.rag.reason,
                s.rating.trend,
                (s.latest.data_quality_note or "") if s.latest else "",
                ", ".join(
                    row.rec.reference
                    for row in summary.rows
                    if any(i.indicator.code == code for i in row.indicators)
                ),
            ]
            for code, s in sorted(indicators.items())
        ),
    )
    _sheet(
        workbook,
        "Values",
        ["Code", "Period", "Basis", "Value", "Shown as", "Provisional", "Data-quality note"],
        (
            [
                code,
                value.period,
                Basis(value.basis).label,
                value.value,
                format_value(value.value, s.indicator.unit, s.indicator.decimals),
                "Yes" if value.provisional else "No",
                value.data_quality_note or "",
            ]
            for code, s in sorted(indicators.items())
            for basis_values in s.series.values()
            for value in sorted(basis_values, key=lambda v: v.period)
        ),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def actions_csv(summary: PlanSummary) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ACTION_HEADERS)
    for values in _action_rows(summary):
        writer.writerow(
            [v.isoformat() if hasattr(v, "isoformat") else spreadsheet_cell(v) for v in values]
        )
    return "\ufeff" + buffer.getvalue()  # the BOM makes Excel read UTF-8 correctly
