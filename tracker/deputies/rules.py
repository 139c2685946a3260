"""Deputies: who covers whose actions, and when (issue 13.16).

A person who may own work names a deputy for a period, both days included (leave). While it
runs the deputy may update that person's actions (tracker.permissions.can_update_action), sees
them in My actions under "Covering for", and gets the person's reminders too. What the deputy
does stays theirs, recorded "on behalf of" the person in the history and the audit trail.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, select

from tracker import audit
from tracker.extensions import db
from tracker.models import Deputy, User


@dataclass
class DeputyProblems:
    by_field: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_field)


def _running_on(day: date):
    return (Deputy.starts_on <= day) & (Deputy.ends_on >= day)


def covers(deputy_id: int | None, person_id: int | None, day: date) -> bool:
    """Whether deputy_id is covering for person_id on day."""
    if deputy_id is None or person_id is None or deputy_id == person_id:
        return False
    query = select(Deputy.id).where(
        Deputy.deputy_id == deputy_id, Deputy.person_id == person_id, _running_on(day)
    )
    return db.session.scalar(query.limit(1)) is not None


def people_covered(deputy_id, day) -> Select[int]:
    """The ids of the people deputy_id is covering for on day, as a subquery (the arguments may
    be bound parameters, for a statement built once)."""
    return select(Deputy.person_id).where(Deputy.deputy_id == deputy_id, _running_on(day))


def deputies_on(day: date) -> dict[int, list[User]]:
    """Every cover running on day, as person id -> their deputies: one statement."""
    query = (
        select(Deputy.person_id, User)
        .join(User, Deputy.deputy_id == User.id)
        .where(_running_on(day))
        .order_by(Deputy.person_id, User.name)
    )
    found: dict[int, list[User]] = {}
    for person_id, deputy in db.session.execute(query):
        found.setdefault(person_id, []).append(deputy)
    return found


def named_by(person_id: int, today: date) -> list[Deputy]:
    """This person's deputies that are running or still to come, soonest first."""
    query = (
        select(Deputy)
        .where(Deputy.person_id == person_id, Deputy.ends_on >= today)
        .order_by(Deputy.starts_on, Deputy.id)
    )
    return list(db.session.scalars(query))


def check_deputy(
    person: User, deputy: User | None, starts_on: date | None, ends_on: date | None, today: date
) -> DeputyProblems:
    from tracker.permissions import may_own_work

    problems = DeputyProblems()
    if deputy is None or not may_own_work(deputy):
        problems.by_field["deputy"] = "Select the person who will cover for you"
    elif deputy.id == person.id:
        problems.by_field["deputy"] = "Select someone other than yourself"
    if starts_on is None:
        problems.by_field["starts_on"] = "Enter the first day of the cover"
    if ends_on is None:
        problems.by_field["ends_on"] = "Enter the last day of the cover"
    if starts_on and ends_on and ends_on < starts_on:
        problems.by_field["ends_on"] = "The last day must be the same as or after the first day"
    if ends_on and ends_on < today and "ends_on" not in problems.by_field:
        problems.by_field["ends_on"] = f"The last day must be today ({today:%-d %B %Y}) or later"
    return problems


def name_deputy(person: User, deputy: User, starts_on: date, ends_on: date) -> Deputy:
    """Record the cover (the caller commits) and audit it as the person's act."""
    cover = Deputy(person=person, deputy=deputy, starts_on=starts_on, ends_on=ends_on)
    db.session.add(cover)
    audit.record(
        "deputy.named",
        obj=cover,
        actor=person,
        after={
            "person_id": person.id,
            "deputy_id": deputy.id,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return cover


def end_cover(cover: Deputy, by: User, today: date) -> None:
    """End a cover early: a cover that has not started is removed; a running one ends yesterday
    (so what the deputy did stays inside its period)."""
    before = {
        "person_id": cover.person_id,
        "deputy_id": cover.deputy_id,
        "starts_on": cover.starts_on.isoformat(),
        "ends_on": cover.ends_on.isoformat(),
    }
    audit.record("deputy.ended", obj=cover, actor=by, before=before, after={})
    if cover.starts_on >= today:
        db.session.delete(cover)
    else:
        cover.ends_on = date.fromordinal(today.toordinal() - 1)
