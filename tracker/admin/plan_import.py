"""Importing an existing action plan from a spreadsheet (Excel .xlsx or CSV): one row per action.

Three steps, each a plain function: read the file into rows (read_rows), work out what would be
created and every problem with its row (preview), then create it all in one unit of work
(apply_import). Nothing is created while any row has a problem. Recommendations and actions are
matched by reference, so importing the same file again creates nothing new: what is already in
the plan is left as it is (the tracker, not the spreadsheet, is the record once imported).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from tracker import audit
from tracker.admin.plan_details import parse_day
from tracker.admin.structure import action_snapshot, recommendation_snapshot
from tracker.extensions import db
from tracker.imports import reading
from tracker.imports.columns import Column, RowProblem, first_filled, match_header
from tracker.imports.limits import FileProblem, Limits, configured
from tracker.imports.templates import TemplateSheet
from tracker.imports.templates import template_csv as write_template_csv
from tracker.imports.templates import template_xlsx as write_template_xlsx
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
PENDING_FOLDER = "plan-imports"
MAX_ROWS = 2000  # actions in one import: a plan, not a database
TITLE_LENGTH = 120


COLUMNS = [
    Column(
        "rec_ref",
        "Recommendation reference",
        ("recommendation reference", "recommendation ref", "rec ref", "rec reference"),
        guidance="R1, R2, R3... in order, without gaps.",
    ),
    Column(
        "rec_title",
        "Recommendation title",
        ("recommendation title", "rec title", "title"),
        required=False,
        guidance="Optional: a short title. Without one, the start of the recommendation text "
        "is used.",
    ),
    Column(
        "rec_text",
        "Recommendation text",
        ("recommendation text", "recommendation", "rec text"),
        guidance="The recommendation in full. Repeat it (or leave it blank) on each of its "
        "actions' rows.",
    ),
    Column(
        "lead",
        "Lead email",
        ("lead email", "lead", "recommendation lead", "lead email address", "lead (email)"),
        guidance="The email address of the person who leads the recommendation.",
    ),
    Column(
        "action_ref",
        "Action reference",
        ("action reference", "action ref"),
        guidance="R1.1, R1.2... in order within each recommendation, without gaps.",
    ),
    Column(
        "action_text",
        "Action text",
        ("action text", "action", "action description", "description"),
        guidance="What will be done.",
    ),
    Column(
        "owner",
        "Owner email",
        ("owner email", "owner", "action owner", "owner email address", "owner (email)"),
        guidance="The email address of the person who owns the action.",
    ),
    Column(
        "due",
        "Due date",
        ("due date", "due", "due by", "target date"),
        guidance="Day/month/year, for example 31/3/2016. Blank if there is no date yet.",
    ),
    Column(
        "status",
        "Status",
        ("status", "rag status", "progress status"),
        guidance="Not started, In progress, Blocked or Completed. Blank means not started.",
    ),
    Column(
        "note",
        "Latest note",
        ("latest note", "note", "latest progress note", "progress note", "latest update"),
        guidance="Optional: the latest progress note; it becomes the first entry in the "
        "action's history.",
    ),
]

LABEL = {column.key: column.label for column in COLUMNS}

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
    problems: list[RowProblem] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def nothing_new(self) -> bool:
        return not self.new_recommendations and not self.new_actions

    def problem(self, row: int | None, message: str, column: str | None = None) -> None:
        self.problems.append(RowProblem(row, message, column))


# --- Step 1: the file into rows ---------------------------------------------------------------


def read_rows(
    data: bytes, filename: str = "", limits: Limits | None = None
) -> tuple[list[SheetRow], list[RowProblem]]:
    """The rows of an .xlsx or CSV file (recognised by content; the name only explains a
    refusal), with file problems."""
    limits = (limits or configured()).at_most(MAX_ROWS)
    try:
        table = reading.read_table(data, limits, filename)
    except FileProblem as problem:
        return [], [RowProblem(None, str(problem))]
    return _rows_from_table(table.rows)


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


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _rows_from_table(table: list[tuple[int, list]]) -> tuple[list[SheetRow], list[RowProblem]]:
    first = first_filled(table)
    if first is None:
        return [], [RowProblem(None, "The file is empty")]
    header_row, headings = table[first]
    found = match_header(header_row, [_cell_text(v) for v in headings], COLUMNS)
    problems = [
        RowProblem(header_row, f"the file has no '{c.label}' column (download the template)")
        for c in found.missing
    ]
    if problems:
        return [], problems
    rows = []
    for number, cells in table[first + 1 :]:
        texts = [_cell_text(v) for v in cells]
        values = {c.key: _cell(texts, found.positions.get(c.key)) for c in COLUMNS}
        if any(values.values()):
            rows.append(SheetRow(number, values))
    if not rows:
        return [], [RowProblem(None, "The file has a header row but no actions")]
    return rows, []


# --- Step 2: what would be created, and every problem -----------------------------------------


def _email(text: str, row: int, what: str, preview: Preview) -> str:
    if not text:
        return ""
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        column = LABEL["lead"] if what.startswith("lead") else LABEL["owner"]
        preview.problem(row, f"{what} '{text[:60]}' is not an email address", column)
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


def _reference(text: str, pattern: re.Pattern, example: str, key: str, n: int, result: Preview):
    """The reference's match, or None with its problem noted."""
    match = pattern.match(text.replace(" ", ""))
    if not text:
        result.problem(n, f"enter the {LABEL[key].lower()}, for example {example}", LABEL[key])
    elif not match:
        result.problem(
            n, f"{LABEL[key].lower()} '{text[:20]}' must look like {example}", LABEL[key]
        )
    return match


def _due(text: str, n: int, result: Preview) -> date | None:
    if not text:
        return None
    due = parse_day(text)
    if due is None:
        result.problem(
            n, f"due date '{text[:20]}' must be a real date, for example 31/3/2016", LABEL["due"]
        )
    return due


def _read_row(row: SheetRow, recs: dict, action_rows: dict, result: Preview) -> None:
    v, n = row.values, row.number
    rec_match = _reference(v["rec_ref"], REC_REF, "R1", "rec_ref", n, result)
    action_match = _reference(v["action_ref"], ACTION_REF, "R1.1", "action_ref", n, result)
    if not v["action_text"]:
        result.problem(n, "enter the action text", LABEL["action_text"])
    lead = _email(v["lead"], n, "lead email", result)
    owner = _email(v["owner"], n, "owner email", result)
    due = _due(v["due"], n, result)
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
            LABEL["status"],
        )
        return ActionStatus.COMPLETED
    if word not in STATUS_WORDS:
        result.problem(
            row,
            f"status '{text[:30]}' must be Not started, In progress, Blocked or Completed",
            LABEL["status"],
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
    for new_action in result.new_actions:
        _create_action(new_action, rec_ids[new_action.rec_reference], actor, source)
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
    from openpyxl.utils import get_column_letter  # here, so that workers load openpyxl on demand

    sheet = TemplateSheet(
        "Action plan",
        [c.label for c in COLUMNS],
        widths={
            get_column_letter(i): 45 if "text" in c.key else 22
            for i, c in enumerate(COLUMNS, start=1)
        },
        # Typed as text, so that R1.10 is not turned into the number 1.1.
        text_columns=tuple(
            i for i, c in enumerate(COLUMNS, start=1) if c.key in ("rec_ref", "action_ref")
        ),
        freeze_header=True,
    )
    guidance = TemplateSheet(
        "Guidance",
        ["Column", "What to enter"],
        rows=[[c.label, c.guidance] for c in COLUMNS]
        + [[], ["", "One row per action. Only the first sheet is imported."]],
        widths={"A": 28, "B": 90},
    )
    return write_template_xlsx([sheet, guidance])


def template_csv() -> bytes:
    return write_template_csv([c.label for c in COLUMNS])
