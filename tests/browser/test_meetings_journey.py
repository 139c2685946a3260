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
