"""Importing an existing action plan from a spreadsheet (Excel .xlsx or CSV): one row per action.

Three steps, each a plain function: read the file into rows (read_rows), work out what would be
created and every problem with its row (preview), then create it all in one unit of work
(apply_import). Nothing is created while any row has a problem. Recommendations and actions are
matched by reference, so importing the same file again creates nothing new: what is already in
the plan is left as it is (the tracker, not the spreadsheet, is the record once imported).
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from tracker import audit
from tracker.admin.plan_details import parse_day
from tracker.admin.structure import action_snapshot, recommendation_snapshot
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionStatus,
    ImportRecord,
    Plan,
    ProgressUpdate,
    Recommendation,
    User,
    utcnow,
)
from tracker.permissions import may_own_work_clause

KIND = "action_plan"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
TITLE_LENGTH = 120


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    aliases: tuple[str, ...]
    guidance: str


COLUMNS = [
    Column(
        "rec_ref",
        "Recommendation reference",
        True,
        ("recommendation reference", "recommendation ref", "rec ref", "rec reference"),
        "R1, R2, R3... in order, without gaps.",
    ),
    Column(
        "rec_title",
        "Recommendation title",
        False,
        ("recommendation title", "rec title", "title"),
        "Optional: a short title. Without one, the start of the recommendation text is used.",
    ),
    Column(
        "rec_text",
        "Recommendation text",
        True,
        ("recommendation text", "recommendation", "rec text"),
        "The recommendation in full. Repeat it (or leave it blank) on each of its actions' rows.",
    ),
    Column(
        "lead",
        "Lead email",
        True,
        ("lead email", "lead", "recommendation lead", "lead email address", "lead (email)"),
        "The email address of the person who leads the recommendation.",
    ),
    Column(
        "action_ref",
        "Action reference",
        True,
        ("action reference", "action ref"),
        "R1.1, R1.2... in order within each recommendation, without gaps.",
    ),
    Column(
        "action_text",
        "Action text",
        True,
        ("action text", "action", "action description", "description"),
        "What will be done.",
    ),
    Column(
        "owner",
        "Owner email",
        True,
        ("owner email", "owner", "action owner", "owner email address", "owner (email)"),
        "The email address of the person who owns the action.",
    ),
    Column(
        "due",
        "Due date",
        True,
        ("due date", "due", "due by", "target date"),
        "Day/month/year, for example 31/3/2016. Blank if there is no date yet.",
    ),
    Column(
        "status",
        "Status",
        True,
        ("status", "rag status", "progress status"),
        "Not started, In progress, Blocked or Completed. Blank means not started.",
    ),
    Column(
        "note",
        "Latest note",
        True,
        ("latest note", "note", "latest progress note", "progress note", "latest update"),
        "Optional: the latest progress note; it becomes the first entry in the action's history.",
    ),
]
COLUMN_BY_ALIAS = {alias: column for column in COLUMNS for alias in column.aliases}

STATUS_WORDS = {
    "not started": ActionStatus.NOT_STARTED,
    "in progress": ActionStatus.IN_PROGRESS,
    "ongoing": ActionStatus.IN_PROGRESS,
    "started": ActionStatus.IN_PROGRESS,
    "blocked": ActionStatus.BLOCKED,
    "completed": ActionStatus.COMPLETED,
    "complete": ActionStatus.COMPLETED,
    "done": ActionStatus.COMPLETED,
}
REC_REF = re.compile(r"^R?\s*(\d{1,3})$", re.IGNORECASE)
ACTION_REF = re.compile(r"^R?\s*(\d{1,3})\s*\.\s*(\d{1,3})$", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    row: int | None
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}" if self.row else self.message


@dataclass
class SheetRow:
    number: int  # as the spreadsheet numbers it (the header is row 1)
    values: dict[str, str]


@dataclass
class NewRecommendation:
    reference: str
    number: int
    title: str
    text: str
    lead_email: str
    lead: User | None
    row: int


@dataclass
class NewAction:
    reference: str
    rec_reference: str
    number: int
    description: str
    owner_email: str
    owner: User | None
    due: date | None
    status: ActionStatus
    note: str
    row: int


@dataclass
class Preview:
    new_recommendations: list[NewRecommendation] = field(default_factory=list)
    new_actions: list[NewAction] = field(default_factory=list)
    unchanged_recommendations: list[str] = field(default_factory=list)
    unchanged_actions: list[str] = field(default_factory=list)
    unknown_people: dict[str, list[int]] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def nothing_new(self) -> bool:
        return not self.new_recommendations and not self.new_actions

    def problem(self, row: int | None, message: str) -> None:
        self.problems.append(Problem(row, message))


# --- Step 1: the file into rows ---------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_rows(data: bytes) -> tuple[list[SheetRow], list[Problem]]:
    """The rows of an .xlsx or CSV file (recognised by content, not name), with file problems."""
    if not data.strip():
        return [], [Problem(None, "The file is empty")]
    if data[:4] == b"PK\x03\x04":
        table, problem = _xlsx_table(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        table, problem = [], "The file is an old Excel (.xls) file: save it as .xlsx or CSV"
    else:
        table, problem = _csv_table(data)
    if problem:
        return [], [Problem(None, problem)]
    return _rows_from_table(table)


def _xlsx_table(data: bytes) -> tuple[list[list], str | None]:
    from openpyxl import load_workbook  # loaded only when a workbook is uploaded

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # an uploaded file can be broken in any number of ways
        return [], "The file is not an Excel workbook (.xlsx) or a CSV file"
    try:
        sheet = workbook.worksheets[0]
        table = []
        for row in sheet.iter_rows(values_only=True):
            table.append(list(row))
            if len(table) > MAX_ROWS + 1:
                break
        return table, None
    finally:
        workbook.close()


def _csv_table(data: bytes) -> tuple[list[list], str | None]:
    if b"\x00" in data[:4096]:
        return [], "The file is not an Excel workbook (.xlsx) or a CSV file"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel on Windows saves CSV this way
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        table = []
        for row in csv.reader(io.StringIO(text), dialect):
            table.append(row)
            if len(table) > MAX_ROWS + 1:
                break
        return table, None
    except csv.Error as error:
        return [], f"The CSV file could not be read ({error})"


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9()]+", " ", text.lower()).split())


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _rows_from_table(table: list[list]) -> tuple[list[SheetRow], list[Problem]]:
    texts = [[_cell_text(v) for v in row] for row in table]
    header_index = next((i for i, row in enumerate(texts) if any(row)), None)
    if header_index is None:
        return [], [Problem(None, "The file is empty")]
    header_row = header_index + 1
    positions: dict[str, int] = {}
    for index, heading in enumerate(texts[header_index]):
        column = COLUMN_BY_ALIAS.get(_header_key(heading))
        if column and column.key not in positions:
            positions[column.key] = index
    problems = [
        Problem(header_row, f"the file has no '{c.label}' column (download the template)")
        for c in COLUMNS
        if c.required and c.key not in positions
    ]
    if problems:
        return [], problems
    rows = []
    for index in range(header_index + 1, len(texts)):
        cells = texts[index]
        values = {c.key: _cell(cells, positions.get(c.key)) for c in COLUMNS}
        if any(values.values()):
            rows.append(SheetRow(index + 1, values))
    if len(rows) > MAX_ROWS:
        return [], [Problem(None, f"The file has more than {MAX_ROWS} rows: split it")]
    if not rows:
        return [], [Problem(None, "The file has a header row but no actions")]
    return rows, []


# --- Step 2: what would be created, and every problem -----------------------------------------


def _email(text: str, row: int, what: str, preview: Preview) -> str:
    if not text:
        return ""
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        preview.problem(row, f"{what} '{text[:60]}' is not an email address")
        return ""


def _people(emails: set[str]) -> dict[str, User]:
    """Active people who can lead or own work, by email."""
    if not emails:
        return {}
    query = select(User).where(func.lower(User.email).in_(emails), may_own_work_clause())
    return {user.email.lower(): user for user in db.session.scalars(query)}


def _derive_title(text: str) -> str:
    first = re.split(r"(?<=[.;:])\s", text, maxsplit=1)[0].rstrip(".;:")
    if len(first) <= TITLE_LENGTH:
        return first
    return first[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


@dataclass
class _Rec:
    number: int
    row: int
    title: str = ""
    text: str = ""
    lead: str = ""
    actions: dict[int, NewAction] = field(default_factory=dict)


def preview(plan: Plan, rows: list[SheetRow]) -> Preview:
    """Check every row and work out what an import into this plan would create."""
    result = Preview(rows_read=len(rows))
    recs: dict[int, _Rec] = {}
    action_rows: dict[str, int] = {}
    for row in rows:
        _read_row(row, recs, action_rows, result)
    existing_recs = {r.reference: r for r in _plan_recommendations(plan.id)}
    existing_actions = _plan_actions(plan.id)
    _check_sequence(recs, existing_recs, existing_actions, result)
    people = _people({r.lead for r in recs.values()} | _owner_emails(recs))
    for number in sorted(recs):
        _plan_recommendation(recs[number], existing_recs, existing_actions, people, result)
    return result


def _owner_emails(recs: dict[int, _Rec]) -> set[str]:
    return {a.owner_email for r in recs.values() for a in r.actions.values() if a.owner_email}


def _read_row(row: SheetRow, recs: dict, action_rows: dict, result: Preview) -> None:
    v, n = row.values, row.number
    rec_match = REC_REF.match(v["rec_ref"].replace(" ", ""))
    if not v["rec_ref"]:
        result.problem(n, "enter the recommendation reference, for example R1")
    elif not rec_match:
        result.problem(n, f"recommendation reference '{v['rec_ref'][:20]}' must look like R1")
    action_match = ACTION_REF.match(v["action_ref"].replace(" ", ""))
    if not v["action_ref"]:
        result.problem(n, "enter the action reference, for example R1.1")
    elif not action_match:
        result.problem(n, f"action reference '{v['action_ref'][:20]}' must look like R1.1")
    if not v["action_text"]:
        result.problem(n, "enter the action text")
    lead = _email(v["lead"], n, "lead email", result)
    owner = _email(v["owner"], n, "owner email", result)
    due = None
    if v["due"]:
        due = parse_day(v["due"])
        if due is None:
            result.problem(
                n, f"due date '{v['due'][:20]}' must be a real date, for example 31/3/2016"
            )
    status = _status(v["status"], n, result)
    if not (rec_match and action_match):
        return
    rec_number = int(rec_match.group(1))
    action_rec, action_number = int(action_match.group(1)), int(action_match.group(2))
    if rec_number < 1 or action_number < 1:
        result.problem(n, "references start at 1 (R1, R1.1)")
        return
    if action_rec != rec_number:
        result.problem(
            n,
            f"action R{action_rec}.{action_number} does not belong to recommendation R{rec_number}",
        )
        return
    rec = recs.setdefault(rec_number, _Rec(rec_number, n))
    _merge_rec_field(rec, "text", v["rec_text"], n, "text", result)
    _merge_rec_field(rec, "title", v["rec_title"], n, "title", result)
    _merge_rec_field(rec, "lead", lead, n, "lead", result)
    reference = f"R{rec_number}.{action_number}"
    if reference in action_rows:
        result.problem(n, f"action {reference} is also on row {action_rows[reference]}")
        return
    action_rows[reference] = n
    rec.actions[action_number] = NewAction(
        reference=reference,
        rec_reference=f"R{rec_number}",
        number=action_number,
        description=v["action_text"],
        owner_email=owner,
        owner=None,
        due=due,
        status=status,
        note=v["note"],
        row=n,
    )


def _merge_rec_field(rec: _Rec, name: str, value: str, row: int, what: str, result) -> None:
    """A recommendation's details may be repeated on each of its rows, but must then agree."""
    if not value:
        return
    current = getattr(rec, name)
    if not current:
        setattr(rec, name, value)
        setattr(rec, f"{name}_row", row)
    elif " ".join(current.split()) != " ".join(value.split()):
        first = getattr(rec, f"{name}_row", rec.row)
        result.problem(row, f"recommendation R{rec.number} has a different {what} on row {first}")


def _status(text: str, row: int, result: Preview) -> ActionStatus:
    word = " ".join(text.lower().replace("_", " ").replace("-", " ").split())
    if not word:
        return ActionStatus.NOT_STARTED
    if word == "verified":
        result.problem(
            row,
            "status 'Verified' is given only when evidence is accepted in the tracker: "
            "import the action as Completed",
        )
        return ActionStatus.COMPLETED
    if word not in STATUS_WORDS:
        result.problem(
            row,
            f"status '{text[:30]}' must be Not started, In progress, Blocked or Completed",
        )
        return ActionStatus.NOT_STARTED
    return STATUS_WORDS[word]


def _plan_recommendations(plan_id: int) -> list[Recommendation]:
    return list(db.session.scalars(select(Recommendation).where(Recommendation.plan_id == plan_id)))


def _plan_actions(plan_id: int) -> dict[str, Action]:
    query = select(Action).join(Action.recommendation).where(Recommendation.plan_id == plan_id)
    return {a.reference: a for a in db.session.scalars(query)}


def _numbers(references, pattern: re.Pattern, group: int) -> set[int]:
    found = set()
    for reference in references:
        match = pattern.match(reference)
        if match:
            found.add(int(match.group(group)))
    return found


def _check_sequence(recs: dict, existing_recs: dict, existing_actions: dict, result) -> None:
    """References follow the order (R1, R2... and R1.1, R1.2...): no gaps, in file or plan."""
    have = set(recs) | _numbers(existing_recs, REC_REF, 1)
    for missing in sorted(set(range(1, max(have, default=0) + 1)) - have):
        after = min(number for number in have if number > missing)
        result.problem(
            recs[after].row if after in recs else None,
            f"there is no recommendation R{missing} in the file or the plan: "
            f"references run R1, R2, R3... without gaps, so R{after} cannot be added",
        )
    for number, rec in recs.items():
        prefix = f"R{number}."
        in_plan = [ref for ref in existing_actions if ref.startswith(prefix)]
        have_actions = set(rec.actions) | _numbers(in_plan, ACTION_REF, 2)
        for missing in sorted(set(range(1, max(have_actions) + 1)) - have_actions):
            after = min(n for n in have_actions if n > missing)
            row = rec.actions[after].row if after in rec.actions else rec.row
            result.problem(
                row,
                f"there is no action R{number}.{missing} in the file or the plan: "
                f"references run R{number}.1, R{number}.2... without gaps",
            )


def _person(email: str, row: int, people: dict[str, User], result: Preview) -> User | None:
    if not email:
        return None
    person = people.get(email)
    if person is None:
        result.unknown_people.setdefault(email, [])
        if row not in result.unknown_people[email]:
            result.unknown_people[email].append(row)
    return person


def _plan_recommendation(
    rec: _Rec, existing_recs: dict, existing_actions: dict, people: dict, result: Preview
) -> None:
    reference = f"R{rec.number}"
    existing = existing_recs.get(reference)
    if existing is not None:
        result.unchanged_recommendations.append(reference)
        if rec.text and " ".join(rec.text.split()) != " ".join(existing.text.split()):
            result.differences.append(
                f"{reference}: the file's recommendation text differs from the plan's; "
                "the plan's is kept"
            )
    else:
        if not rec.text:
            result.problem(rec.row, f"enter the text of recommendation {reference}")
        if len(rec.title) > 300:
            result.problem(rec.row, f"the title of {reference} must be 300 characters or fewer")
        lead = _person(rec.lead, rec.row, people, result)
        result.new_recommendations.append(
            NewRecommendation(
                reference=reference,
                number=rec.number,
                title=rec.title or _derive_title(rec.text),
                text=rec.text,
                lead_email=rec.lead,
                lead=lead,
                row=rec.row,
            )
        )
    for number in sorted(rec.actions):
        action = rec.actions[number]
        found = existing_actions.get(action.reference)
        if found is not None:
            result.unchanged_actions.append(action.reference)
            if " ".join(found.description.split()) != " ".join(action.description.split()):
                result.differences.append(
                    f"{action.reference}: the file's action text differs from the plan's; "
                    "the plan's is kept"
                )
            continue
        action.owner = _person(action.owner_email, action.row, people, result)
        result.new_actions.append(action)


def earlier_imports(plan_id: int, digest: str) -> list[ImportRecord]:
    query = (
        select(ImportRecord)
        .where(
            ImportRecord.kind == KIND,
            ImportRecord.plan_id == plan_id,
            ImportRecord.sha256 == digest,
        )
        .order_by(ImportRecord.imported_at.desc())
    )
    return list(db.session.scalars(query))


# --- Step 3: create it all, or nothing ---------------------------------------------------------


def apply_import(
    plan: Plan, result: Preview, actor: User, filename: str, digest: str
) -> ImportRecord:
    """Create what the preview found, inside the caller's unit of work (all or nothing)."""
    if not result.ok:
        raise ValueError("an import with problems cannot be applied")
    source = f"Imported from {filename}"[:200]
    rec_ids = {r.reference: r.id for r in _plan_recommendations(plan.id)}
    for new in result.new_recommendations:
        rec = Recommendation(
            plan_id=plan.id,
            position=new.number,
            reference=new.reference,
            title=new.title,
            text=new.text,
            lead_id=new.lead.id if new.lead else None,
            source=source,
        )
        db.session.add(rec)
        db.session.flush()
        rec_ids[new.reference] = rec.id
        audit.record("recommendation.created", obj=rec, after=recommendation_snapshot(rec))
    for new in result.new_actions:
        _create_action(new, rec_ids[new.rec_reference], actor, source)
    record = ImportRecord(
        kind=KIND,
        filename=filename[:300],
        sha256=digest,
        imported_by_id=actor.id,
        plan_id=plan.id,
        rows_added=len(result.new_actions),
        rows_changed=0,
        rows_unchanged=len(result.unchanged_actions),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "action_plan.imported",
        obj=record,
        after={
            "plan_id": plan.id,
            "filename": filename,
            "sha256": digest,
            "recommendations_added": [r.reference for r in result.new_recommendations],
            "actions_added": [a.reference for a in result.new_actions],
            "unchanged": len(result.unchanged_actions),
            "unknown_people": sorted(result.unknown_people),
        },
    )
    return record


def _create_action(new: NewAction, rec_id: int, actor: User, source: str) -> Action:
    action = Action(
        recommendation_id=rec_id,
        position=new.number,
        reference=new.reference,
        description=new.description,
        owner_id=new.owner.id if new.owner else None,
        original_due_date=new.due,
        current_due_date=new.due,
        status=new.status,
        source=source,
        updated_at=utcnow(),
        updated_by_id=actor.id,
    )
    db.session.add(action)
    db.session.flush()
    if new.note:
        db.session.add(
            ProgressUpdate(
                action_id=action.id,
                author_id=actor.id,
                status_from=None,
                status_to=new.status,
                note=new.note,
            )
        )
    audit.record("action.created", obj=action, after=action_snapshot(action))
    return action


# --- The template to download ------------------------------------------------------------------


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Action plan"
    sheet.append([c.label for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 45 if "text" in column.key else 22
        if column.key in ("rec_ref", "action_ref"):
            # Typed as text, so that R1.10 is not turned into the number 1.1.
            for row in range(2, 502):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    guidance = workbook.create_sheet("Guidance")
    guidance.append(["Column", "What to enter"])
    guidance["A1"].font = guidance["B1"].font = Font(bold=True)
    for column in COLUMNS:
        guidance.append([column.label, column.guidance])
    guidance.append([])
    guidance.append(["", "One row per action. Only the first sheet is imported."])
    guidance.column_dimensions["A"].width = 28
    guidance.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([c.label for c in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
