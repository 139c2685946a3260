"""Importing monthly indicator figures from a CSV or Excel (.xlsx) file. See docs/indicators.md.

Three steps, shared by the web pages and `flask indicators import`:
1. read_table: the file's rows, by content (a zip with the spreadsheet content type is a
   workbook; anything else must be UTF-8 text), with each row's line number;
2. plan_import: every row checked and compared with what is stored: to add, to change,
   unchanged, or an error naming its line. Nothing is written;
3. apply_import: all or nothing, refused if the plan has any error; records an ImportRecord and
   one audit event listing every change. Re-importing the same file changes nothing.
"""

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker import audit
from tracker.clock import today
from tracker.extensions import db
from tracker.indicators import parsing
from tracker.indicators.rag import format_value
from tracker.indicators.service import (
    Figure,
    NewFigure,
    StoredValue,
    add_values,
    correct_values,
)
from tracker.models import Basis, ImportRecord, Indicator, IndicatorValue, User, utcnow

KIND = "indicator_values"
MAX_ROWS = 20_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
XLSX_CONTENT_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
NOTE_MAX = 2000

COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("indicator code", "code", "indicator", "indicator id", "kpi", "kpi code"),
    "period": ("period", "month", "date", "reporting period", "period month"),
    "basis": ("basis", "value basis", "measure basis"),
    "value": ("value", "figure", "result", "actual"),
    "provisional": ("provisional", "is provisional"),
    "note": (
        "data quality note",
        "data quality",
        "data quality caveat",
        "dq note",
        "caveat",
        "note",
        "notes",
    ),
}
REQUIRED = ("code", "period", "value")
HEADINGS = {
    "code": "Indicator code",
    "period": "Period",
    "basis": "Basis",
    "value": "Value",
    "provisional": "Provisional",
    "note": "Data quality note",
}
TEMPLATE_HEADER = [HEADINGS[key] for key in COLUMNS]


class FileProblem(Exception):
    """The file as a whole cannot be read (wrong type, not UTF-8, no heading row...)."""


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    columns: dict[str, int]
    ignored: list[str]
    rows: list[tuple[int, list]]  # (line number, cells)


# --- Reading the file ------------------------------------------------------------------------


def looks_like_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_table(data: bytes, filename: str = "") -> Table:
    if not data.strip():
        raise FileProblem("The file is empty")
    if looks_like_xlsx(data):
        return _read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")) or data[:8].startswith(
        b"\xd0\xcf\x11\xe0"
    ):
        raise FileProblem(
            "The file is not an Excel workbook in .xlsx format: save it as .xlsx or as CSV (UTF-8)"
        )
    return _read_csv(data)


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data:
        raise FileProblem(
            "The file is not a CSV file: it contains binary data. "
            "Save it as CSV (UTF-8) or as an Excel workbook (.xlsx)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileProblem(
            f"The file is not UTF-8 text (line {line} has a character that is not): "
            "save it as 'CSV UTF-8'"
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list]] = []
    line = 1
    try:
        for cells in reader:
            records.append((line, cells))
            line = reader.line_num + 1
            if len(records) > MAX_ROWS + 1:
                raise FileProblem(f"The file has more than {MAX_ROWS:,} rows: split it up")
    except csv.Error as error:
        raise FileProblem(f"Line {line}: the CSV cannot be read ({error})") from None
    return _table("csv", records)


def _check_workbook_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "[Content_Types].xml" not in archive.namelist():
                raise FileProblem("The file is a zip archive, not an Excel workbook (.xlsx)")
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise FileProblem("The workbook is too large when unpacked")
            content_types = archive.read("[Content_Types].xml")
    except zipfile.BadZipFile:
        raise FileProblem("The file is damaged: it cannot be opened as an Excel workbook") from None
    if XLSX_CONTENT_TYPE not in content_types:
        raise FileProblem(
            "The file is not an Excel workbook (.xlsx): macro-enabled and other zip files "
            "are not accepted"
        )


def _cell_value(cell):
    value = cell.value
    number_format = getattr(cell, "number_format", None) or ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in number_format:
        # Excel keeps 98.36% as 0.9836 and only shows it as a percentage.
        return round(value * 100, 10)
    return value


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    _check_workbook_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a malformed workbook
        raise FileProblem(f"The workbook cannot be read ({type(error).__name__})") from None
    try:
        names = workbook.sheetnames
        sheet = workbook["Values"] if "Values" in names else workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read every row
        records = []
        for line, row in enumerate(sheet.iter_rows(min_row=1), start=1):
            records.append((line, [_cell_value(cell) for cell in row]))
            if line > MAX_ROWS + 1:
                raise FileProblem(f"The workbook has more than {MAX_ROWS:,} rows: split it up")
    finally:
        workbook.close()
    return _table("xlsx", records)


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _heading(text) -> str:
    words = re.sub(r"[_\-]+", " ", str(text or "")).lower()
    words = re.sub(r"\(optional\)|\*", "", words)
    return " ".join(words.split())


def _table(kind: str, records: list[tuple[int, list]]) -> Table:
    records = [(line, cells) for line, cells in records if not all(_blank(c) for c in cells)]
    if not records:
        raise FileProblem("The file is empty")
    header_line, header = records[0]
    columns: dict[str, int] = {}
    ignored: list[str] = []
    aliases = {alias: key for key, names in COLUMNS.items() for alias in names}
    for index, text in enumerate(header):
        key = aliases.get(_heading(text))
        if key is None:
            if not _blank(text):
                ignored.append(str(text).strip())
            continue
        if key in columns:
            raise FileProblem(f"Line {header_line}: the column '{HEADINGS[key]}' appears twice")
        columns[key] = index
    missing = [HEADINGS[key] for key in REQUIRED if key not in columns]
    if missing:
        raise FileProblem(
            f"Line {header_line}: the first row must be the column headings; missing "
            + ", ".join(f"'{m}'" for m in missing)
            + ". Download the template to see the columns"
        )
    if len(records) == 1:
        raise FileProblem("The file has headings but no rows of figures")
    return Table(kind, columns, ignored, records[1:])


# --- Checking the rows against what is stored ----------------------------------------------


@dataclass
class PlannedRow:
    line: int
    indicator: Indicator
    period: date
    basis: str
    figure: Figure
    existing: StoredValue | None
    action: str = ""  # "add", "change" or "unchanged", decided when planned
    before: Figure | None = None  # the stored figure when planned

    def __post_init__(self) -> None:
        stored = self.existing
        if stored is None:
            self.action = "add"
            return
        self.before = Figure(stored.value, stored.provisional, stored.data_quality_note)
        self.action = "change" if self.figure.differs_from(stored) else "unchanged"

    @property
    def shown(self) -> str:
        ind = self.indicator
        return format_value(self.figure.value, ind.unit, max(ind.decimals, 2))

    @property
    def shown_before(self) -> str:
        if self.before is None:
            return ""
        ind = self.indicator
        return format_value(self.before.value, ind.unit, max(ind.decimals, 2))

    @property
    def basis_label(self) -> str:
        return Basis(self.basis).label

    def key(self) -> tuple:
        before = None
        if self.before is not None:
            before = (self.before.value, self.before.provisional, self.before.data_quality_note)
        return (
            self.indicator.code,
            self.period.isoformat(),
            self.basis,
            self.figure.value,
            self.figure.provisional,
            self.figure.data_quality_note,
            before,
        )


@dataclass
class ImportPlan:
    filename: str
    sha256: str
    kind: str = ""
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def to_add(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == "add"]

    @property
    def to_change(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == "change"]

    @property
    def unchanged(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == "unchanged"]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def digest(self) -> str:
        """Changes if the plan would do anything different (the file or the stored figures)."""
        text = repr(sorted(row.key() for row in self.rows))
        return hashlib.sha256(f"{self.sha256}:{text}".encode()).hexdigest()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cell(cells: list, columns: dict[str, int], key: str):
    index = columns.get(key)
    if index is None or index >= len(cells):
        return None
    value = cells[index]
    return value.strip() if isinstance(value, str) else value


def _note(raw) -> str | None:
    if raw is None:
        return None
    text = " ".join(str(raw).split()) if not isinstance(raw, str) else raw.strip()
    if len(text) > NOTE_MAX:
        raise ValueError(f"Data quality note must be {NOTE_MAX:,} characters or fewer")
    return text or None


def _code(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw if raw is not None else "").strip().upper()


def plan_import(data: bytes, filename: str) -> ImportPlan:
    plan = ImportPlan(filename=filename, sha256=sha256_of(data))
    try:
        table = read_table(data, filename)
    except FileProblem as problem:
        plan.errors.append(str(problem))
        return plan
    return plan_table(plan, table)


def plan_table(plan: ImportPlan, table: Table) -> ImportPlan:
    """Check a table's rows and compare them with what is stored (the data API sends its figures
    as a table too, so that both say the same about the same row)."""
    plan.kind, plan.ignored_columns = table.kind, table.ignored
    reader = _RowReader(table.columns, plan.errors)
    parsed = [row for line, cells in table.rows if (row := reader.read(line, cells)) is not None]
    existing = _existing_values({(r[1].id, r[2], r[3]) for r in parsed})
    seen: dict[tuple, int] = {}
    has = table.columns
    for line, indicator, period, basis, value, provisional, note in parsed:
        key = (indicator.id, period, basis)
        if key in seen:
            plan.errors.append(
                LineError(
                    line,
                    f"{indicator.code} {period:%B %Y} ({Basis(basis).label.lower()}) "
                    f"is also on line {seen[key]}: each figure may appear once",
                )
            )
            continue
        seen[key] = line
        stored = existing.get(key)
        # A column the file leaves out keeps what is stored; one it has is the new truth.
        if "provisional" not in has:
            provisional = stored.provisional if stored else False
        if "note" not in has:
            note = stored.data_quality_note if stored else None
        figure = Figure(value, provisional, note)
        plan.rows.append(PlannedRow(line, indicator, period, basis, figure, stored))
    plan.errors.sort(key=lambda e: e.line if isinstance(e, LineError) else 0)
    return plan


class _Remembered:
    """A cell parser that works out each distinct cell once: a file repeats the same few codes,
    months, bases and yes/no answers thousands of times."""

    def __init__(self, parse):
        self.parse = parse
        self.results: dict[tuple, tuple] = {}

    def __call__(self, raw):
        key = (type(raw), raw)  # so that True, 1 and 1.0 are not taken for one another
        try:
            result, problem = self.results[key]
        except KeyError:
            result, problem = self.results.setdefault(key, self._outcome(raw))
        except TypeError:  # a cell that cannot be a dict key
            result, problem = self._outcome(raw)
        if problem is not None:
            raise ValueError(problem)
        return result

    def _outcome(self, raw) -> tuple:
        try:
            return self.parse(raw), None
        except ValueError as error:
            return None, str(error)


class _RowReader:
    """Reads the file's rows one by one, noting each problem with its line in `errors`."""

    def __init__(self, columns: dict[str, int], errors: list):
        self.columns = columns
        self.errors = errors
        self.indicators = {i.code.upper(): i for i in db.session.scalars(select(Indicator))}
        self.this_month = today().replace(day=1)
        self.code = _Remembered(_code)
        self.period = _Remembered(parsing.parse_period)
        self.basis = _Remembered(lambda raw: str(parsing.parse_basis(raw)))
        self.yes_no = _Remembered(parsing.parse_yes_no)

    def read(self, line: int, cells: list) -> tuple | None:
        columns = self.columns
        problems = []
        code = self.code(_cell(cells, columns, "code"))
        indicator = self.indicators.get(code)
        if not code:
            problems.append("enter the indicator code")
        elif indicator is None:
            problems.append(f"there is no indicator with the code '{code}'")
        period = basis = value = provisional = note = None
        try:
            period = self.period(_cell(cells, columns, "period"))
            if period > self.this_month:
                problems.append(f"{period:%B %Y} is in the future")
        except ValueError as error:
            problems.append(str(error))
        try:
            basis = self.basis(_cell(cells, columns, "basis"))
        except ValueError as error:
            problems.append(str(error))
        if indicator is not None:
            try:
                value = parsing.parse_figure(_cell(cells, columns, "value"), indicator.unit)
            except ValueError as error:
                problems.append(str(error))
        try:
            provisional = self.yes_no(_cell(cells, columns, "provisional"))
        except ValueError as error:
            problems.append(str(error))
        try:
            note = _note(_cell(cells, columns, "note"))
        except ValueError as error:
            problems.append(str(error))
        for problem in problems:
            self.errors.append(LineError(line, problem[0].upper() + problem[1:]))
        if problems:
            return None
        return (line, indicator, period, basis, value, provisional, note)


def _existing_values(keys: set[tuple]) -> dict[tuple, StoredValue]:
    if not keys:
        return {}
    table = IndicatorValue.__table__
    query = select(
        table.c.indicator_id,
        table.c.period,
        table.c.basis,
        *(table.c[name] for name in StoredValue._fields),
    ).where(
        table.c.indicator_id.in_({k[0] for k in keys}),
        table.c.period.in_({k[1] for k in keys}),
        table.c.basis.in_({k[2] for k in keys}),
    )
    found = {
        (indicator_id, period, basis): StoredValue(*stored)
        for indicator_id, period, basis, *stored in db.session.execute(query)
    }
    return {k: v for k, v in found.items() if k in keys}


# --- Applying a plan -----------------------------------------------------------------------


class ImportRefused(Exception):
    pass


def _change_entry(row: PlannedRow) -> dict:
    """How the import's audit event lists one figure added or corrected."""
    return {
        "action": row.action,
        "line": row.line,
        "indicator": row.indicator.code,
        "period": row.period.isoformat()[:7],
        "basis": row.basis,
        "before": row.before.value if row.action == "change" else None,
        "value": row.figure.value,
    }


def apply_import(plan: ImportPlan, user: User | None) -> ImportRecord:
    """Write every row of a checked plan; the caller's unit of work commits all or nothing.

    New figures go in with one bulk INSERT and corrections with one bulk UPDATE (their previous
    figures kept as revisions), so the time grows with the rows, not with round trips.
    """
    if plan.errors:
        raise ImportRefused("The file has errors: nothing was imported")
    if not plan.rows:
        raise ImportRefused("The file has no figures: nothing was imported")
    source = f"Imported from {plan.filename} on {today():%-d %B %Y}"
    to_add, to_change = plan.to_add, plan.to_change
    add_values(
        [NewFigure(r.indicator.id, r.period, r.basis, r.figure) for r in to_add], user, source
    )
    correct_values([(r.existing, r.figure) for r in to_change], user, source)
    changes = [_change_entry(row) for row in plan.rows if row.action != "unchanged"]
    record = ImportRecord(
        kind=KIND,
        filename=plan.filename[:300],
        sha256=plan.sha256,
        imported_at=utcnow(),
        imported_by_id=user.id if user else None,
        rows_added=len(to_add),
        rows_changed=len(to_change),
        rows_unchanged=len(plan.rows) - len(to_add) - len(to_change),
    )
    db.session.add(record)
    audit.record(
        "indicator_values.imported",
        obj=record,
        actor=user,
        after={
            "filename": plan.filename,
            "sha256": plan.sha256,
            "added": record.rows_added,
            "changed": record.rows_changed,
            "unchanged": record.rows_unchanged,
            "changes": changes,
        },
    )
    return record


# --- Template files ------------------------------------------------------------------------


def template_csv() -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow(TEMPLATE_HEADER)
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(indicators: list[Indicator]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    values = workbook.active
    values.title = "Values"
    values.append(TEMPLATE_HEADER)
    for cell in values[1]:
        cell.font = Font(bold=True)
    # Text, so that Excel keeps "2016-02" as typed instead of guessing a day.
    for row in range(2, 502):
        values.cell(row=row, column=2).number_format = "@"
    for column, width in zip("ABCDEF", (16, 12, 18, 10, 12, 50), strict=True):
        values.column_dimensions[column].width = width
    reference = workbook.create_sheet("Indicators")
    reference.append(["Indicator code", "Name", "Unit", "Judged on"])
    for cell in reference[1]:
        cell.font = Font(bold=True)
    for indicator in indicators:
        reference.append(
            [
                indicator.code,
                indicator.name,
                parsing.UNIT_NAMES[indicator.unit],
                Basis(indicator.basis).label,
            ]
        )
    reference.column_dimensions["A"].width = 16
    reference.column_dimensions["B"].width = 70
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
