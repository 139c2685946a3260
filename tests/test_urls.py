"""`url_for_id` builds one URL and puts each id in its place: the same links as `url_for`."""

from flask import url_for

from tracker.urls import url_for_id


def test_the_same_links_as_url_for(app):
    for base in ["http://localhost/", "http://localhost/tracker/"]:
        with app.test_request_context("/", base_url=base):
            plan_url = url_for_id("plans.plan", "plan_id")
            action_url = url_for_id("actions.action", "action_id")
            for n in [1, 7, 10, 918273645546372819, 99999999999999999999]:
                assert plan_url(n) == url_for("plans.plan", plan_id=n)
                assert action_url(n) == url_for("actions.action", action_id=n)
