"""My actions' groups of tables (templates/actions/_my-actions-group.html), each group's HTML
kept per process by tracker/fragments.py: a head of service's thirty actions across twenty-odd
plans make as many tables, and their dates, ratings and escaping cost more than the rest of the
page's own markup.

A group's HTML is a pure function of its rows as read (each action's columns and plan, its last
update), their ratings (which carry the day they were judged on), whether the page names one
plan and the address actions are linked at: all of them are the key (the timezone and the
template are added by render_fragment), so a change to any of them is new HTML on the very next
request."""

from markupsafe import Markup

from tracker.actions.queries import MyActionGroup
from tracker.fragments import render_fragment

GROUP_TEMPLATE = "actions/_my-actions-group.html"


def my_actions_group(group: MyActionGroup, one_plan: bool, action_href: str) -> Markup:
    rows = tuple((row.action, row.last_update_at, row.rag) for row in group.rows)
    key = (group.key, group.heading, one_plan, action_href, rows)
    return render_fragment(
        GROUP_TEMPLATE, key, group=group, one_plan=one_plan, action_href=action_href
    )
