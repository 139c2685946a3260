"""The downloadable import templates, written from the importers' own column lists.

Every cell goes through `tracker.text.spreadsheet_cell`, so stored text (an indicator's name, say)
that starts with "=" is never run as a formula and a control character cannot break the file.
"""

import csv
import io
from dataclasses import dataclass, field

from tracker.text import spreadsheet_cell

TEXT_FORMAT_ROWS = 500  # rows below the heading formatted as text, where asked


@dataclass
class TemplateSheet:
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    widths: dict[str, float] = field(default_factory=dict)  # column letter -> width
    text_columns: tuple[int, ...] = ()  # 1-based; typed as text so R1.10 stays R1.10
    freeze_header: bool = False


def template_xlsx(sheets: list[TemplateSheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    for default in list(workbook.worksheets):  # a new workbook's empty first sheet
        workbook.remove(default)
    for spec in sheets:
        sheet = workbook.create_sheet(spreadsheet_cell(spec.title)[:31])
        sheet.append([spreadsheet_cell(heading) for heading in spec.header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in spec.rows:
            sheet.append([spreadsheet_cell(value) for value in row])
        for column in spec.text_columns:
            for number in range(2, TEXT_FORMAT_ROWS + 2):
                sheet.cell(row=number, column=column).number_format = "@"
        for letter, width in spec.widths.items():
            sheet.column_dimensions[letter].width = width
        if spec.freeze_header:
            sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv(header: list[str]) -> bytes:
    """A heading row, in UTF-8 with a BOM so that Excel opens accented letters correctly."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow([spreadsheet_cell(h) for h in header])
    return buffer.getvalue().encode("utf-8-sig")
