"""All models, importable from one place (Alembic autogenerate needs them all loaded)."""

from .api import ApiIdempotencyKey, ApiToken
from .audit import AuditEvent
from .benchmarks import BenchmarkMeasure, PublishedFigure, StatisticalNeighbour
from .imports import AccountToken, ImportRecord
from .indicators import (
    Basis,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    IndicatorValueRevision,
    Polarity,
    RevisionChange,
    Unit,
    recommendation_indicators,
)
from .inspections import (
    InspectionEvent,
    InspectionFinding,
    InspectionJudgement,
    PlanSubmission,
    finding_recommendations,
)
from .papers import PaperKind, PublishedPaper, PublishedPaperIsFinal
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
from .sessions import METHOD_LABELS, RecoveryCode, UserSession
from .types import utcnow
from .users import Deputy, Role, User

__all__ = [
    "METHOD_LABELS",
    "RecoveryCode",
    "UserSession",
    "BenchmarkMeasure",
    "PublishedFigure",
    "StatisticalNeighbour",
    "ApiIdempotencyKey",
    "ApiToken",
    "AccountToken",
    "ImportRecord",
    "InspectionEvent",
    "InspectionFinding",
    "InspectionJudgement",
    "PlanSubmission",
    "finding_recommendations",
    "PaperKind",
    "PublishedPaper",
    "PublishedPaperIsFinal",
    "JobRun",
    "ReminderOutbox",
    "ReminderSkip",
    "Action",
    "ActionStatus",
    "AuditEvent",
    "Deputy",
    "Basis",
    "CommitteeMeeting",
    "Evidence",
    "EvidenceKind",
    "Indicator",
    "IndicatorTarget",
    "IndicatorValue",
    "IndicatorValueRevision",
    "RevisionChange",
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
