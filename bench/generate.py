"""Generate benchmark data at council or national scale, on SQLite or PostgreSQL.

    python -m bench.generate --scale national --backend postgresql

The database is recreated, migrated, loaded with the demo seed, then filled by bulk inserts
(PostgreSQL: COPY; SQLite: SQLAlchemy Core insert() with lists of dicts). Dates are judged as at
BENCH_DAY, so that the share of overdue, due-soon and completed work is the same on every run.

The things the benchmark measures are the same size at both scales (a plan of 15
recommendations, a recommendation of 10 actions, an owner with 30 actions, an indicator page
showing 24 months), so that comparing scales compares the same page against more data around it.
Only the indicator overview, a list of every indicator, grows with the scale.
"""

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, text

from bench import databases
from bench import vocabulary as words

BENCH_DAY = date(2026, 3, 18)  # a Wednesday: escalations go out on Mondays, so none are due
BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105 (generated accounts on a scratch database)
SEED = 20260318

# The measured objects: the same size at every scale.
BENCH_PLAN_RECOMMENDATIONS = 15
BENCH_RECOMMENDATION_ACTIONS = 10
BENCH_OWNER_ACTIONS = 30
# Each page is loaded by this many people, each signed in with their own session.
BENCH_READERS = 15
BENCH_RECOMMENDATION_INDICATORS = 3
OVERDUE_PER_OWNER = 5


@dataclass(frozen=True)
class Scale:
    name: str
    plans: int
    recommendations: int
    actions: int
    users: int
    owners: int  # heads of service who own actions
    indicators: int
    months: int
    audit_events: int


SCALES = {
    "council": Scale("council", 3, 150, 1_500, 100, 50, 60, 60, 20_000),
    "national": Scale("national", 60, 1_000, 20_000, 2_000, 1_000, 500, 120, 200_000),
}


@dataclass
class Manifest:
    """What the harness needs to find the measured pages, and what was generated."""

    scale: str
    backend: str
    url: str
    day: str
    password: str
    plan_id: int
    recommendation_id: int
    owner_email: str
    committee_email: str
    owner_emails: list[str]  # BENCH_READERS owners of BENCH_OWNER_ACTIONS actions each
    committee_emails: list[str]  # BENCH_READERS committee members
    performance_email: str
    indicator_code: str
    generated_indicator_ids: list[int]
    months: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


# --- Writing rows in bulk ------------------------------------------------------------------


class BulkWriter:
    """Bulk inserts inside the caller's transaction: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def insert(self, table, rows: list[dict]) -> None:
        if not rows:
            return
        if self.postgres:
            self._copy(table, rows)
        else:
            self.connection.execute(table.insert(), rows)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def _copy(self, table, rows: list[dict]) -> None:
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        raw = self.connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_copy_value(row[c]) for c in columns])


def _copy_value(value):
    return json.dumps(value) if isinstance(value, dict | list) else value


class Ids:
    """Explicit primary keys, following whatever the seed already inserted."""

    def __init__(self, connection, tables):
        self.next = {t.name: (connection.scalar(select(func.max(t.c.id))) or 0) + 1 for t in tables}

    def take(self, table, n: int) -> list[int]:
        start = self.next[table.name]
        self.next[table.name] = start + n
        return list(range(start, start + n))


# --- Shapes of the data ----------------------------------------------------------------------


def spread(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal whole numbers."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=hour, minute=minute)


def month_starts(months: int, before: date) -> list[date]:
    """The `months` months up to the month before `before`, oldest first."""
    index = before.year * 12 + before.month - 2
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"


def place(i: int) -> str:
    starts, ends = words.PLACE_STARTS, words.PLACE_ENDS
    name = starts[i % len(starts)] + ends[(i // len(starts)) % len(ends)]
    return name if i < len(starts) * len(ends) else f"{name} {i // (len(starts) * len(ends)) + 1}"


# --- Users -------------------------------------------------------------------------------------


@dataclass
class People:
    owners: list[int]
    leads: list[int]
    committee: list[int]
    performance: list[int]
    emails: dict[int, str]
    everyone: list[int]


def make_users(scale: Scale, ids: Ids, tables, password_hash: str, rng) -> tuple[People, list]:
    rest = spread(scale.users - scale.owners, 10)
    roles = (
        [("head_of_service", "owner")] * scale.owners
        + [("head_of_service", "lead")] * sum(rest[:5])
        + [("committee_member", "committee")] * sum(rest[5:8])
        + [("performance_officer", "performance")] * rest[8]
        + [("admin", "admin")] * rest[9]
    )
    user_ids = ids.take(tables.users, len(roles))
    people = People([], [], [], [], {}, user_ids)
    groups = {"owner": people.owners, "lead": people.leads, "committee": people.committee}
    groups["performance"] = people.performance
    rows = []
    created = at(BENCH_DAY - timedelta(days=1200))
    for user_id, (role, group) in zip(user_ids, roles, strict=True):
        name = person_name(rng)
        email = f"{name.lower().replace(' ', '.')}.{user_id}@bench.example.org"
        people.emails[user_id] = email
        groups.get(group, []).append(user_id)
        title = (
            "Councillor, Children's Scrutiny Committee"
            if role == "committee_member"
            else rng.choice(words.JOB_TITLES)
        )
        rows.append(
            {
                "id": user_id,
                "email": email,
                "name": name,
                "job_title": title,
                "role": role,
                "password_hash": password_hash,
                "active": True,
                "is_demo": False,
                "wants_due_soon_reminders": True,
                "wants_no_update_reminders": True,
                "created_at": created,
                "last_signed_in_at": None,
            }
        )
    return people, rows


# --- Plans, recommendations, actions ---------------------------------------------------------


@dataclass
class Structure:
    plan_ids: list[int]
    plan_published: dict[int, date]
    rec_ids: list[int]
    rec_plan: dict[int, int]
    rec_lead: dict[int, int]
    # one entry per action: (recommendation id, position, reference)
    action_slots: list[tuple[int, int, str]]


def make_plans(scale: Scale, ids: Ids, tables, people: People, rng):
    plan_ids = ids.take(tables.plans, scale.plans)
    rows, meetings, published = [], [], {}
    meeting_ids = iter(ids.take(tables.committee_meetings, scale.plans * 5))
    for n, plan_id in enumerate(plan_ids):
        inspectorate, kind = words.INSPECTIONS[n % len(words.INSPECTIONS)]
        day = BENCH_DAY - timedelta(days=rng.randint(300, 900))
        published[plan_id] = day
        rows.append(
            {
                "id": plan_id,
                "title": f"{place(n)} Council: {kind}, {day:%B %Y}",
                "inspectorate": inspectorate,
                "inspection_type": kind,
                "published_on": day,
                "status": "active",
                "lead_id": rng.choice(people.leads),
                "source": "Generated for the benchmark",
                "created_at": at(day),
            }
        )
        for k in range(5):
            meeting_on = BENCH_DAY - timedelta(days=30 + 61 * k)
            meetings.append(
                {
                    "id": next(meeting_ids),
                    "plan_id": plan_id,
                    "meeting_on": meeting_on,
                    "title": f"Children's Scrutiny Committee, {meeting_on:%B %Y}",
                    "date_assumed": False,
                }
            )
    return plan_ids, published, rows, meetings


def make_structure(scale: Scale, ids: Ids, tables, people: People, themes: list[int], rng):
    plan_ids, published, plan_rows, meeting_rows = make_plans(scale, ids, tables, people, rng)
    other_recs = spread(scale.recommendations - BENCH_PLAN_RECOMMENDATIONS, scale.plans - 1)
    recs_per_plan = [BENCH_PLAN_RECOMMENDATIONS, *other_recs]
    rec_ids = ids.take(tables.recommendations, scale.recommendations)
    other_actions = spread(
        scale.actions - BENCH_PLAN_RECOMMENDATIONS * BENCH_RECOMMENDATION_ACTIONS,
        scale.recommendations - BENCH_PLAN_RECOMMENDATIONS,
    )
    actions_per_rec = [BENCH_RECOMMENDATION_ACTIONS] * BENCH_PLAN_RECOMMENDATIONS + other_actions
    structure = Structure(plan_ids, published, rec_ids, {}, {}, [])
    rec_rows = []
    rec_iter = iter(zip(rec_ids, actions_per_rec, strict=True))
    for plan_id, count in zip(plan_ids, recs_per_plan, strict=True):
        for position in range(1, count + 1):
            rec_id, n_actions = next(rec_iter)
            lead = rng.choice(people.leads)
            structure.rec_plan[rec_id] = plan_id
            structure.rec_lead[rec_id] = lead
            title = words.RECOMMENDATION_TITLES[
                (rec_id + position) % len(words.RECOMMENDATION_TITLES)
            ]
            rec_rows.append(
                {
                    "id": rec_id,
                    "plan_id": plan_id,
                    "position": position,
                    "reference": f"R{position}",
                    "title": title,
                    "text": f"The local authority should ensure {title.lower()}, so that children "
                    "receive help that is timely and matched to their needs.",
                    "theme_id": rng.choice(themes),
                    "lead_id": lead,
                    "target_date": BENCH_DAY + timedelta(days=rng.randint(-200, 400)),
                    "target_date_assumed": False,
                    "source": "Generated for the benchmark",
                    "withdrawn_reason": None,
                }
            )
            for a in range(1, n_actions + 1):
                structure.action_slots.append((rec_id, a, f"R{position}.{a}"))
    return structure, plan_rows, meeting_rows, rec_rows


def owner_loads(scale: Scale) -> list[int]:
    """Actions per owner: the first BENCH_READERS owners (the ones benchmarked) have exactly
    BENCH_OWNER_ACTIONS each."""
    benchmarked = [BENCH_OWNER_ACTIONS] * BENCH_READERS
    others = spread(scale.actions - sum(benchmarked), scale.owners - BENCH_READERS)
    return [*benchmarked, *others]


def assign_owners(scale: Scale, people: People, rng) -> list[int]:
    owners = [
        owner
        for owner, load in zip(people.owners, owner_loads(scale), strict=True)
        for _ in range(load)
    ]
    rng.shuffle(owners)
    return owners


OPEN_PLAN = [
    ("completed", 12),
    ("verified", 18),
    ("in_progress", 40),
    ("not_started", 18),
    ("due_soon", 12),
]


def action_profile(nth_for_owner: int, rng) -> str:
    """Each owner's first OVERDUE_PER_OWNER actions are overdue; the rest follow OPEN_PLAN."""
    if nth_for_owner < OVERDUE_PER_OWNER:
        return "overdue"
    kinds, weights = zip(*OPEN_PLAN, strict=True)
    return rng.choices(kinds, weights)[0]


@dataclass
class Dated:
    status: str
    original: date
    current: date
    completed_on: date | None = None
    verified_on: date | None = None


def dates_for(profile: str, published: date, rng) -> Dated:
    day = BENCH_DAY
    if profile == "overdue":
        current = day - timedelta(days=rng.randint(1, 150))
        status = rng.choices(["not_started", "in_progress", "blocked"], [25, 60, 15])[0]
    elif profile in ("completed", "verified"):
        current = day - timedelta(days=rng.randint(20, 250))
        status = profile
    elif profile == "due_soon":
        current = day + timedelta(days=rng.randint(0, 7))
        status = rng.choice(["not_started", "in_progress"])
    else:
        current = day + timedelta(days=rng.randint(15, 400))
        status = profile
    current = max(current, published + timedelta(days=30))
    moved = status != "not_started" and rng.random() < 0.25
    original = current - timedelta(days=rng.randint(14, 90)) if moved else current
    original = max(original, published + timedelta(days=14))
    dated = Dated(status, original, current)
    if status in ("completed", "verified"):
        dated.completed_on = min(current, day - timedelta(days=10))
        if status == "verified":
            dated.verified_on = dated.completed_on + timedelta(days=rng.randint(1, 9))
    return dated


def history(dated: Dated, published: date, rng) -> list[dict]:
    """Progress updates leading to the action's current state, oldest first."""
    end = dated.completed_on or (BENCH_DAY - timedelta(days=1))
    start = published + timedelta(days=7)
    steps: list[tuple[str, str]] = []
    if dated.status == "not_started":
        steps = [("not_started", "not_started")] * rng.randint(0, 1)
    else:
        steps.append(("not_started", "in_progress"))
        steps += [("in_progress", "in_progress")] * rng.randint(0, 2)
        if dated.status == "blocked":
            steps.append(("in_progress", "blocked"))
        if dated.status in ("completed", "verified"):
            steps.append(("in_progress", "completed"))
        if dated.status == "verified":
            steps.append(("completed", "verified"))
    if not steps:
        return []
    span = max((end - start).days, len(steps))
    offsets = sorted(rng.sample(range(span), len(steps)))
    updates = []
    for n, ((status_from, status_to), offset) in enumerate(zip(steps, offsets, strict=True)):
        day = start + timedelta(days=offset)
        if status_to == "completed" and dated.completed_on:
            day = dated.completed_on
        if status_to == "verified" and dated.verified_on:
            day = dated.verified_on
        moved = n == 1 and dated.original != dated.current
        updates.append(
            {
                "created_at": at(day, 9 + n % 8, rng.randint(0, 59)),
                "status_from": status_from,
                "status_to": status_to,
                "note": rng.choice(words.PROGRESS_NOTES),
                "due_from": dated.original if moved else None,
                "due_to": dated.current if moved else None,
                "due_change_reason": rng.choice(words.DUE_CHANGE_REASONS) if moved else None,
            }
        )
    if dated.original != dated.current and len(updates) < 2:
        updates[-1].update(
            due_from=dated.original,
            due_to=dated.current,
            due_change_reason=rng.choice(words.DUE_CHANGE_REASONS),
        )
    return updates


@dataclass
class Work:
    actions: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)


def make_actions(scale: Scale, ids: Ids, tables, people: People, structure: Structure, rng):
    slots = structure.action_slots
    owners = assign_owners(scale, people, rng)
    action_ids = ids.take(tables.actions, len(slots))
    seen: dict[int, int] = defaultdict(int)
    work = Work()
    for action_id, (rec_id, position, reference), owner in zip(
        action_ids, slots, owners, strict=True
    ):
        published = structure.plan_published[structure.rec_plan[rec_id]]
        dated = dates_for(action_profile(seen[owner], rng), published, rng)
        seen[owner] += 1
        updates = history(dated, published, rng)
        for update in updates:
            update.update(action_id=action_id, author_id=owner)
        work.updates += updates
        work.actions.append(
            {
                "id": action_id,
                "recommendation_id": rec_id,
                "position": position,
                "reference": reference,
                "description": f"{rng.choice(words.ACTION_VERBS)} "
                f"{rng.choice(words.ACTION_OBJECTS)}.",
                "owner_id": owner,
                "original_due_date": dated.original,
                "current_due_date": dated.current,
                "due_date_assumed": False,
                "status": dated.status,
                "completed_on": dated.completed_on,
                "verified_on": dated.verified_on,
                "source": "Generated for the benchmark",
                "withdrawn_reason": None,
                "version": 1 + len(updates),
                "updated_at": updates[-1]["created_at"] if updates else at(published),
                "updated_by_id": owner,
            }
        )
        work.evidence += evidence_for(action_id, dated, owner, structure.rec_lead[rec_id], rng)
    update_ids = ids.take(tables.progress_updates, len(work.updates))
    for update_id, update in zip(update_ids, work.updates, strict=True):
        update["id"] = update_id
    evidence_ids = ids.take(tables.evidence, len(work.evidence))
    for evidence_id, item in zip(evidence_ids, work.evidence, strict=True):
        item["id"] = evidence_id
        if item["kind"] == "link":
            item["url"] = f"https://intranet.example.org/improvement/evidence/{evidence_id}"
    return work


def evidence_for(action_id: int, dated: Dated, owner: int, lead: int, rng) -> list[dict]:
    if dated.status in ("completed", "verified"):
        count = rng.randint(1, 2)
    elif dated.status == "in_progress" and rng.random() < 0.3:
        count = 1
    else:
        return []
    added = dated.completed_on or (BENCH_DAY - timedelta(days=rng.randint(5, 60)))
    accepted = dated.status == "verified"
    items = []
    for _ in range(count):
        kind = rng.choice(["link", "note"])
        items.append(
            {
                "action_id": action_id,
                "kind": kind,
                "title": rng.choice(words.EVIDENCE_TITLES),
                "url": None,
                "note": rng.choice(words.PROGRESS_NOTES) if kind == "note" else None,
                "stored_name": None,
                "original_filename": None,
                "content_type": None,
                "size_bytes": None,
                "sha256": None,
                "added_by_id": owner,
                "added_at": at(added, 10),
                "review_state": "accepted" if accepted else "submitted",
                "reviewed_by_id": lead if accepted else None,
                "reviewed_at": at(dated.verified_on, 11) if accepted else None,
                "review_reason": None,
            }
        )
    return items


# --- Indicators --------------------------------------------------------------------------------

TARGETS = {
    # (unit, polarity): (target, tolerance, lower, upper, start level, spread)
    ("percentage", "higher_better"): (90.0, 5.0, None, None, 86.0, 6.0),
    ("percentage", "lower_better"): (22.0, 3.0, None, None, 24.0, 4.0),
    ("rate_per_10000", "within_range"): (None, 5.0, 60.0, 80.0, 72.0, 8.0),
    ("rate_per_10000", "lower_better"): (550.0, 30.0, None, None, 570.0, 40.0),
    ("fte", "lower_better"): (10.0, 3.0, None, None, 14.0, 4.0),
    ("count", "lower_better"): (18.0, 2.0, None, None, 19.0, 2.0),
    ("weeks", "lower_better"): (18.0, 4.0, None, None, 20.0, 5.0),
}


@dataclass
class IndicatorData:
    ids: list[int]
    codes: dict[int, str]
    indicators: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)


def make_indicators(scale: Scale, ids: Ids, tables, people: People, months: list[date], rng):
    indicator_ids = ids.take(tables.indicators, scale.indicators)
    data = IndicatorData(indicator_ids, {})
    for n, indicator_id in enumerate(indicator_ids):
        name, unit, polarity = words.INDICATOR_NAMES[n % len(words.INDICATOR_NAMES)]
        code = f"BI-{n + 1:03d}"
        data.codes[indicator_id] = code
        target, tolerance, low, high, level, wobble = TARGETS[(unit, polarity)]
        data.indicators.append(
            {
                "id": indicator_id,
                "code": code,
                "name": f"{name} ({place(n // len(words.INDICATOR_NAMES))})",
                "description": f"{name}, reported monthly from the case management system.",
                "unit": unit,
                "polarity": polarity,
                "basis": "month",
                "decimals": 1,
                "benchmark": level if n % 3 == 0 else None,
                "benchmark_label": "Statistical neighbours" if n % 3 == 0 else None,
                "source": "Monthly performance report",
                "chart_reference": None,
                "owner_id": rng.choice(people.performance),
            }
        )
        data.targets += targets_for(indicator_id, months, target, tolerance, low, high, rng)
        data.values += series_for(indicator_id, unit, months, level, wobble, rng)
    target_ids = ids.take(tables.indicator_targets, len(data.targets))
    for target_id, row in zip(target_ids, data.targets, strict=True):
        row["id"] = target_id
    value_ids = ids.take(tables.indicator_values, len(data.values))
    for value_id, row in zip(value_ids, data.values, strict=True):
        row["id"] = value_id
    return data


def targets_for(indicator_id, months, target, tolerance, low, high, rng) -> list[dict]:
    starts = [months[0]]
    if rng.random() < 0.5:
        starts.append(months[len(months) // 2])
    rows = []
    for k, start in enumerate(starts):
        tighter = 1 + 0.02 * k
        rows.append(
            {
                "indicator_id": indicator_id,
                "effective_from": start,
                "target": round(target * tighter, 1) if target is not None else None,
                "amber_tolerance": tolerance,
                "lower_bound": low,
                "upper_bound": high,
                "assumed": False,
                "source": "Agreed by the improvement board",
            }
        )
    return rows


def series_for(indicator_id, unit, months, level, wobble, rng) -> list[dict]:
    rows = []
    value = level + rng.uniform(-wobble, wobble)
    drift = rng.uniform(-wobble, wobble) / len(months)
    updated = at(BENCH_DAY - timedelta(days=10))
    for n, period in enumerate(months):
        value = value + drift + rng.gauss(0, wobble / 6)
        if unit == "percentage":
            value = min(100.0, max(0.0, value))
        value = max(0.0, value)
        latest = n == len(months) - 1
        rows.append(
            {
                "indicator_id": indicator_id,
                "period": period,
                "basis": "month",
                "value": round(value, 1),
                "provisional": latest,
                "data_quality_note": rng.choice(words.DATA_QUALITY_NOTES)
                if rng.random() < 0.01
                else None,
                "quoted": False,
                "source": "Monthly performance report",
                "updated_at": updated,
                "updated_by_id": None,
            }
        )
    return rows


def make_links(structure: Structure, data: IndicatorData, rng) -> list[dict]:
    """Two indicators per recommendation; the benchmarked one has three."""
    rows = []
    for n, rec_id in enumerate(structure.rec_ids):
        chosen = data.ids[:BENCH_RECOMMENDATION_INDICATORS] if n == 0 else rng.sample(data.ids, 2)
        for indicator_id in chosen:
            rows.append(
                {
                    "recommendation_id": rec_id,
                    "indicator_id": indicator_id,
                    "rationale": "Shows whether the change reaches children.",
                }
            )
    return rows


# --- Audit history ------------------------------------------------------------------------------


def make_audit(scale: Scale, ids: Ids, tables, people: People, objects: dict[str, list[int]], rng):
    events, types, weights = zip(*words.AUDIT_EVENTS, strict=True)
    audit_ids = ids.take(tables.audit_events, scale.audit_events)
    first = at(BENCH_DAY - timedelta(days=3 * 365))
    seconds = 3 * 365 * 24 * 3600
    offsets = sorted(rng.randrange(seconds) for _ in audit_ids)
    rows = []
    for audit_id, offset in zip(audit_ids, offsets, strict=True):
        k = rng.choices(range(len(events)), weights)[0]
        actor = rng.choice(people.everyone)
        signing_in = types[k] == "User"
        object_id = rng.choice(objects[types[k]]) if objects.get(types[k]) else actor
        rows.append(
            {
                "id": audit_id,
                "occurred_at": first + timedelta(seconds=offset),
                "actor_id": actor,
                "event": events[k],
                "object_type": types[k],
                "object_id": object_id,
                "subject": people.emails[actor] if signing_in else None,
                "before": None if signing_in else {"status": "in_progress"},
                "after": None if signing_in else {"status": "in_progress", "note": "Updated"},
                "ip_address": f"10.{offset % 250}.{audit_id % 250}.{k + 1}",
            }
        )
    return rows


# --- Putting it together ---------------------------------------------------------------------


class Tables:
    """The tables the generator writes, by name."""

    def __init__(self):
        from tracker.models import (
            Action,
            AuditEvent,
            CommitteeMeeting,
            Evidence,
            Indicator,
            IndicatorTarget,
            IndicatorValue,
            Plan,
            ProgressUpdate,
            Recommendation,
            Theme,
            User,
            recommendation_indicators,
        )

        self.users = User.__table__
        self.themes = Theme.__table__
        self.plans = Plan.__table__
        self.committee_meetings = CommitteeMeeting.__table__
        self.recommendations = Recommendation.__table__
        self.actions = Action.__table__
        self.progress_updates = ProgressUpdate.__table__
        self.evidence = Evidence.__table__
        self.indicators = Indicator.__table__
        self.indicator_targets = IndicatorTarget.__table__
        self.indicator_values = IndicatorValue.__table__
        self.recommendation_indicators = recommendation_indicators
        self.audit_events = AuditEvent.__table__

    def with_ids(self) -> list:
        return [t for t in vars(self).values() if "id" in t.c]


def ensure_themes(connection, writer: BulkWriter, ids: Ids, tables: Tables) -> list[int]:
    existing = dict(connection.execute(select(tables.themes.c.name, tables.themes.c.id)).all())
    missing = [name for name in words.THEMES if name not in existing]
    new_ids = ids.take(tables.themes, len(missing))
    writer.insert(
        tables.themes, [{"id": i, "name": n} for i, n in zip(new_ids, missing, strict=True)]
    )
    return [*existing.values(), *new_ids]


def fill(connection, scale: Scale, backend: str, url: str) -> Manifest:
    """Write every generated row in the caller's transaction; what the benchmark needs to know."""
    from tracker.auth.passwords import hash_password

    rng = random.Random(SEED)
    tables = Tables()
    ids = Ids(connection, tables.with_ids())
    writer = BulkWriter(connection)
    themes = ensure_themes(connection, writer, ids, tables)
    people, user_rows = make_users(scale, ids, tables, hash_password(BENCH_PASSWORD), rng)
    writer.insert(tables.users, user_rows)
    structure, plan_rows, meeting_rows, rec_rows = make_structure(
        scale, ids, tables, people, themes, rng
    )
    writer.insert(tables.plans, plan_rows)
    writer.insert(tables.committee_meetings, meeting_rows)
    writer.insert(tables.recommendations, rec_rows)
    work = make_actions(scale, ids, tables, people, structure, rng)
    writer.insert(tables.actions, work.actions)
    writer.insert(tables.progress_updates, work.updates)
    writer.insert(tables.evidence, work.evidence)
    months = month_starts(scale.months, BENCH_DAY)
    data = make_indicators(scale, ids, tables, people, months, rng)
    writer.insert(tables.indicators, data.indicators)
    writer.insert(tables.indicator_targets, data.targets)
    writer.insert(tables.indicator_values, data.values)
    writer.insert(tables.recommendation_indicators, make_links(structure, data, rng))
    objects = {
        "Action": [a["id"] for a in work.actions],
        "Evidence": [e["id"] for e in work.evidence],
        "IndicatorValue": [v["id"] for v in data.values],
        "ReminderOutbox": [],
    }
    writer.insert(tables.audit_events, make_audit(scale, ids, tables, people, objects, rng))
    return Manifest(
        scale=scale.name,
        backend=backend,
        url=url,
        day=BENCH_DAY.isoformat(),
        password=BENCH_PASSWORD,
        plan_id=structure.plan_ids[0],
        recommendation_id=structure.rec_ids[0],
        owner_email=people.emails[people.owners[0]],
        committee_email=people.emails[people.committee[0]],
        owner_emails=[people.emails[p] for p in people.owners[:BENCH_READERS]],
        committee_emails=[people.emails[p] for p in people.committee[:BENCH_READERS]],
        performance_email=people.emails[people.performance[0]],
        indicator_code=data.codes[data.ids[0]],
        generated_indicator_ids=data.ids,
        months=[m.isoformat() for m in months],
        counts=dict(writer.counts),
    )


def reset_sequences(connection, tables: Tables) -> None:
    """COPY with explicit ids leaves PostgreSQL's sequences behind: move them past the rows."""
    for table in tables.with_ids():
        # Table names come from the models, never from input.
        statement = (
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
            f"(SELECT max(id) FROM {table.name}))"
        )
        connection.execute(text(statement))


def generate(scale_name: str, backend: str) -> Manifest:
    """Recreate the database for this scale and backend and fill it. Prints nothing."""
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.extensions import db
    from tracker.seeding.loader import load_seed

    scale = SCALES[scale_name]
    started = time.perf_counter()
    url = databases.recreate(backend, scale_name)
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url, "AS_AT_DATE": BENCH_DAY})
    with app.app_context():
        upgrade()
        load_seed(app.config["DEMO_PASSWORD"])
        db.session.commit()
        migrated = time.perf_counter()
        with db.engine.begin() as connection:
            if backend == "sqlite":
                connection.exec_driver_sql("PRAGMA synchronous = OFF")
            manifest = fill(connection, scale, backend, url)
            if backend == "postgresql":
                reset_sequences(connection, Tables())
        filled = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # What a live database has had done after a bulk load: statistics (PostgreSQL's
            # autovacuum or SQLite's `PRAGMA optimize`) and, on PostgreSQL, the visibility map
            # autovacuum sets after inserts (since PostgreSQL 13), without which an index-only
            # scan reads every row it finds from the table as well. This machine's PostgreSQL
            # runs with autovacuum off, so it would never be set here (docs/performance.md).
            connection.exec_driver_sql("VACUUM ANALYZE" if backend == "postgresql" else "ANALYZE")
        db.engine.dispose()
    finished = time.perf_counter()
    manifest.seconds = {
        "migrate_and_seed": round(migrated - started, 2),
        "bulk_insert": round(filled - migrated, 2),
        "analyze": round(finished - filled, 2),
        "total": round(finished - started, 2),
    }
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="council")
    parser.add_argument("--backend", choices=databases.BACKENDS, default="sqlite")
    args = parser.parse_args(argv)
    manifest = generate(args.scale, args.backend)
    summary = asdict(manifest)
    summary["generated_indicator_ids"] = len(manifest.generated_indicator_ids)
    summary["months"] = f"{manifest.months[0]} to {manifest.months[-1]}"
    json.dump(summary, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
