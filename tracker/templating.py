"""Template filters and globals shared by every page."""

from datetime import date, datetime

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from tracker.clock import local
from tracker.evidence.queries import review_queue
from tracker.pagination import page_url
from tracker.permissions import Permission, can_change_plan_structure, reviews_anything, user_has
from tracker.rag import RAG_KEY


def govuk_date(value: date | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def govuk_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    moment = local(value)
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    time = f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"
    return f"{moment.day} {moment:%B %Y} at {time}"


def month_label(value: date | None) -> str:
    return "" if value is None else f"{value:%B %Y}"


def navigation() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    if user_has(current_user, Permission.UPDATE_OWN_ACTIONS):
        items.append(("actions.my_actions_page", "My actions"))
    if reviews_anything(current_user):
        waiting = review_queue(current_user._get_current_object()).total
        items.append(("evidence.awaiting_review", f"Awaiting my review ({waiting})"))
    items += [("plans.index", "Plans"), ("indicators.index", "Indicators")]
    if user_has(current_user, Permission.ADMINISTER):
        items.append(("reminders.admin", "Reminders"))
    if current_user.role == "admin":
        items.append(("admin.index", "Admin"))
    endpoint = request.endpoint or ""
    area = endpoint.split(".")[0]
    area = {"auditlog": "admin"}.get(area, area)  # the audit trail is part of Admin
    return [
        {
            "href": url_for(target),
            "text": text,
            "current": endpoint == target,
            "active": area == target.split(".")[0] and endpoint != target,
        }
        for target, text in items
    ]


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(govuk_date)
    app.add_template_filter(govuk_datetime)
    app.add_template_filter(month_label)
    app.add_template_global(navigation)
    app.add_template_global(page_url)
    app.add_template_global(RAG_KEY, "rag_key")
    app.add_template_global(Permission)

    @app.context_processor
    def inject_user_helpers():
        return {
            "can": lambda permission: user_has(current_user, permission),
            "can_change_structure": lambda plan: can_change_plan_structure(current_user, plan),
            "as_at_date": current_app.config.get("AS_AT_DATE"),
        }
