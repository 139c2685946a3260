"""All models, importable from one place (Alembic autogenerate needs them all loaded)."""

from .audit import AuditEvent
from .imports import AccountToken, ImportRecord
from .indicators import (
    Basis,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    IndicatorValueRevision,
    Polarity,
    Unit,
    recommendation_indicators,
)
from .plans import (
    Action,
    ActionStatus,
    CommitteeMeeting,
    Evidence,
    EvidenceKind,
    Plan,
    PlanStatus,
    ProgressUpdate,
    Recommendation,
    ReviewState,
    Theme,
)
from .reminders import JobRun, ReminderOutbox, ReminderSkip
from .types import utcnow
from .users import Role, User

__all__ = [
    "AccountToken",
    "ImportRecord",
    "JobRun",
    "ReminderOutbox",
    "ReminderSkip",
    "Action",
    "ActionStatus",
    "AuditEvent",
    "Basis",
    "CommitteeMeeting",
    "Evidence",
    "EvidenceKind",
    "Indicator",
    "IndicatorTarget",
    "IndicatorValue",
    "IndicatorValueRevision",
    "Plan",
    "PlanStatus",
    "Polarity",
    "ProgressUpdate",
    "Recommendation",
    "ReviewState",
    "Role",
    "Theme",
    "Unit",
    "User",
    "recommendation_indicators",
    "utcnow",
]
