"""Importing monthly indicator figures from a CSV or Excel (.xlsx) file. See docs/indicators.md.

Three steps, shared by the web pages and `flask indicators import`:
1. read_table: the file's rows, by content and within the import limits (tracker/imports does the
   reading for both importers), with each row's line number;
2. plan_table (plan_import reads and plans in one go): every row checked and compared with what
   is stored: to add, to change, unchanged, or an error naming its line. Nothing is written;
3. apply_import: all or nothing, refused if the plan has any error; records an ImportRecord and
   one audit event listing every change. Re-importing the same file changes nothing.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker.clock import today
from tracker.extensions import db
from tracker.imports import reading
from tracker.imports.columns import Column, RowProblem, first_filled, is_blank, match_header
from tracker.imports.limits import FileProblem, Limits, configured
from tracker.imports.pending import sha256_of
from tracker.imports.records import record_import
from tracker.imports.templates import TemplateSheet
from tracker.imports.templates import template_csv as write_template_csv
from tracker.imports.templates import template_xlsx as write_template_xlsx
from tracker.indicators import parsing
from tracker.indicators.rag import format_value
from tracker.indicators.service import (
    Figure,
    NewFigure,
    StoredValue,
    add_values,
    correct_values,
)
from tracker.models import Basis, ImportRecord, Indicator, IndicatorValue, Unit, User

KIND = "indicator_values"
PENDING_FOLDER = "indicator-imports"
NOTE_MAX = 2000

COLUMNS = [
    Column(
        "code",
        "Indicator code",
        ("indicator code", "code", "indicator", "indicator id", "kpi", "kpi code"),
    ),
    Column("period", "Period", ("period", "month", "date", "reporting period", "period month")),
    Column("basis", "Basis", ("basis", "value basis", "measure basis"), required=False),
    Column("value", "Value", ("value", "figure", "result", "actual")),
    Column("provisional", "Provisional", ("provisional", "is provisional"), required=False),
    Column(
        "note",
        "Data quality note",
        (
            "data quality note",
            "data quality",
            "data quality caveat",
            "dq note",
            "caveat",
            "note",
            "notes",
        ),
        required=False,
    ),
]
HEADINGS = {column.key: column.label for column in COLUMNS}
TEMPLATE_HEADER = [column.label for column in COLUMNS]


def line_error(line: int | None, message: str, column: str | None = None) -> RowProblem:
    """A problem as this importer words it: people think of its CSV files as lines."""
    return RowProblem(line, message, column, noun="Line")


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    columns: dict[str, int]
    ignored: list[str]
    rows: list[tuple[int, list]]  # (line number, cells)
    decimal_comma: bool = False

    def content(self) -> dict:
        """The table as kept between preview and confirm (imports.pending)."""
        return {
            "kind": self.kind,
            "columns": self.columns,
            "ignored": self.ignored,
            "rows": self.rows,
            "decimal_comma": self.decimal_comma,
        }

    @classmethod
    def from_content(cls, content: dict) -> "Table":
        rows = [(line, cells) for line, cells in content["rows"]]
        return cls(
            content["kind"], content["columns"], content["ignored"], rows, content["decimal_comma"]
        )


# --- Reading the file ------------------------------------------------------------------------


def read_table(data: bytes, filename: str = "", limits: Limits | None = None) -> Table:
    """The file's heading and rows, within the import limits (the configured ones by default)."""
    raw = reading.read_table(data, limits or configured(), filename, sheet="Values")
    return _table(raw)


def _table(raw: reading.RawTable) -> Table:
    first = first_filled(raw.rows)
    if first is None:
        raise FileProblem("The file is empty")
    header_line, header = raw.rows[first]
    found = match_header(header_line, header, COLUMNS)
    if found.duplicates:
        raise FileProblem(
            f"Line {header_line}: the column '{found.duplicates[0].label}' appears twice"
        )
    if found.missing:
        raise FileProblem(
            f"Line {header_line}: the first row must be the column headings; missing "
            + ", ".join(f"'{column.label}'" for column in found.missing)
            + ". Download the template to see the columns"
        )
    rows = [(line, cells) for line, cells in raw.rows[first + 1 :] if not all(map(is_blank, cells))]
    if not rows:
        raise FileProblem("The file has headings but no rows of figures")
    return Table(raw.kind, found.positions, found.ignored, rows, raw.decimal_comma)


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


def plan_import(data: bytes, filename: str, limits: Limits | None = None) -> ImportPlan:
    """Read the file and check every row (the command line; the web keeps the table instead)."""
    try:
        table = read_table(data, filename, limits)
    except FileProblem as problem:
        plan = ImportPlan(filename=filename, sha256=sha256_of(data))
        plan.errors.append(line_error(None, str(problem)))
        return plan
    return plan_table(table, filename, sha256_of(data))


def plan_table(table: Table, filename: str, sha256: str) -> ImportPlan:
    """Check every row of a table already read and compare it with what is stored."""
    plan = ImportPlan(filename=filename, sha256=sha256)
    plan.kind, plan.ignored_columns = table.kind, table.ignored
    reader = _RowReader(table.columns, plan.errors, table.decimal_comma)
    parsed = [row for line, cells in table.rows if (row := reader.read(line, cells)) is not None]
    existing = _existing_values({(r[1].id, r[2], r[3]) for r in parsed})
    seen: dict[tuple, int] = {}
    has = table.columns
    for line, indicator, period, basis, value, provisional, note in parsed:
        key = (indicator.id, period, basis)
        if key in seen:
            plan.errors.append(
                line_error(
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
    plan.errors.sort(key=lambda e: e.line)
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

    def __init__(self, columns: dict[str, int], errors: list, decimal_comma: bool = False):
        self.columns = columns
        self.errors = errors
        self.decimal_comma = decimal_comma
        self.indicators = {i.code.upper(): i for i in db.session.scalars(select(Indicator))}
        self.code = _Remembered(_code)
        self.period = _Remembered(parsing.parse_period)
        self.basis = _Remembered(lambda raw: str(parsing.parse_basis(raw)))
        self.yes_no = _Remembered(parsing.parse_yes_no)

    def _figure(self, raw, indicator: Indicator) -> float:
        if self.decimal_comma and isinstance(raw, str):
            raw = reading.decimal_point(raw)
        return parsing.parse_figure(raw, indicator.unit)

    def _period(self, raw) -> date:
        period = self.period(raw)
        parsing.check_month_has_happened(period)
        return period

    def _indicator(self, cells: list, problems: list) -> Indicator | None:
        code = self.code(_cell(cells, self.columns, "code"))
        indicator = self.indicators.get(code)
        if not code:
            problems.append(("code", "enter the indicator code"))
        elif indicator is None:
            problems.append(("code", f"there is no indicator with the code '{code}'"))
        return indicator

    def _field(self, key: str, parse, cells: list, problems: list):
        """The cell parsed, or None with its problem noted against its column."""
        try:
            return parse(_cell(cells, self.columns, key))
        except ValueError as error:
            problems.append((key, str(error)))
            return None

    def read(self, line: int, cells: list) -> tuple | None:
        problems: list[tuple[str, str]] = []  # (column key, message)
        indicator = self._indicator(cells, problems)
        period = self._field("period", self._period, cells, problems)
        basis = self._field("basis", self.basis, cells, problems)
        value = None
        if indicator is not None:
            value = self._field("value", lambda raw: self._figure(raw, indicator), cells, problems)
        provisional = self._field("provisional", self.yes_no, cells, problems)
        note = self._field("note", _note, cells, problems)
        for key, problem in problems:
            self.errors.append(line_error(line, problem[0].upper() + problem[1:], HEADINGS[key]))
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
        "before": row.before.value if row.action == "change" and row.before else None,
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
    correct_values([(r.existing, r.figure) for r in to_change if r.existing], user, source)
    changes = [_change_entry(row) for row in plan.rows if row.action != "unchanged"]
    unchanged = len(plan.rows) - len(to_add) - len(to_change)
    counts = (len(to_add), len(to_change), unchanged)
    return record_import(
        KIND, "indicator_values.imported", plan.filename, plan.sha256, user, counts, changes
    )


# --- Template files ------------------------------------------------------------------------


def template_csv() -> bytes:
    return write_template_csv(TEMPLATE_HEADER)


def template_xlsx(indicators: list[Indicator]) -> bytes:
    values = TemplateSheet(
        "Values",
        TEMPLATE_HEADER,
        # Text, so that Excel keeps "2016-02" as typed instead of guessing a day.
        text_columns=(2,),
        widths=dict(zip("ABCDEF", (16, 12, 18, 10, 12, 50), strict=True)),
    )
    reference = TemplateSheet(
        "Indicators",
        ["Indicator code", "Name", "Unit", "Judged on"],
        rows=[
            [i.code, i.name, parsing.UNIT_NAMES[Unit(i.unit)], Basis(i.basis).label]
            for i in indicators
        ],
        widths={"A": 16, "B": 70},
    )
    return write_template_xlsx([values, reference])
