"""Small builders: a unit test creates only the people, plan, recommendations, actions,
evidence, indicators and meetings it needs, instead of loading the whole demo seed (the
seed-dependent tests keep covering the seed).

Each builder adds to the session and flushes, so the object has its id; the test commits when a
request must see it. Defaults are plain and unique; pass what the test is about.
"""

from datetime import date
from itertools import count

from tracker.auth.passwords import hash_password
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionStatus,
    Basis,
    CommitteeMeeting,
    Evidence,
    EvidenceKind,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Plan,
    PlanStatus,
    Polarity,
    Recommendation,
    ReviewState,
    Role,
    Unit,
    User,
)

PASSWORD = "improvement-plan-demo"  # what tests.conftest.sign_in types by default
_numbers = count(1)


def person(role: Role = Role.PERFORMANCE_OFFICER, active: bool = True, **fields) -> User:
    n = next(_numbers)
    user = User(
        email=fields.pop("email", f"person{n}@example.org"),
        name=fields.pop("name", f"Person {n}"),
        role=role.value,
        active=active,
        password_hash=hash_password(PASSWORD),
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


def plan(lead: User | None = None, status: PlanStatus = PlanStatus.ACTIVE, **fields) -> Plan:
    made = Plan(
        title=fields.pop("title", f"Improvement plan {next(_numbers)}"),
        inspectorate=fields.pop("inspectorate", "Ofsted"),
        status=status.value,
        lead=lead,
        **fields,
    )
    db.session.add(made)
    db.session.flush()
    return made


def recommendation(of: Plan, lead: User | None = None, **fields) -> Recommendation:
    position = len(of.recommendations) + 1
    rec = Recommendation(
        plan=of,
        position=position,
        reference=fields.pop("reference", f"R{position}"),
        title=fields.pop("title", f"Recommendation {position}"),
        lead=lead,
        **fields,
    )
    db.session.add(rec)
    db.session.flush()
    return rec


def action(
    of: Recommendation,
    owner: User | None = None,
    status: ActionStatus = ActionStatus.NOT_STARTED,
    due: date | None = None,
    **fields,
) -> Action:
    position = len(of.actions) + 1
    made = Action(
        recommendation=of,
        position=position,
        reference=fields.pop("reference", f"{of.reference}.{position}"),
        description=fields.pop("description", f"Action {position}"),
        owner=owner,
        status=status.value,
        original_due_date=due,
        current_due_date=due,
        **fields,
    )
    db.session.add(made)
    db.session.flush()
    return made


def evidence(
    on: Action,
    by: User | None = None,
    state: ReviewState = ReviewState.SUBMITTED,
    **fields,
) -> Evidence:
    """A note by default; pass kind=EvidenceKind.LINK and url=... for a link."""
    kind = fields.pop("kind", EvidenceKind.NOTE)
    made = Evidence(
        action=on,
        kind=kind.value,
        title=fields.pop("title", f"Evidence {next(_numbers)}"),
        note=fields.pop("note", "Checked" if kind == EvidenceKind.NOTE else None),
        added_by=by or on.owner,
        review_state=state.value,
        **fields,
    )
    db.session.add(made)
    db.session.flush()
    return made


def indicator(
    unit: Unit = Unit.PERCENTAGE,
    polarity: Polarity = Polarity.HIGHER_BETTER,
    basis: Basis = Basis.MONTH,
    targets: dict[date, float] | None = None,
    figures: dict[date, float] | None = None,
    amber_tolerance: float = 0,
    **fields,
) -> Indicator:
    """An indicator with its targets (effective from each date) and its figures on its basis
    (period: the first of the month). Pass recommendations=[...] to link it."""
    n = next(_numbers)
    made = Indicator(
        code=fields.pop("code", f"IND-{n:02d}"),
        name=fields.pop("name", f"Indicator {n}"),
        unit=unit.value,
        polarity=polarity.value,
        basis=basis.value,
        **fields,
    )
    for effective_from, target in (targets or {}).items():
        made.targets.append(
            IndicatorTarget(
                effective_from=effective_from, target=target, amber_tolerance=amber_tolerance
            )
        )
    for period, value in (figures or {}).items():
        made.values.append(IndicatorValue(period=period, basis=basis.value, value=value))
    db.session.add(made)
    db.session.flush()
    return made


def meeting(of: Plan, on: date = date(2016, 6, 1), **fields) -> CommitteeMeeting:
    made = CommitteeMeeting(
        plan=of,
        meeting_on=on,
        title=fields.pop("title", f"Improvement board {on:%B %Y}"),
        **fields,
    )
    db.session.add(made)
    db.session.flush()
    return made
