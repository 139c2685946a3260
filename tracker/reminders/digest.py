"""Turning a digest into an email: subject with counts, and plain-text and HTML bodies.

The words are worked out here; the templates in templates/emails/ only lay them out.
"""

from dataclasses import dataclass

from flask import current_app

from tracker.mail import clean_header
from tracker.reminders.selection import Digest, Item, Kind, Reason, Settings
from tracker.templating import govuk_date


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
    phrases = []
    for reason, words in wording.items():
        count = len(digest.with_reason(reason))
        if count:
            noun = plural(count, "action") if not phrases else str(count)
            phrases.append(f"{noun} {words}")
    return phrases


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
    due = item.action.current_due_date
    if due is None:
        return "No due date set"
    when = govuk_date(due)
    if item.days_until_due < 0:
        return f"Due {when}: {plural(item.days_overdue, 'day')} overdue"
    if item.days_until_due == 0:
        return f"Due today, {when}"
    if item.days_until_due == 1:
        return f"Due tomorrow, {when}"
    return f"Due {when}: in {plural(item.days_until_due, 'day')}"


def last_update_text(item: Item) -> str:
    if item.days_since_update <= 0:
        return f"Last update {govuk_date(item.last_update)}: today"
    return (
        f"Last update {govuk_date(item.last_update)}: {plural(item.days_since_update, 'day')} ago"
    )


def absolute_url(endpoint: str, **values) -> str:
    """A link for an email: BASE_URL plus the route's path (there is no request to ask)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def line_for(item: Item) -> Line:
    action = item.action
    owner = action.owner
    return Line(
        reference=action.reference,
        description=action.description,
        plan=item.plan.title,
        owner=f"{clean_header(owner.name)}, {owner.job_title}".strip(", ") if owner else "",
        due=due_text(item),
        last_update=last_update_text(item),
        url=absolute_url("actions.action", action_id=action.id),
    )


def sections_for(digest: Digest, settings: Settings) -> list[Section]:
    if digest.kind is Kind.ESCALATION:
        return [Section("Overdue", [line_for(item) for item in digest.items])]
    headings = {
        Reason.OVERDUE: "Overdue",
        Reason.DUE_SOON: due_soon_phrase(settings).capitalize(),
        Reason.NO_UPDATE: f"No update for {plural(settings.no_update_days, 'day')} or more",
    }
    return [
        Section(heading, [line_for(item) for item in digest.with_reason(reason)])
        for reason, heading in headings.items()
        if digest.with_reason(reason)
    ]


def actions_have(n: int) -> str:
    return "1 action in work you lead has" if n == 1 else f"{n} actions in work you lead have"


def escalation_day_words(settings: Settings) -> str:
    if settings.escalation_weekday == "daily":
        return "every day"
    return f"every {settings.escalation_weekday.capitalize()}"


def render_digest(digest: Digest, settings: Settings) -> Email:
    template = "emails/escalation" if digest.kind is Kind.ESCALATION else "emails/reminder"
    context = {
        "name": clean_header(digest.recipient.name) or "colleague",
        "summary": in_words(counted_phrases(digest, settings)),
        "actions_have": actions_have(len(digest.items)),
        "escalation_days": plural(settings.escalation_days, "day"),
        "escalation_when": escalation_day_words(settings),
        "sections": sections_for(digest, settings),
        "settings_url": absolute_url("reminders.settings"),
        "tracker_url": absolute_url("main.home"),
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
