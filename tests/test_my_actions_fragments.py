"""My actions keeps each group's tables per process (tracker/actions/fragments.py), keyed by
everything they show: a change to an action, its history, the day or the address it is served
at is seen on the very next request."""

from datetime import date

from tests.conftest import action_by_ref, form_post, sign_in
from tracker.extensions import db

TODAY = date(2016, 3, 14)


def row_of(html: str, reference: str) -> str:
    start = html.index(f">{reference}: ")
    return html[start : html.index("</tr>", start)]


def my_actions(client) -> str:
    response = client.get("/my-actions")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_changed_action_shows_in_my_actions_at_once(seeded, app, client, as_at):
    as_at(TODAY)
    action = action_by_ref("R3.10")
    owner = action.owner
    sign_in(client, owner.email)
    assert "Described &lt;again&gt;" not in my_actions(client)

    action.description = "Described <again>"
    db.session.commit()
    assert "Described &lt;again&gt;" in row_of(my_actions(client), "R3.10")

    saved = form_post(
        client,
        f"/actions/{action.id}/update",
        {"status": "blocked", "note": "Waiting", "version": str(action.version)},
    )
    assert saved.status_code == 302
    row = row_of(my_actions(client), "R3.10")
    assert "app-rag--red" in row and "Blocked" in row and "14 March 2016 at " in row

    action = action_by_ref("R3.10")
    action.status = "in_progress"
    action.current_due_date = action.original_due_date = date(2016, 3, 20)
    db.session.commit()
    assert "On track" in row_of(my_actions(client), "R3.10")
    action.current_due_date = date(2016, 3, 25)
    db.session.commit()
    assert "originally 20 March 2016" in row_of(my_actions(client), "R3.10")

    as_at(date(2016, 3, 26))
    later = app.test_client()  # days on, the earlier session has timed out
    sign_in(later, owner.email)
    assert "Overdue by 1 day" in row_of(my_actions(later), "R3.10")


def test_a_group_moves_when_its_plan_is_renamed(seeded, client, as_at):
    as_at(TODAY)
    action = action_by_ref("R3.10")
    sign_in(client, action.owner.email)
    assert "Renamed plan: tables" not in my_actions(client)
    action.recommendation.plan.title = "Renamed plan: tables"
    db.session.commit()
    html = my_actions(client)
    assert "All in Renamed plan: tables." in html or "<h3 class" in html
    assert "Renamed plan: tables, by due date</caption>" in html


def test_rows_link_where_the_app_is_served(seeded, app, as_at):
    """The address is part of the key: served under a prefix, the rows link there."""
    as_at(TODAY)
    action = action_by_ref("R3.10")
    client = app.test_client()
    sign_in(client, action.owner.email)
    assert f'href="/actions/{action.id}"' in my_actions(client)
    prefixed = client.get("/my-actions", base_url="http://localhost/tracker/")
    assert f'href="/tracker/actions/{action.id}"' in prefixed.get_data(as_text=True)
