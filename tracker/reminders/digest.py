"""Turning a digest into an email: subject with counts, and plain-text and HTML bodies.

The words are worked out here; the templates in templates/emails/ only lay them out.
"""

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app

from tracker.clock import local
from tracker.mail import clean_header
from tracker.reminders.selection import Digest, Item, Kind, Reason, Settings
from tracker.templating import govuk_date

# A day's run writes tens of thousands of lines that share a few hundred dates and owners.
day_words = lru_cache(maxsize=4096)(govuk_date)


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Line:
    """One action as an email shows it."""

    reference: str
    description: str
    plan: str
    owner: str
    due: str
    last_update: str
    url: str


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[Line]


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def due_soon_phrase(settings: Settings) -> str:
    if settings.due_soon_days == 7:
        return "due this week"
    return f"due in the next {plural(settings.due_soon_days, 'day')}"


def no_update_phrase(settings: Settings) -> str:
    return f"with no update for {plural(settings.no_update_days, 'day')}"


def counted_phrases(digest: Digest, settings: Settings) -> list[str]:
    """['2 actions overdue', '1 due this week'] - the noun only once, on the first phrase."""
    wording = {
        Reason.OVERDUE: "overdue",
        Reason.DUE_SOON: due_soon_phrase(settings),
        Reason.NO_UPDATE: no_update_phrase(settings),
    }
    phrases: list[str] = []
    for reason, words in wording.items():
        count = len(digest.with_reason(reason))
        if count:
            noun = plural(count, "action") if not phrases else str(count)
            phrases.append(f"{noun} {words}")
    return phrases + deadline_phrases(digest) + notice_phrases(digest)


def notice_phrases(digest: Digest) -> list[str]:
    """['2 updates on work you own or lead'] (tracker/notices.py)"""
    if not digest.notices:
        return []
    return [f"{plural(len(digest.notices), 'update')} on work you own or lead"]


def notice_line(notice, links: "Links") -> Line:
    return Line(
        reference=notice.reference,
        description=notice.text,
        plan=notice.plan_title,
        owner="",
        due=f"Action: {notice.description}",
        last_update=f"On {day_words(local(notice.at).date())}",
        url=links.to("actions.action", action_id=notice.action_id),
    )


def deadline_phrases(digest: Digest) -> list[str]:
    """['1 statutory deadline overdue', '1 statutory deadline due soon']"""
    phrases: list[str] = []
    for overdue, words in ((True, "overdue"), (False, "due soon")):
        count = sum(1 for notice in digest.deadlines if notice.overdue is overdue)
        if count:
            phrases.append(f"{plural(count, 'statutory deadline')} {words}")
    return phrases


def deadline_line(notice, links: "Links") -> Line:
    return Line(
        reference="Deadline",
        description=notice.label,
        plan=notice.plan_title,
        owner="",
        due=f"Due {day_words(notice.due)}: {notice.reason}",
        last_update=notice.rule,
        url=links.to("plans.plan", plan_id=notice.plan_id) + "#deadlines",
    )


def subject_for(digest: Digest, settings: Settings) -> str:
    if digest.kind is Kind.ESCALATION:
        count = plural(len(digest.items), "action")
        days = plural(settings.escalation_days, "day")
        return f"Escalation: {count} overdue by {days} or more"
    return ", ".join(counted_phrases(digest, settings))


def in_words(phrases: list[str]) -> str:
    """'a, b and c'"""
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def due_text(item: Item) -> str:
    due, days = item.action.current_due_date, item.days_until_due
    if due is None or days is None:  # days_until_due is None exactly when there is no due date
        return "No due date set"
    when = day_words(due)
    if days < 0:
        return f"Due {when}: {plural(item.days_overdue, 'day')} overdue"
    if days == 0:
        return f"Due today, {when}"
    if days == 1:
        return f"Due tomorrow, {when}"
    return f"Due {when}: in {plural(days, 'day')}"


def last_update_text(item: Item) -> str:
    when = day_words(item.last_update)
    if item.days_since_update <= 0:
        return f"Last update {when}: today"
    return f"Last update {when}: {plural(item.days_since_update, 'day')} ago"


class Links:
    """Links for emails: BASE_URL plus the route's path (there is no request to ask). Make one
    for a whole run: binding the URL map is most of the cost of a link."""

    def __init__(self):
        self.adapter = current_app.url_map.bind("localhost")
        self.base = current_app.config["BASE_URL"].rstrip("/")

    def to(self, endpoint: str, **values) -> str:
        return self.base + self.adapter.build(endpoint, values)


@lru_cache(maxsize=4096)
def owner_words(name: str, job_title: str | None) -> str:
    return f"{clean_header(name)}, {job_title}".strip(", ")


def line_for(item: Item, links: Links) -> Line:
    action = item.action
    owner = action.owner
    return Line(
        reference=action.reference,
        description=action.description,
        plan=item.plan.title,
        owner=owner_words(owner.name, owner.job_title) if owner else "",
        due=due_text(item),
        last_update=last_update_text(item),
        url=links.to("actions.action", action_id=action.id),
    )


def sections_for(digest: Digest, settings: Settings, links: Links) -> list[Section]:
    if digest.kind is Kind.ESCALATION:
        return [Section("Overdue", [line_for(item, links) for item in digest.items])]
    headings = {
        Reason.OVERDUE: "Overdue",
        Reason.DUE_SOON: due_soon_phrase(settings).capitalize(),
        Reason.NO_UPDATE: f"No update for {plural(settings.no_update_days, 'day')} or more",
    }
    sections = []
    own = [i for i in digest.items if i.action.owner_id == digest.recipient.id]
    for reason, heading in headings.items():
        items = [item for item in own if item.reason is reason]
        if items:
            sections.append(Section(heading, [line_for(item, links) for item in items]))
    sections += covering_sections(digest, links)
    if digest.deadlines:
        lines = [deadline_line(notice, links) for notice in digest.deadlines]
        sections.append(Section("Statutory deadlines for the plan", lines))
    if digest.notices:
        lines = [notice_line(notice, links) for notice in digest.notices]
        sections.append(Section("What happened yesterday", lines))
    return sections


def covering_sections(digest: Digest, links: "Links") -> list[Section]:
    """A deputy's copy of the reminders of each person they cover for (issue 13.16)."""
    covered: dict[str, list[Line]] = {}
    for item in digest.items:
        owner = item.action.owner
        if owner is not None and owner.id != digest.recipient.id:
            heading = f"Covering for {clean_header(owner.name)}"
            covered.setdefault(heading, []).append(line_for(item, links))
    return [Section(heading, lines) for heading, lines in covered.items()]


def actions_have(n: int) -> str:
    return "1 action in work you lead has" if n == 1 else f"{n} actions in work you lead have"


def escalation_day_words(settings: Settings) -> str:
    if settings.escalation_weekday == "daily":
        return "every day"
    return f"every {settings.escalation_weekday.capitalize()}"


def render_digest(digest: Digest, settings: Settings, links: Links | None = None) -> Email:
    links = links or Links()
    template = "emails/escalation" if digest.kind is Kind.ESCALATION else "emails/reminder"
    context = {
        "name": clean_header(digest.recipient.name) or "colleague",
        "summary": in_words(counted_phrases(digest, settings)),
        "actions_have": actions_have(len(digest.items)),
        "escalation_days": plural(settings.escalation_days, "day"),
        "escalation_when": escalation_day_words(settings),
        "sections": sections_for(digest, settings, links),
        "settings_url": links.to("reminders.settings"),
        "tracker_url": links.to("main.home"),
    }
    subject = subject_for(digest, settings)
    env = current_app.jinja_env
    # Rendered straight from the environment: emails must not depend on the web's context
    # processors, which expect a request.
    return Email(
        subject=subject,
        text=env.get_template(f"{template}.txt").render(subject=subject, **context),
        html=env.get_template(f"{template}.html").render(subject=subject, **context),
    )
