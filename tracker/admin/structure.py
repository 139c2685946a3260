"""A plan's structure: recommendations and actions, their order, references and removal.

References follow the order: a plan's nth recommendation is Rn and its mth action Rn.m, so
moving or deleting one renumbers those after it. Withdrawn items keep their place (and so their
reference): withdrawing renames nothing. An item with no progress, evidence or history may be
deleted; otherwise it can only be withdrawn, with a reason, which keeps it visible in the history.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from tracker import audit
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionStatus,
    Evidence,
    Plan,
    ProgressUpdate,
    Recommendation,
    Theme,
    User,
    utcnow,
)
from tracker.permissions import may_own_work
from tracker.rules import RuleError, StaleEdit


@dataclass
class RecommendationDetails:
    title: str
    text: str
    theme: str
    lead_id: int | None
    target_date: date | None


@dataclass
class ActionDetails:
    description: str
    owner_id: int | None
    due_date: date | None


# --- Reading -------------------------------------------------------------------------------------


def ordered_recommendations(plan_id: int) -> list[Recommendation]:
    query = (
        select(Recommendation)
        .where(Recommendation.plan_id == plan_id)
        .order_by(Recommendation.position, Recommendation.id)
    )
    return list(db.session.scalars(query))


def ordered_actions(recommendation_id: int) -> list[Action]:
    query = (
        select(Action)
        .where(Action.recommendation_id == recommendation_id)
        .order_by(Action.position, Action.id)
    )
    return list(db.session.scalars(query))


def recommendation_snapshot(rec: Recommendation) -> dict:
    return {
        "reference": rec.reference,
        "title": rec.title,
        "text": rec.text,
        "theme": rec.theme.name if rec.theme else None,
        "lead_id": rec.lead_id,
        "target_date": rec.target_date.isoformat() if rec.target_date else None,
        "withdrawn_reason": rec.withdrawn_reason,
    }


def action_snapshot(action: Action) -> dict:
    return {
        "reference": action.reference,
        "description": action.description,
        "owner_id": action.owner_id,
        "original_due_date": _iso(action.original_due_date),
        "current_due_date": _iso(action.current_due_date),
        "withdrawn_reason": action.withdrawn_reason,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def has_progress_history(action: Action) -> bool:
    """Progress means a recorded update or a status other than "not started"."""
    if action.status != ActionStatus.NOT_STARTED:
        return True
    query = select(func.count(ProgressUpdate.id)).where(ProgressUpdate.action_id == action.id)
    return (db.session.scalar(query) or 0) > 0


def action_removal_blockers(action: Action) -> list[str]:
    """Why an action cannot be deleted, in words; empty when it can."""
    updates = db.session.scalar(
        select(func.count(ProgressUpdate.id)).where(ProgressUpdate.action_id == action.id)
    )
    evidence = db.session.scalar(
        select(func.count(Evidence.id)).where(Evidence.action_id == action.id)
    )
    reasons = []
    if action.status != ActionStatus.NOT_STARTED:
        reasons.append(f"its status is {action.status_label.lower()}")
    if updates:
        reasons.append(_count(updates, "progress update", "progress updates") + " recorded")
    if evidence:
        reasons.append(_count(evidence, "piece of evidence", "pieces of evidence") + " added")
    return reasons


def recommendation_removal_blockers(rec: Recommendation) -> list[str]:
    reasons = []
    for action in ordered_actions(rec.id):
        for reason in action_removal_blockers(action):
            reasons.append(f"action {action.reference}: {reason}")
    return reasons


def touch(action: Action, actor: User) -> None:
    """A person changed the action: a form opened before now is stale."""
    action.version = (action.version or 0) + 1
    action.updated_at = utcnow()
    action.updated_by_id = actor.id


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# --- Checking people and themes ------------------------------------------------------------------


def check_person(user_id: int | None, field_name: str, what: str) -> None:
    """A lead or owner must be an active person who is not a committee member."""
    if user_id is None:
        return
    person = db.session.get(User, user_id)
    if not may_own_work(person):
        raise RuleError(f"Choose the {what} from the list", field_name)


def _theme(name: str) -> Theme | None:
    name = " ".join(name.split())
    if not name:
        return None
    theme = db.session.scalar(select(Theme).where(func.lower(Theme.name) == name.lower()))
    if theme is None:
        theme = Theme(name=name)
        db.session.add(theme)
        db.session.flush()
    return theme


# --- References follow the order -----------------------------------------------------------------


def renumber(plan_id: int) -> dict[str, str]:
    """Give every recommendation and action the reference of its place; returns old -> new.

    References are unique per plan (and per recommendation), so a swap would collide half way:
    changed items first take a temporary reference, then their final one.
    """
    wanted: list[tuple[Recommendation | Action, int, str]] = []
    for rec_number, rec in enumerate(ordered_recommendations(plan_id), start=1):
        wanted.append((rec, rec_number, f"R{rec_number}"))
        for action_number, action in enumerate(ordered_actions(rec.id), start=1):
            wanted.append((action, action_number, f"R{rec_number}.{action_number}"))
    changed = [(item, pos, ref) for item, pos, ref in wanted if item.reference != ref]
    renamed = {item.reference: ref for item, _, ref in changed}
    for item, _, _ in changed:
        item.reference = f"~{type(item).__name__[0]}{item.id}"
    db.session.flush()
    for item, position, reference in wanted:
        item.position = position
        item.reference = reference
    db.session.flush()
    return renamed


def _move(items: list, item, step: int) -> bool:
    index = items.index(item)
    target = index + step
    if target < 0 or target >= len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    return True


def move_recommendation(rec: Recommendation, step: int) -> bool:
    """Move a recommendation up (-1) or down (+1); its references and its actions' follow."""
    before = rec.reference
    if not _move(ordered_recommendations(rec.plan_id), rec, step):
        return False
    renamed = renumber(rec.plan_id)
    audit.record(
        "recommendation.moved",
        obj=rec,
        before={"reference": before},
        after={"reference": rec.reference, "renumbered": renamed},
    )
    return True


def move_action(action: Action, step: int) -> bool:
    before = action.reference
    if not _move(ordered_actions(action.recommendation_id), action, step):
        return False
    renamed = renumber(action.recommendation.plan_id)
    audit.record(
        "action.moved",
        obj=action,
        before={"reference": before},
        after={"reference": action.reference, "renumbered": renamed},
    )
    return True


# --- Adding and editing --------------------------------------------------------------------------


def _next_position(items: list) -> int:
    return max((item.position for item in items), default=0) + 1


def add_recommendation(plan: Plan, details: RecommendationDetails) -> Recommendation:
    check_person(details.lead_id, "lead_id", "recommendation lead")
    existing = ordered_recommendations(plan.id)
    rec = Recommendation(
        plan_id=plan.id,
        position=_next_position(existing),
        reference=f"~new{len(existing)}",
        title=details.title.strip(),
        text=details.text.strip(),
        theme=_theme(details.theme),
        lead_id=details.lead_id,
        target_date=details.target_date,
    )
    db.session.add(rec)
    db.session.flush()
    renumber(plan.id)
    audit.record("recommendation.created", obj=rec, after=recommendation_snapshot(rec))
    return rec


def update_recommendation(rec: Recommendation, details: RecommendationDetails) -> bool:
    check_person(details.lead_id, "lead_id", "recommendation lead")
    before = recommendation_snapshot(rec)
    rec.title = details.title.strip()
    rec.text = details.text.strip()
    rec.theme = _theme(details.theme)
    rec.lead_id = details.lead_id
    rec.target_date = details.target_date
    db.session.flush()
    after = recommendation_snapshot(rec)
    if after == before:
        return False
    audit.record("recommendation.updated", obj=rec, before=before, after=after)
    return True


def add_action(rec: Recommendation, details: ActionDetails, actor: User) -> Action:
    check_person(details.owner_id, "owner_id", "action owner")
    existing = ordered_actions(rec.id)
    action = Action(
        recommendation_id=rec.id,
        position=_next_position(existing),
        reference=f"~new{len(existing)}",
        description=details.description.strip(),
        owner_id=details.owner_id,
        original_due_date=details.due_date,
        current_due_date=details.due_date,
        status=ActionStatus.NOT_STARTED,
        updated_at=utcnow(),
        updated_by_id=actor.id,
    )
    db.session.add(action)
    db.session.flush()
    renumber(rec.plan_id)
    audit.record("action.created", obj=action, after=action_snapshot(action))
    return action


def update_action(
    action: Action, details: ActionDetails, actor: User, expected_version: int
) -> bool:
    """Change what an action is (not its progress). A stale form is refused, nothing saved.

    Once an action has progress, its due date moves only through a progress update with a
    reason (so every slip is visible); here it stays as it is.
    """
    if expected_version != action.version:
        raise StaleEdit(action)
    check_person(details.owner_id, "owner_id", "action owner")
    before = action_snapshot(action)
    action.description = details.description.strip()
    action.owner_id = details.owner_id
    if not has_progress_history(action):
        action.original_due_date = details.due_date
        action.current_due_date = details.due_date
    if action_snapshot(action) == before:
        return False
    touch(action, actor)
    db.session.flush()
    audit.record("action.updated", obj=action, before=before, after=action_snapshot(action))
    return True


# --- Removing: delete while there is no history, otherwise withdraw --------------------------


def delete_action(action: Action) -> None:
    blockers = action_removal_blockers(action)
    if blockers:
        raise RuleError(
            f"Action {action.reference} cannot be deleted because {' and '.join(blockers)}: "
            "withdraw it instead"
        )
    plan_id = action.recommendation.plan_id
    snapshot = action_snapshot(action)
    audit.record("action.deleted", obj=action, before=snapshot)
    db.session.delete(action)
    db.session.flush()
    renumber(plan_id)


def delete_recommendation(rec: Recommendation) -> None:
    blockers = recommendation_removal_blockers(rec)
    if blockers:
        raise RuleError(
            f"Recommendation {rec.reference} cannot be deleted because of its history "
            f"({'; '.join(blockers)}): withdraw it instead"
        )
    plan_id = rec.plan_id
    snapshot = recommendation_snapshot(rec)
    snapshot["actions"] = [action_snapshot(a) for a in ordered_actions(rec.id)]
    snapshot["indicators"] = [i.code for i in rec.indicators]
    audit.record("recommendation.deleted", obj=rec, before=snapshot)
    for action in ordered_actions(rec.id):
        db.session.delete(action)
    rec.indicators.clear()
    db.session.flush()
    db.session.delete(rec)
    db.session.flush()
    renumber(plan_id)


def withdraw_action(action: Action, reason: str, actor: User) -> None:
    reason = reason.strip()
    if not reason:
        raise RuleError("Enter the reason the action is being withdrawn", "reason")
    if action.withdrawn_reason:
        raise RuleError(f"Action {action.reference} is already withdrawn")
    before = action_snapshot(action)
    action.withdrawn_reason = reason
    touch(action, actor)
    # The action's history is what the committee reads, so the withdrawal is written there too.
    _note_in_history(action, actor, f"Withdrawn from the plan: {reason}")
    db.session.flush()
    audit.record("action.withdrawn", obj=action, before=before, after=action_snapshot(action))


def _note_in_history(action: Action, actor: User, note: str) -> None:
    """A progress update that changes nothing but says what happened to the action."""
    db.session.add(
        ProgressUpdate(
            action_id=action.id,
            author_id=actor.id,
            status_from=action.status,
            status_to=action.status,
            note=note,
        )
    )


def withdraw_recommendation(rec: Recommendation, reason: str, actor: User) -> None:
    """Withdraw a recommendation and, with it, those of its actions still in the plan."""
    reason = reason.strip()
    if not reason:
        raise RuleError("Enter the reason the recommendation is being withdrawn", "reason")
    if rec.withdrawn_reason:
        raise RuleError(f"Recommendation {rec.reference} is already withdrawn")
    before = recommendation_snapshot(rec)
    rec.withdrawn_reason = reason
    for action in ordered_actions(rec.id):
        if not action.withdrawn_reason:
            withdraw_action(action, f"Recommendation {rec.reference} withdrawn: {reason}", actor)
    db.session.flush()
    audit.record(
        "recommendation.withdrawn", obj=rec, before=before, after=recommendation_snapshot(rec)
    )


def reinstate_action(action: Action, actor: User) -> None:
    if not action.withdrawn_reason:
        raise RuleError(f"Action {action.reference} is not withdrawn")
    if action.recommendation.withdrawn_reason:
        raise RuleError(f"Reinstate recommendation {action.recommendation.reference} first")
    before = action_snapshot(action)
    action.withdrawn_reason = None
    touch(action, actor)
    _note_in_history(action, actor, "Reinstated in the plan")
    db.session.flush()
    audit.record("action.reinstated", obj=action, before=before, after=action_snapshot(action))


def reinstate_recommendation(rec: Recommendation) -> None:
    """Bring a recommendation back; its withdrawn actions are reinstated one by one, by choice."""
    if not rec.withdrawn_reason:
        raise RuleError(f"Recommendation {rec.reference} is not withdrawn")
    before = recommendation_snapshot(rec)
    rec.withdrawn_reason = None
    db.session.flush()
    audit.record(
        "recommendation.reinstated", obj=rec, before=before, after=recommendation_snapshot(rec)
    )
