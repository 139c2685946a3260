"""A committee member finds the meetings from the summary and opens what a meeting was sent;
the pages pass axe."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_sign_in
from tests.test_published_papers import MARCH, _meeting, _stored_paper

pytestmark = pytest.mark.browser


def test_committee_member_opens_a_meetings_published_paper(seeded, live_server, page, as_at):
    as_at(date(2016, 3, 14))
    _stored_paper(_meeting(MARCH))
    browser_sign_in(page, live_server, "margaret.fenwick@example.org")
    page.get_by_role("link", name="Committee meetings and published papers").click()
    expect(page.get_by_role("heading", name="Committee meetings")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("14 March 2016")).click()
    expect(
        page.get_by_role("heading", name="Version 1: the paper for this meeting")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Publish the paper for this meeting")).to_have_count(0)
    assert_accessible(page)


def test_the_plan_lead_sees_versions_and_the_publish_button_and_the_pages_pass_axe(
    seeded, live_server, page, as_at
):
    """The clerk's view: two versions (the newer current, the older replaced), the publish
    button; and the summary naming a "since" it could not use. All pass axe."""
    from tests.test_published_papers import _plan
    from tracker.extensions import db
    from tracker.models import PublishedPaper

    as_at(date(2016, 3, 14))
    first = _stored_paper(_meeting(MARCH))
    db.session.add(
        PublishedPaper(
            plan_id=first.plan_id,
            meeting_id=first.meeting_id,
            kind=first.kind,
            version=2,
            as_at=first.as_at,
            filters={"since": "2015-11-16", "since_label": "the meeting of 16 November 2015"},
            data={},
            pdf=b"%PDF-1.7 second",
            pdf_sha256="b" * 64,
        )
    )
    db.session.commit()
    browser_sign_in(page, live_server, "catherine.holloway@example.org")
    page.goto(f"{live_server.url}/meetings/{first.meeting_id}")
    expect(
        page.get_by_role("heading", name="Version 2: the paper for this meeting")
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("Version 1: replaced by version 2"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Publish the paper for this meeting")).to_be_visible()
    assert_accessible(page)
    for width in (320, 375):  # the checksums wrap: the page fits a phone
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(f"{live_server.url}/plans/{_plan().id}/summary?since=2016-02-30")
    expect(page.get_by_text("“2016-02-30” is not a day changes can be shown since")).to_be_visible()
    assert_accessible(page)
