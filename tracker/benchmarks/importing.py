"""Importing the DfE's published statistics and statistical-neighbour list. See docs/indicators.md
"Benchmarks from published statistics".

The same steps and rules as the other imports (tracker/imports): the file is read within the
safety limits, every row is checked and compared with what is stored (a plan: to add, to change,
unchanged, or a problem naming its row), the preview is kept on the server until confirmed, and
applying writes everything or nothing. Importing the same file again changes nothing.
"""

import hashlib
import re
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from tracker.benchmarks.figures import LOCAL_AUTHORITY, NATIONAL, REGIONAL, period_label
from tracker.extensions import db
from tracker.imports import reading
from tracker.imports.columns import (
    Column,
    RowProblem,
    first_filled,
    heading_key,
    is_blank,
    match_header,
)
from tracker.imports.limits import FileProblem, Limits, configured
from tracker.imports.pending import sha256_of
from tracker.imports.records import record_import
from tracker.models import (
    BenchmarkMeasure,
    ImportRecord,
    PublishedFigure,
    StatisticalNeighbour,
    User,
)

FIGURES_KIND = "published_figures"
NEIGHBOURS_KIND = "statistical_neighbours"
PENDING_FOLDER = "benchmark-imports"
ENGLAND_CODE = "E92000001"
NEIGHBOURS_PER_COUNCIL = 10

# The codes the DfE (following the Government Statistical Service) writes where a figure is not
# published. Kept as "not published" with the code, never as 0.
SUPPRESSED = {
    "c": "confidential",
    "x": "not available",
    "z": "not applicable",
    "low": "rounds to 0 but is not 0",
    "k": "rounds to 0 but is not 0",
    "u": "low reliability",
    ":": "not available",
    "..": "not available",
}
LEVELS = {heading_key(level): level for level in (NATIONAL, REGIONAL, LOCAL_AUTHORITY)}
TIME_PERIOD = re.compile(r"^(\d{4})(\d{2})?$")
NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
PROVISIONAL_WORDS = {"provisional", "yes", "y", "true", "1"}

FIGURE_COLUMNS = [
    Column("time_period", "time_period", ("time period", "time_period", "year")),
    Column("time_identifier", "time_identifier", ("time identifier",), required=False),
    Column("geographic_level", "geographic_level", ("geographic level",)),
    Column("country_code", "country_code", ("country code",), required=False),
    Column("country_name", "country_name", ("country name",), required=False),
    Column("region_code", "region_code", ("region code",), required=False),
    Column("region_name", "region_name", ("region name",), required=False),
    Column("new_la_code", "new_la_code", ("new la code", "la code"), required=False),
    Column("old_la_code", "old_la_code", ("old la code", "la number"), required=False),
    Column("la_name", "la_name", ("la name", "local authority"), required=False),
    Column(
        "provisional",
        "provisional",
        ("provisional", "data status", "status", "version"),
        required=False,
    ),
]
NEIGHBOUR_COLUMNS = [
    Column("new_la_code", "new_la_code", ("new la code", "la code"), required=False),
    Column("old_la_code", "old_la_code", ("old la code", "la number"), required=False),
    Column("la_name", "la_name", ("la name", "local authority")),
    *(
        Column(f"sn{n}", f"SN{n}", (f"sn{n}", f"sn {n}", f"statistical neighbour {n}"), False)
        for n in range(1, NEIGHBOURS_PER_COUNCIL + 1)
    ),
]


class ImportRefused(Exception):
    pass


def _text(cells: list, positions: dict[str, int], key: str) -> str:
    index = positions.get(key)
    if index is None or index >= len(cells) or cells[index] is None:
        return ""
    value = cells[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(data: bytes, filename: str = "", limits: Limits | None = None) -> list:
    """The file's rows (row number, cells), read within the import limits; kept between preview
    and confirm so that the file is read once."""
    if not data:
        raise FileProblem("The selected file is empty")
    raw = reading.read_table(data, limits or configured(), filename)
    if first_filled(raw.rows) is None:
        raise FileProblem("The file is empty")
    return raw.rows


def _heading(raw_rows: list, columns: list[Column], extra=()):
    """The heading's positions (with any extra headings asked for) and the rows after it."""
    first = first_filled(raw_rows)
    if first is None:
        raise FileProblem("The file is empty")
    header_line, header = raw_rows[first]
    wanted = list(columns) + [Column(f"measure:{m}", m, (heading_key(m),), False) for m in extra]
    found = match_header(header_line, header, wanted)
    if found.duplicates:
        twice = found.duplicates[0].label
        raise FileProblem(f"Row {header_line}: the column '{twice}' appears twice")
    if found.missing:
        raise FileProblem(
            f"Row {header_line}: the first row must be the column headings as published; missing "
            + ", ".join(f"'{column.label}'" for column in found.missing)
        )
    rows = [(n, cells) for n, cells in raw_rows[first + 1 :] if not all(map(is_blank, cells))]
    if not rows:
        raise FileProblem("The file has headings but no rows")
    return found, rows


def plan_file(kind: str, data: bytes, filename: str, limits: Limits | None = None) -> "Plan":
    """Read a file and plan it in one go (the seed and the command line)."""
    try:
        rows = read_rows(data, filename, limits)
    except FileProblem as problem:
        plan = Plan(kind, filename, sha256_of(data))
        plan.errors.append(RowProblem(None, str(problem)))
        return plan
    return PLANNERS[kind](rows, filename, sha256_of(data))


# --- Published figures --------------------------------------------------------------------------


@dataclass
class PlannedFigure:
    row: int
    measure: str
    time_period: str
    geographic_level: str
    area_code: str
    area_name: str
    value: float | None
    suppressed: str | None
    provisional: bool
    action: str = "add"  # "add", "change" or "unchanged"

    def key(self) -> tuple:
        return (self.measure, self.time_period, self.area_code)

    def state(self) -> tuple:
        return (self.value, self.suppressed, self.provisional)

    @property
    def shown(self) -> str:
        if self.value is None:
            why = SUPPRESSED.get(self.suppressed or "", "no reason given")
            return f"Not published ({self.suppressed}: {why})"
        return f"{self.value:g}"

    @property
    def period(self) -> str:
        return period_label(self.time_period)


@dataclass
class Plan:
    kind: str
    filename: str
    sha256: str
    rows: list = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was read and left aside, and why
    removed: list = field(default_factory=list)  # neighbours no longer listed

    def _with(self, action: str) -> list:
        return [r for r in self.rows if r.action == action]

    @property
    def to_add(self) -> list:
        return self._with("add")

    @property
    def to_change(self) -> list:
        return self._with("change")

    @property
    def unchanged(self) -> list:
        return self._with("unchanged")

    @property
    def changes_anything(self) -> bool:
        return bool(self.to_add or self.to_change or self.removed)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def digest(self) -> str:
        """Changes if the plan would do anything different (the file or what is stored)."""
        text = repr([(r.action, r.key(), r.state()) for r in self.rows] + self.removed)
        return hashlib.sha256(f"{self.sha256}:{text}".encode()).hexdigest()


def known_authorities() -> dict[str, str]:
    """Local authorities the tracker knows (code -> name): those in the statistical-neighbour
    list, as councils or as neighbours."""
    known = {}
    for code, name, n_code, n_name in db.session.execute(
        select(
            StatisticalNeighbour.la_code,
            StatisticalNeighbour.la_name,
            StatisticalNeighbour.neighbour_code,
            StatisticalNeighbour.neighbour_name,
        )
    ):
        known[code], known[n_code] = name, n_name
    return known


def plan_figures(raw_rows: list, filename: str, sha256: str) -> Plan:
    """Every row of a published file checked and compared with the stored figures."""
    plan = Plan(FIGURES_KIND, filename, sha256)
    measures = sorted({m for (m,) in db.session.execute(select(BenchmarkMeasure.measure))})
    try:
        found, rows = _heading(raw_rows, FIGURE_COLUMNS, measures)
    except FileProblem as problem:
        plan.errors.append(RowProblem(None, str(problem)))
        return plan
    columns = {
        key[8:]: index for key, index in found.positions.items() if key.startswith("measure:")
    }
    if not columns:
        plan.errors.append(
            RowProblem(
                None,
                "None of the file's columns is one the tracker compares an indicator with ("
                + (", ".join(f"'{m}'" for m in measures) or "no column is mapped yet")
                + "): check it is the right publication",
            )
        )
        return plan
    ignored = found.ignored
    if ignored:
        plan.notes.append(
            f"{len(ignored)} column(s) not compared with any indicator, so not imported: "
            + ", ".join(ignored[:20])
        )
    _FigureRows(plan, found.positions, columns).read(rows)
    stored = {
        (f.measure, f.time_period, f.area_code): (f.value, f.suppressed, f.provisional)
        for f in db.session.scalars(
            select(PublishedFigure).where(PublishedFigure.measure.in_(list(columns)))
        )
    }
    for row in plan.rows:
        before = stored.get(row.key())
        row.action = "add" if before is None else "unchanged" if before == row.state() else "change"
    plan.errors.sort(key=lambda e: e.line)
    return plan


class _FigureRows:
    def __init__(self, plan: Plan, positions: dict[str, int], measures: dict[str, int]):
        self.plan = plan
        self.positions = positions
        self.measures = measures
        self.known = known_authorities()
        self.by_name = {heading_key(name): code for code, name in self.known.items()}
        self.seen: dict[tuple, int] = {}
        self.regional = 0

    def problem(self, row: int, message: str, column: str | None = None) -> None:
        self.plan.errors.append(RowProblem(row, message, column))

    def read(self, rows: list) -> None:
        for number, cells in rows:
            self.read_row(number, cells)
        if self.regional:
            self.plan.notes.append(
                f"{self.regional} regional row(s) read but not used: the tracker compares with "
                "statistical neighbours and England"
            )

    def _period(self, number: int, cells: list) -> str | None:
        text = _text(cells, self.positions, "time_period")
        match = TIME_PERIOD.match(text)
        if match is None or (
            match.group(2) and int(match.group(2)) != (int(match.group(1)) + 1) % 100
        ):
            self.problem(
                number,
                f"time_period '{text}' is not a year as the DfE writes it (2015, or 201415 "
                "for 2014-15)",
                "time_period",
            )
            return None
        return text

    def _area(self, number: int, cells: list, level: str) -> tuple[str, str] | None:
        if level == NATIONAL:
            code = _text(cells, self.positions, "country_code") or ENGLAND_CODE
            return code, _text(cells, self.positions, "country_name") or "England"
        code = _text(cells, self.positions, "new_la_code")
        name = _text(cells, self.positions, "la_name")
        if not code and name:
            code = self.by_name.get(heading_key(name), "")
        if code in self.known:
            return code, self.known[code]
        shown = " ".join(filter(None, (f"'{name}'" if name else "", f"({code})" if code else "")))
        self.problem(
            number,
            f"The local authority {shown or '(no code or name)'} is not in the "
            "statistical-neighbour list: check its new_la_code, or import the list that "
            "includes it first",
            "new_la_code",
        )
        return None

    def read_row(self, number: int, cells: list) -> None:
        level_text = _text(cells, self.positions, "geographic_level")
        level = LEVELS.get(heading_key(level_text))
        if level is None:
            self.problem(
                number,
                f"geographic_level '{level_text}' is not National, Regional or Local authority",
                "geographic_level",
            )
            return
        if level == REGIONAL:
            self.regional += 1
            return
        period = self._period(number, cells)
        area = self._area(number, cells, level)
        provisional = heading_key(_text(cells, self.positions, "provisional")) in (
            PROVISIONAL_WORDS
        )
        if period is None or area is None:
            return
        for measure, index in self.measures.items():
            self._figure(number, cells, measure, index, period, level, area, provisional)

    def _figure(self, number, cells, measure, index, period, level, area, provisional) -> None:
        raw = _text(cells, {"m": index}, "m")
        value, suppressed = None, None
        if raw.lower() in SUPPRESSED:
            suppressed = raw.lower()
        elif NUMBER.match(raw):
            value = float(raw.replace(",", ""))
        else:
            self.problem(
                number,
                f"{measure} is '{raw}': enter the published figure, or the code the DfE uses "
                "where it is not published (c, x, z or low)"
                if raw
                else f"{measure} is empty: the DfE writes c, x, z or low where a figure is not "
                "published",
                measure,
            )
            return
        key = (measure, period, area[0])
        if key in self.seen:
            self.problem(
                number,
                f"{area[1]} {period_label(period)} ({measure}) is also on row {self.seen[key]}: "
                "each area's figure for a period may appear once",
                "time_period",
            )
            return
        self.seen[key] = number
        self.plan.rows.append(
            PlannedFigure(
                number, measure, period, level, area[0], area[1], value, suppressed, provisional
            )
        )


def apply_figures(plan: Plan, user: User | None, record: bool = True) -> ImportRecord | None:
    """Write every figure of a checked plan; the caller's unit of work commits all or nothing.
    The demo seed loads its files without an import record or audit event (record=False), as
    it loads everything else."""
    _refuse_if_not_ok(plan)
    stored = {
        (f.measure, f.time_period, f.area_code): f
        for f in db.session.scalars(
            select(PublishedFigure).where(
                PublishedFigure.measure.in_({r.measure for r in plan.to_change})
            )
        )
    }
    for row in plan.to_add:
        db.session.add(
            PublishedFigure(
                measure=row.measure,
                time_period=row.time_period,
                geographic_level=row.geographic_level,
                area_code=row.area_code,
                area_name=row.area_name[:200],
                value=row.value,
                suppressed=row.suppressed,
                provisional=row.provisional,
                source=plan.filename[:300],
            )
        )
    for row in plan.to_change:
        figure = stored[row.key()]
        figure.value, figure.suppressed, figure.provisional = row.state()
        figure.source = plan.filename[:300]
    changes = [
        {
            "action": r.action,
            "row": r.row,
            "area": r.area_name,
            "year": r.period,
            "value": r.value,
            "not_published": r.suppressed,
        }
        for r in plan.rows
        if r.action != "unchanged"
    ]
    return _record(plan, user, "benchmarks.figures_imported", changes) if record else None


def _refuse_if_not_ok(plan: Plan) -> None:
    if plan.errors:
        raise ImportRefused("The file has errors: nothing was imported")
    if not plan.rows:
        raise ImportRefused("The file has nothing to import: nothing was imported")


def _record(plan: Plan, user: User | None, event: str, changes: list) -> ImportRecord:
    counts = (len(plan.to_add), len(plan.to_change) + len(plan.removed), len(plan.unchanged))
    return record_import(plan.kind, event, plan.filename, plan.sha256, user, counts, changes)


# --- The statistical-neighbour list ------------------------------------------------------------


@dataclass
class PlannedNeighbour:
    row: int
    la_code: str
    la_name: str
    rank: int
    neighbour_code: str
    neighbour_name: str
    action: str = "add"

    def key(self) -> tuple:
        return (self.la_code, self.rank)

    def state(self) -> tuple:
        return (self.la_name, self.neighbour_code, self.neighbour_name)


def plan_neighbours(raw_rows: list, filename: str, sha256: str) -> Plan:
    """The list as published replaces the stored one: councils it lists get their ten
    neighbours; a council it leaves out keeps what is stored."""
    plan = Plan(NEIGHBOURS_KIND, filename, sha256)
    try:
        found, rows = _heading(raw_rows, NEIGHBOUR_COLUMNS)
    except FileProblem as problem:
        plan.errors.append(RowProblem(None, str(problem)))
        return plan
    positions = found.positions
    if "new_la_code" not in positions:
        plan.errors.append(RowProblem(None, "The file has no 'new_la_code' column"))
        return plan
    councils: dict[str, tuple[str, int]] = {}  # code -> (name, row)
    by_name: dict[str, str] = {}
    for number, cells in rows:
        code = _text(cells, positions, "new_la_code").upper()
        name = _text(cells, positions, "la_name")
        if not code or not name:
            plan.errors.append(RowProblem(number, "Enter the council's new_la_code and la_name"))
        elif code in councils:
            plan.errors.append(
                RowProblem(number, f"{name} ({code}) is also on row {councils[code][1]}")
            )
        else:
            councils[code] = (name, number)
            by_name[heading_key(name)] = code
    for number, cells in rows:
        code = _text(cells, positions, "new_la_code").upper()
        if code not in councils or councils[code][1] != number:
            continue
        _plan_council(plan, number, cells, positions, code, councils, by_name)
    stored = {
        (n.la_code, n.rank): n
        for n in db.session.scalars(
            select(StatisticalNeighbour).where(
                StatisticalNeighbour.la_code.in_({r.la_code for r in plan.rows})
            )
        )
    }
    for row in plan.rows:
        before = stored.pop(row.key(), None)
        if before is not None:
            same = (before.la_name, before.neighbour_code, before.neighbour_name) == row.state()
            row.action = "unchanged" if same else "change"
    plan.removed = sorted(stored)
    plan.errors.sort(key=lambda e: e.line)
    return plan


def _plan_council(plan, number, cells, positions, code, councils, by_name) -> None:
    cells_given = [
        (n, _text(cells, positions, f"sn{n}")) for n in range(1, NEIGHBOURS_PER_COUNCIL + 1)
    ]
    named = [(n, text) for n, text in cells_given if text]
    if not named:
        return  # a council listed only so that others can name it as a neighbour
    if len(named) != NEIGHBOURS_PER_COUNCIL:
        plan.errors.append(
            RowProblem(
                number,
                f"{councils[code][0]} has {len(named)} statistical neighbours: the DfE lists "
                f"{NEIGHBOURS_PER_COUNCIL}, SN1 to SN{NEIGHBOURS_PER_COUNCIL}",
            )
        )
        return
    seen: set[str] = set()
    planned = []
    for rank, text in named:
        neighbour = text.upper() if text.upper() in councils else by_name.get(heading_key(text))
        if neighbour is None:
            plan.errors.append(
                RowProblem(
                    number,
                    f"SN{rank} '{text}' is not a council in the file: every neighbour needs "
                    "its own row with its new_la_code",
                    f"SN{rank}",
                )
            )
            return
        if neighbour == code or neighbour in seen:
            plan.errors.append(
                RowProblem(
                    number,
                    f"SN{rank} '{text}' is the council itself or is named twice",
                    f"SN{rank}",
                )
            )
            return
        seen.add(neighbour)
        planned.append(
            PlannedNeighbour(
                number, code, councils[code][0], rank, neighbour, councils[neighbour][0]
            )
        )
    plan.rows.extend(planned)


def apply_neighbours(plan: Plan, user: User | None, record: bool = True) -> ImportRecord | None:
    _refuse_if_not_ok(plan)
    for la_code, rank in plan.removed:
        db.session.execute(
            delete(StatisticalNeighbour).where(
                StatisticalNeighbour.la_code == la_code, StatisticalNeighbour.rank == rank
            )
        )
    stored = {
        (n.la_code, n.rank): n
        for n in db.session.scalars(
            select(StatisticalNeighbour).where(
                StatisticalNeighbour.la_code.in_({r.la_code for r in plan.to_change})
            )
        )
    }
    for row in plan.to_change:
        neighbour = stored[row.key()]
        neighbour.la_name, neighbour.neighbour_code, neighbour.neighbour_name = row.state()
    for row in plan.to_add:
        db.session.add(
            StatisticalNeighbour(
                la_code=row.la_code,
                la_name=row.la_name[:200],
                rank=row.rank,
                neighbour_code=row.neighbour_code,
                neighbour_name=row.neighbour_name[:200],
            )
        )
    changes = [
        {"action": r.action, "council": r.la_name, "rank": r.rank, "neighbour": r.neighbour_name}
        for r in plan.rows
        if r.action != "unchanged"
    ] + [{"action": "remove", "council": code, "rank": rank} for code, rank in plan.removed]
    return _record(plan, user, "benchmarks.neighbours_imported", changes) if record else None


PLANNERS = {FIGURES_KIND: plan_figures, NEIGHBOURS_KIND: plan_neighbours}
APPLIERS = {FIGURES_KIND: apply_figures, NEIGHBOURS_KIND: apply_neighbours}
