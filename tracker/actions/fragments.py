"""My actions' groups of tables (templates/actions/_my-actions-group.html), each group's HTML
kept per process: a head of service's thirty actions across twenty-odd plans make as many tables,
and their dates, ratings and escaping cost more than the rest of the page's own markup.

A group's HTML is a pure function of its rows as read (each action's columns and plan, its last
update), their ratings (which carry the day they were judged on), whether the page names one
plan, the address actions are linked at and the council's timezone: all of them are the key, so
a change to any of them is new HTML on the very next request."""

from flask import current_app
from markupsafe import Markup

from tracker.actions.queries import MyActionGroup
from tracker.lru import LRU

GROUP_TEMPLATE = "actions/_my-actions-group.html"
_groups = LRU(maxsize=2000)


def my_actions_group(group: MyActionGroup, one_plan: bool, action_href: str) -> Markup:
    rows = tuple((row.action, row.last_update_at, row.rag) for row in group.rows)
    zone = current_app.config["TIMEZONE"]
    key = (group.key, group.heading, one_plan, action_href, zone, rows)
    html = _groups.get(key)
    if html is None:
        template = current_app.jinja_env.get_template(GROUP_TEMPLATE)
        made = template.render(group=group, one_plan=one_plan, action_href=action_href)
        html = _groups.put(key, Markup(made))  # noqa: S704 (an autoescaped template)
    return html
