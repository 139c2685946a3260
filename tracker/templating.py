"""Template filters and globals shared by every page."""

import re
from datetime import date, datetime

from flask import Flask, current_app, get_template_attribute, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from tracker.clock import local
from tracker.evidence.queries import review_queue
from tracker.lru import LRU
from tracker.pagination import page_url
from tracker.permissions import Permission, can_change_plan_structure, reviews_anything, user_has
from tracker.rag import RAG_KEY, Rag


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


def rag_tag(rag: Rag) -> Markup:
    """A rating's tag. A function rather than a macro: tables call it once per row."""
    colour, label = escape(rag.colour.value), escape(rag.label)
    return Markup(f'<strong class="govuk-tag app-rag app-rag--{colour}">{label}</strong>')  # noqa: S704 (escaped above)


def embedding_tag(embedding) -> Markup:
    """A complete recommendation's embedding state as a GOV.UK tag (tracker/embedding.py)."""
    if embedding is None:
        return Markup("")
    return Markup('<strong class="govuk-tag govuk-tag--{}">{}</strong>').format(
        embedding.colour, embedding.label
    )


_BLANK_LINES = re.compile(r"\n\s*\n")


def line_breaks(text: str | None) -> Markup:
    """Multi-line text for an inline place (a table cell, a summary value): each new line a
    <br>. The text is escaped first; only the <br> tags are markup."""
    # Escaped once, then split: escaping never makes or removes a line boundary.
    return Markup("<br>".join(escape((text or "").strip()).splitlines()))  # noqa: S704 (escaped)


def paragraphs(text: str | None, css_class: str = "govuk-body") -> Markup:
    """Multi-line text as paragraphs: a blank line starts a new one, a single new line is a
    <br>. Escaped first, as `line_breaks`; nothing for empty text."""
    blocks = [b for b in _BLANK_LINES.split((text or "").strip()) if b.strip()]
    opening = Markup('<p class="{}">').format(css_class) if css_class else Markup("<p>")
    return Markup("").join(opening + line_breaks(block) + Markup("</p>") for block in blocks)


def month_label(value: date | None) -> str:
    return "" if value is None else f"{value:%B %Y}"


# GOV.UK Frontend macros are pure functions of their parameters, and calling one costs as much
# as a small page; their output is kept per process, keyed by the parameters themselves.
_components = LRU(maxsize=2000)
# Where base.html puts per-request markup (the sign-out form and its CSRF token) into a rendered
# component, so that the component's own key does not change with every request.
END_SLOT = Markup("<!-- app: end slot -->")


def govuk(component: str, params: dict) -> Markup:
    """`govuk('breadcrumbs', {...})` renders govukBreadcrumbs({...}) once per distinct params."""
    key = (component, frozen_params(params))
    try:
        hash(key)
    except TypeError:  # a parameter that cannot be a key: render it every time
        return Markup(_macro(component)(params))  # noqa: S704 (the macro escapes what it is given)
    html = _components.get(key)
    if html is None:
        html = _components.put(key, Markup(_macro(component)(params)))  # noqa: S704 (as above)
    return html


def _macro(component: str):
    name = "govuk" + "".join(part.title() for part in component.split("-"))
    return get_template_attribute(f"govuk_frontend_jinja/components/{component}/macro.html", name)


def frozen_params(value):
    """A hashable copy of macro parameters that keeps markup and text apart."""
    if isinstance(value, dict):
        return tuple(sorted((key, frozen_params(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(frozen_params(item) for item in value)
    if isinstance(value, Markup):
        return ("markup", str(value))
    return (type(value).__name__, value)


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
    app.add_template_filter(line_breaks)
    app.add_template_filter(paragraphs)
    app.add_template_global(navigation)
    app.add_template_global(rag_tag)
    app.add_template_global(embedding_tag)
    app.add_template_global(govuk)
    app.jinja_env.globals["END_SLOT"] = END_SLOT
    app.add_template_global(page_url)
    app.jinja_env.globals["rag_key"] = RAG_KEY
    app.add_template_global(Permission)

    @app.context_processor
    def inject_user_helpers():
        return {
            "can": lambda permission: user_has(current_user, permission),
            "can_change_structure": lambda plan: can_change_plan_structure(current_user, plan),
            "as_at_date": current_app.config.get("AS_AT_DATE"),
        }
