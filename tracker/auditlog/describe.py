"""The audit trail in English: "Mark Ellison moved R3.3 from 31 January 2016 to 30 April 2016:
'waiting for the new team manager'", with names and references instead of ids and field names.

Events are stored as the code wrote them (tracker.audit.record); this module only reads them.
Names are looked up for a whole page of events at once (`Names.for_events`), so a page of 50
events costs a fixed handful of queries.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.inspections import frameworks
from tracker.models import (
    Action,
    ActionStatus,
    ApiToken,
    AuditEvent,
    Evidence,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    InspectionEvent,
    Plan,
    Recommendation,
    ReminderOutbox,
    Role,
    User,
)

# What each kind of event says, after the person's name. {object} is the thing it happened to.
EVENTS = {
    "action.created": "added action {object}",
    "action.updated": "updated {object}",
    "action.deleted": "deleted action {object}",
    "action.withdrawn": "withdrew action {object}",
    "action.reinstated": "reinstated action {object}",
    "action.moved": "renumbered action {object}",
    "action.owner_changed": "changed the owner of {object}",
    "action.due_date_corrected": "corrected the due date of {object} into the past",
    "action_plan.imported": "imported an action plan into {object}",
    "recommendation.created": "added recommendation {object}",
    "recommendation.updated": "updated recommendation {object}",
    "recommendation.deleted": "deleted recommendation {object}",
    "recommendation.withdrawn": "withdrew recommendation {object}",
    "recommendation.reinstated": "reinstated recommendation {object}",
    "recommendation.moved": "renumbered recommendation {object}",
    "recommendation.lead_changed": "changed the lead of {object}",
    "plan.created": "created the plan {object}",
    "plan.updated": "updated the plan {object}",
    "plan.archived": "archived the plan {object}",
    "plan.restored": "restored the plan {object}",
    "evidence.added": "added {object}",
    "evidence.accepted": "accepted {object}",
    "evidence.rejected": "rejected {object}",
    "evidence.withdrawn": "withdrew {object} and deleted its content",
    "evidence.purged": "purged {object} on request, deleting it altogether",
    "indicator.created": "added indicator {object}",
    "indicator.updated": "updated indicator {object}",
    "indicator.linked": "linked indicator {object} to a recommendation",
    "indicator.unlinked": "removed the link between indicator {object} and a recommendation",
    "indicator_target.added": "added {object}",
    "indicator_target.updated": "changed {object}",
    "indicator_value.added": "added {object}",
    "indicator_value.changed": "corrected {object}",
    "indicator_value.moved": "moved {object} to another month",
    "indicator_value.deleted": "deleted {object}",
    "indicator_values.imported": "imported indicator figures",
    "benchmarks.figures_imported": "imported published statistics for benchmarks",
    "benchmarks.neighbours_imported": "imported the statistical-neighbour list",
    "user.created": "added {object} as a user",
    "user.updated": "updated the details of {object}",
    "user.role_changed": "changed the role of {object}",
    "user.deactivated": "deactivated the account of {object}",
    "user.reactivated": "reactivated the account of {object}",
    "user.password_changed": "changed the password of {object}",
    "user.password_set_by_invite_link": "set the password of {object} from an invitation",
    "user.password_set_by_reset_link": "reset the password of {object} from an email link",
    "user.reminder_settings_changed": "changed the reminder settings of {object}",
    "user.notice_settings_changed": "changed what {object} is told about",
    "user.oidc_linked": "linked {object} to their account at the council's identity provider",
    "user.oidc_unlinked": "unlinked {object} from their account at the council's identity provider",
    "account_link.invite_issued": "sent an invitation link to {object}",
    "account_link.reset_issued": "sent a password reset link to {object}",
    "account_link.email_failed": "could not email an account link to {object}",
    "account_email.invite_queued": "queued an invitation email to {object}",
    "account_email.reset_queued": "queued a password reset email to {object}",
    "password_reset.requested": "asked for a password reset",
    "password_change.failed": "gave a wrong current password for {object}",
    "sign_in.succeeded": "signed in",
    "sign_in.failed": "failed to sign in",
    "sign_in.throttled": "was refused sign-in after too many failed attempts",
    "sign_in.password_refused": "was refused a password sign-in: passwords are turned off",
    "sign_in.oidc_succeeded": "signed in with the council's identity provider",
    "sign_in.oidc_refused": "was refused sign-in through the council's identity provider",
    "sign_out": "signed out",
    "sign_in.password_accepted": "gave the right password and was asked for a two-factor code",
    "sign_in.code_failed": "entered a wrong two-factor code for {object}",
    "sign_in.code_reused": "entered an already used two-factor code for {object}",
    "sign_in.recovery_code_used": "signed in with a recovery code",
    "session.ended": "signed {object} out of one device",
    "session.timed_out": "was signed out after a timeout",
    "sessions.ended": "ended the sessions of {object}",
    "user.two_factor_turned_on": "turned on two-factor authentication for {object}",
    "user.two_factor_turned_off": "turned off two-factor authentication for {object}",
    "user.two_factor_reset": "reset the two-factor authentication of {object}",
    "user.recovery_codes_renewed": "made new recovery codes for {object}",
    "seed.loaded": "loaded the demonstration plan",
    "reminders.queued": "queued the day's reminder emails",
    "reminder.sent": "sent {object}",
    "reminder.failed": "gave up sending {object}",
    "reminder.attempt_failed": "could not send {object} (it will be tried again)",
    "account_email.sent": "sent {object}",
    "account_email.failed": "gave up sending {object}",
    "account_email.attempt_failed": "could not send {object} (it will be tried again)",
    "api_token.created": "issued {object}",
    "api_token.revoked": "revoked {object}",
    "inspection.recorded": "recorded {object}",
    "inspection.changed": "changed the details of {object}",
    "inspection.judged": "recorded the judgements of {object}",
    "inspection.finding_added": "added a finding to {object}",
    "inspection.finding_removed": "removed a finding from {object}",
    "plan.submission_recorded": "recorded the approval and submission of the plan {object}",
    "plan.paper_published": "published a paper of the plan {object}",
    "deputy.named": "named {object}",
    "deputy.ended": "ended {object}",
}

# Kinds of event an admin can filter by: the label and the event-name prefixes it covers.
KINDS = {
    "actions": ("Actions", ("action.", "action_plan.")),
    "recommendations": ("Recommendations", ("recommendation.",)),
    "plans": ("Plans", ("plan.",)),
    "evidence": ("Evidence", ("evidence.",)),
    "indicators": ("Indicators and figures", ("indicator.", "indicator_")),
    "people": (
        "People and accounts",
        ("user.", "account_link.", "account_email.", "password_", "api_token.", "deputy."),
    ),
    "inspections": ("Inspections and visits", ("inspection.", "plan.submission_")),
    "sign_ins": ("Signing in and out", ("sign_in.", "sign_out", "session.", "sessions.")),
    "reminders": ("Reminder emails", ("reminder.", "reminders.", "seed.")),
}

FIELD_LABELS = {
    "owner_id": "Owner",
    "lead_id": "Lead",
    "plan_id": "Plan",
    "action_id": "Action",
    "recommendation_id": "Recommendation",
    "indicator_id": "Indicator",
    "current_due_date": "Due date",
    "original_due_date": "Original due date",
    "completed_on": "Completed on",
    "verified_on": "Verified on",
    "status": "Status",
    "action_status": "Action status",
    "review_state": "Review",
    "withdrawn_reason": "Reason for withdrawal",
    "due_change_reason": "Reason",
    "reason": "Reason",
    "reference": "Reference",
    "renumbered": "Also renumbered",
    "description": "Description",
    "title": "Title",
    "text": "Text",
    "theme": "Theme",
    "target_date": "Target date",
    "meeting_dates": "Committee meetings",
    "published_on": "Published on",
    "inspectorate": "Inspectorate",
    "inspection_type": "Inspection type",
    "name": "Name",
    "email": "Email",
    "job_title": "Job title",
    "role": "Role",
    "active": "Account active",
    "kind": "Kind",
    "to": "To",
    "day": "For",
    "attempts": "Attempts",
    "error": "Problem",
    "next_attempt_at": "Next try",
    "digests": "Digests",
    "skipped": "Skipped",
    "indicator": "Indicator",
    "period": "Month",
    "basis": "Basis",
    "value": "Figure",
    "provisional": "Provisional",
    "data_quality_note": "Data-quality note",
    "quoted": "As quoted in the report",
    "source": "Source",
    "effective_from": "Takes effect from",
    "target": "Target",
    "amber_tolerance": "Amber tolerance",
    "lower_bound": "Lowest in range",
    "upper_bound": "Highest in range",
    "code": "Code",
    "unit": "Unit",
    "polarity": "Which way is better",
    "decimals": "Decimal places",
    "benchmark": "Benchmark",
    "benchmark_label": "Benchmark description",
    "rationale": "Why linked",
    "filename": "File",
    "added": "Figures added",
    "changed": "Figures changed",
    "unchanged": "Figures unchanged",
    "recommendations_added": "Recommendations added",
    "actions_added": "Actions added",
    "sha256": "SHA-256",
    "original_filename": "File name",
    "due_soon": "Reminders when actions are nearly due",
    "no_update": "Reminders when actions have no recent update",
    "started_on": "First day on site",
    "ended_on": "Last day on site",
    "received_on": "Report or letter received",
    "priority_actions": "Priority actions",
    "finding": "Finding",
    "recommendations": "Recommendations",
    "draft_sent_on": "Draft sent to Ofsted",
    "approved_on": "Approved on",
    "approved_by": "Approved by",
    "submitted_on": "Sent to Ofsted",
    "meeting": "For the meeting of",
    "version": "Version",
    "since": "Changes since",
    "word_sha256": "Word file SHA-256",
    "owner": "Held by",
    "issuer": "Identity provider",
    "scopes": "May",
    "expires_at": "Expires",
    "evidence_added": "Told when evidence is added",
    "evidence_rejected": "Told when evidence is rejected",
    "completed": "Told when an action is completed",
    "verified": "Told when an action is verified",
    "sessions": "Sessions ended",
    "device": "Device",
    "recovery_codes_left": "Recovery codes left",
}
# Fields that only repeat what the sentence already says, or carry an internal id.
HIDDEN = {"recommendation_id", "action_id", "on_behalf_of_id", "person_id", "deputy_id"}

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")

LABELS_BY_VALUE = {
    "status": {s.value: s.label for s in ActionStatus}
    | {"active": "Active", "archived": "Archived"},
    "action_status": {s.value: s.label for s in ActionStatus},
    "review_state": {
        "submitted": "Not yet reviewed",
        "accepted": "Accepted",
        "rejected": "Rejected",
    },
    "role": {
        Role.COMMITTEE_MEMBER.value: "Committee member",
        Role.HEAD_OF_SERVICE.value: "Head of service",
        Role.PERFORMANCE_OFFICER.value: "Performance officer",
        Role.ADMIN.value: "Administrator",
    },
    "basis": {"month": "Month", "rolling_12": "Rolling 12 months", "ytd": "Year to date"},
    "kind": {
        "file": "File",
        "link": "Link",
        "note": "Note",
        "reminder": "Daily reminder",
        "escalation": "Escalation",
        "invite": "Invitation",
        "reset": "Password reset",
        "committee_paper": "Committee paper",
        "submitted_plan": "Plan as submitted to Ofsted",
    }
    | {key: kind.label for key, kind in frameworks.KINDS.items()},
}
GRADE_LABELS = {grade.key: grade.label for grade in frameworks.FOUR_GRADES}
AREA_LABELS = {
    area.key: area.label for framework in frameworks.FRAMEWORKS.values() for area in framework.areas
}
PEOPLE_FIELDS = {"owner_id", "lead_id", "on_behalf_of_id", "person_id", "deputy_id"}


@dataclass(frozen=True)
class Described:
    event: AuditEvent
    when: datetime
    who: str
    text: str
    details: list[str]


class Names:
    """Names and references for the ids a page of events mentions, fetched once per table."""

    def __init__(self):
        self.users: dict[int, str] = {}
        self.actions: dict[int, str] = {}
        self.recommendations: dict[int, str] = {}
        self.plans: dict[int, str] = {}
        self.evidence: dict[int, tuple[str, str]] = {}  # title, and its action's reference
        self._evidence_actions: dict[int, tuple[str, int]] = {}  # title, and its action's id
        self.indicators: dict[int, str] = {}
        self.targets: dict[int, str] = {}
        self.values: dict[int, str] = {}
        self.emails: dict[int, str] = {}
        self.inspections: dict[int, str] = {}
        self.tokens: dict[int, str] = {}

    @classmethod
    def for_events(cls, events: list[AuditEvent]) -> "Names":
        names = cls()
        wanted: dict[str, set[int]] = defaultdict(set)
        for event in events:
            if event.actor_id:
                wanted["User"].add(event.actor_id)
            if event.api_token_id:
                wanted["ApiToken"].add(event.api_token_id)
            if event.object_type and event.object_id:
                wanted[event.object_type].add(event.object_id)
            for payload in (event.before or {}, event.after or {}):
                for key in PEOPLE_FIELDS:
                    if isinstance(payload.get(key), int):
                        wanted["User"].add(payload[key])
                if isinstance(payload.get("plan_id"), int):
                    wanted["Plan"].add(payload["plan_id"])
                if isinstance(payload.get("action_id"), int):
                    wanted["Action"].add(payload["action_id"])
        names._load(wanted)
        return names

    def _load(self, wanted: dict[str, set[int]]) -> None:
        # Evidence first: it adds the actions its events are about to what is wanted.
        if ids := wanted.get("Evidence"):
            self._load_evidence(ids, wanted)
        for kind, (attribute, key, name) in SIMPLE_NAMES.items():
            if ids := wanted.get(kind):
                setattr(self, attribute, dict(_rows(key, name, ids=ids)))
        self.evidence = {
            evidence_id: (title, self.actions.get(action_id, ""))
            for evidence_id, (title, action_id) in self._evidence_actions.items()
        }
        if ids := wanted.get("IndicatorTarget"):
            self.targets = dict(_rows_of_indicator(IndicatorTarget, ids))
        if ids := wanted.get("IndicatorValue"):
            for value_id, code, period in _rows_of_indicator(IndicatorValue, ids, "period"):
                self.values[value_id] = f"the {code} figure for {period:%B %Y}"
        if ids := wanted.get("InspectionEvent"):
            columns = ("id", "kind", "started_on", "received_on")
            for event_id, kind, started, received in _rows(
                *(getattr(InspectionEvent, c) for c in columns), ids=ids
            ):
                self.inspections[event_id] = _inspection_name(kind, started or received)

    def _load_evidence(self, ids: set[int], wanted: dict[str, set[int]]) -> None:
        """Titles now, with their action's id until the actions' references are loaded."""
        for evidence_id, title, action_id in _rows(
            Evidence.id, Evidence.title, Evidence.action_id, ids=ids
        ):
            self._evidence_actions[evidence_id] = (title, action_id)
            wanted["Action"].add(action_id)

    def person(self, user_id) -> str:
        return self.users.get(user_id, "a person no longer recorded")


# Kinds whose name is one column: the Names attribute, the id column and the name column.
SIMPLE_NAMES = {
    "User": ("users", User.id, User.name),
    "Action": ("actions", Action.id, Action.reference),
    "Recommendation": ("recommendations", Recommendation.id, Recommendation.reference),
    "Plan": ("plans", Plan.id, Plan.title),
    "Indicator": ("indicators", Indicator.id, Indicator.code),
    "ReminderOutbox": ("emails", ReminderOutbox.id, ReminderOutbox.recipient_email),
    "ApiToken": ("tokens", ApiToken.id, ApiToken.name),  # tokens acting, issued or revoked
}


def _rows(*columns, ids):
    return db.session.execute(select(*columns).where(columns[0].in_(ids))).all()


def _rows_of_indicator(model, ids, *extra):
    """(id, indicator code, *extra columns) of targets or figures."""
    query = (
        select(model.id, Indicator.code, *(getattr(model, c) for c in extra))
        .join(Indicator, Indicator.id == model.indicator_id)
        .where(model.id.in_(ids))
    )
    return db.session.execute(query).all()


def _day(text: str) -> str:
    day = date.fromisoformat(text)
    return f"{day.day} {day:%B %Y}"


def _plain(key: str, value, names: Names) -> str:
    """A stored value as a reader says it: names for people, dates in words, labels for codes."""
    if value is None or value == "" or value == []:
        return "none"
    named = _named(key, value, names)
    if named is not None:
        return named
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_plain(key, item, names) for item in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{_label(k).lower()} {_plain(k, v, names)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return _date_in_words(value)
    return str(value)


def _named(key: str, value, names: Names) -> str | None:
    """A person, plan or action by name, or a code by its label; None if the key is none of them."""
    if key in PEOPLE_FIELDS:
        return names.person(value)
    if key == "plan_id":
        return names.plans.get(value, "a plan no longer recorded")
    if key == "action_id":
        return names.actions.get(value, "an action no longer recorded")
    if isinstance(value, str | int) and not isinstance(value, bool):
        if value in LABELS_BY_VALUE.get(key, {}):
            return LABELS_BY_VALUE[key][value]
        if key in AREA_LABELS and value in GRADE_LABELS:
            return GRADE_LABELS[value]
    return None


def _date_in_words(value: str) -> str:
    if ISO_DAY.match(value):
        return _day(value)
    if ISO_MONTH.match(value):
        return f"{date.fromisoformat(value + '-01'):%B %Y}"
    if ISO_MOMENT.match(value):
        moment = datetime.fromisoformat(value)
        return f"{moment.day} {moment:%B %Y} at {moment:%H:%M}"
    return value


def _label(key: str) -> str:
    if key in FIELD_LABELS:
        return FIELD_LABELS[key]
    if key in AREA_LABELS:
        return AREA_LABELS[key]
    words = key.removesuffix("_id").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _shown(key: str) -> bool:
    return key not in HIDDEN and not (key.endswith("_id") and key not in FIELD_LABELS)


def _details(event: AuditEvent, names: Names, skip: set[str]) -> list[str]:
    before, after = event.before or {}, event.after or {}
    lines = []
    if before and after:
        for key in after:
            if key in skip or not _shown(key) or before.get(key) == after[key]:
                continue
            if key in before:
                old, new = _plain(key, before[key], names), _plain(key, after[key], names)
                lines.append(f"{_label(key)}: {old} to {new}")
            else:
                lines.append(f"{_label(key)}: {_plain(key, after[key], names)}")
        return lines
    for key, value in (after or before).items():
        if key in skip or not _shown(key) or value in (None, "", []):
            continue
        lines.append(f"{_label(key)}: {_plain(key, value, names)}")
    return lines


def _object(event: AuditEvent, names: Names) -> str:
    payload = {**(event.before or {}), **(event.after or {})}
    describe = OBJECT_NAMES.get(event.object_type or "")
    return describe(event, event.object_id, payload, names) if describe else "something"


def _evidence_name(event, object_id, payload, names) -> str:
    title, reference = names.evidence.get(object_id, (payload.get("title") or "", ""))
    on = f" on {reference}" if reference else ""
    return f"the evidence '{title}'{on}" if title else f"evidence{on}"


def _figure_name(event, object_id, payload, names) -> str:
    if payload.get("indicator") and payload.get("period"):
        period = _plain("period", (event.before or payload)["period"], names)
        return f"the {payload['indicator']} figure for {period}"
    return names.values.get(object_id) or "an indicator figure"


def _email_name(event, object_id, payload, names) -> str:
    to = payload.get("to") or names.emails.get(object_id) or "someone"
    if payload.get("kind"):
        return f"the {_plain('kind', payload['kind'], names).lower()} email to {to}"
    return f"an email to {to}"


def _deputy_name(event, object_id, payload, names) -> str:
    if not payload.get("deputy_id"):
        return "a deputy"
    deputy, person = names.person(payload["deputy_id"]), names.person(payload.get("person_id"))
    period = f"{_day(payload['starts_on'])} to {_day(payload['ends_on'])}"
    return f"{deputy} as deputy for {person} from {period}"


# How each kind of object reads in a sentence: (event, id, before and after merged, names).
OBJECT_NAMES = {
    "Action": lambda e, i, p, n: (
        n.actions.get(i) or p.get("reference") or "an action since deleted"
    ),
    "Recommendation": lambda e, i, p, n: (
        n.recommendations.get(i) or p.get("reference") or "a recommendation since deleted"
    ),
    "Plan": lambda e, i, p, n: n.plans.get(i) or p.get("title") or "a plan",
    "User": lambda e, i, p, n: n.users.get(i) or e.subject or "a person no longer recorded",
    "Evidence": _evidence_name,
    "Indicator": lambda e, i, p, n: n.indicators.get(i) or p.get("code") or "an indicator",
    "IndicatorTarget": lambda e, i, p, n: (
        f"a target for {n.targets.get(i) or p.get('indicator') or 'an indicator'}"
    ),
    "IndicatorValue": _figure_name,
    "ReminderOutbox": _email_name,
    "ApiToken": lambda e, i, p, n: f"the API token '{n.tokens.get(i) or p.get('name') or ''}'",
    "InspectionEvent": lambda e, i, p, n: (
        n.inspections.get(i) or _inspection_name(p.get("kind"), None)
    ),
    "Deputy": _deputy_name,
}


def _inspection_name(kind_key: str | None, day: date | None) -> str:
    """ "the monitoring visit of 12 May 2016": kinds read mid-sentence (acronyms kept)."""
    kind = frameworks.kind(kind_key or "")
    label = kind.label if kind else "inspection or visit"
    if not label.split()[0].isupper():
        label = label[:1].lower() + label[1:]
    return f"the {label} of {day.day} {day:%B %Y}" if day else f"the {label}"


def _who(event: AuditEvent, names: Names) -> str:
    if event.api_token_id:
        token = names.tokens.get(event.api_token_id, "no longer recorded")
        held_by = names.person(event.actor_id) if event.actor_id else "nobody"
        return f"API token '{token}' (held by {held_by})"
    if event.actor_id:
        return names.person(event.actor_id)
    if event.subject:
        return f"{event.subject} (not signed in)"
    return "The system"


def _action_update(event: AuditEvent, names: Names, who: str, what: str) -> tuple[str, set]:
    """ "Mark Ellison moved R3.3 from 31 January 2016 to 30 April 2016: 'reason'"."""
    before, after = event.before or {}, event.after or {}
    old, new = before.get("current_due_date"), after.get("current_due_date")
    if not old or not new or old == new:
        return f"{who} {EVENTS['action.updated'].format(object=what)}", set()
    text = f"{who} moved {what} from {_day(old)} to {_day(new)}"
    reason = after.get("due_change_reason")
    if reason:
        text += f": '{reason}'"
    return text, {"current_due_date", "due_change_reason"}


def _acting(event: AuditEvent, names: Names) -> str:
    """ "Sam Patel on behalf of Mark Ellison" when a deputy acted for the owner (issue 13.16)."""
    who = _who(event, names)
    behalf = (event.after or {}).get("on_behalf_of_id")
    return f"{who} on behalf of {names.person(behalf)}" if behalf else who


def describe(event: AuditEvent, names: Names) -> Described:
    who = _who(event, names)
    acting = _acting(event, names)
    what = _object(event, names)
    skip: set[str] = set()
    if event.event == "action.updated":
        text, skip = _action_update(event, names, acting, what)
    elif event.event in EVENTS:
        text = f"{acting} {EVENTS[event.event].format(object=what)}"
    else:  # a kind added since this list: still words, never the raw name
        area, _, happened = event.event.partition(".")
        text = f"{who}: {area.replace('_', ' ')} {happened.replace('_', ' ')}".rstrip()
        if event.object_type:
            text += f" ({what})"
    return Described(event, event.occurred_at, who, text, _details(event, names, skip))


def describe_all(events: list[AuditEvent]) -> list[Described]:
    names = Names.for_events(events)
    return [describe(event, names) for event in events]
