"""A committee member signs in and reads the plan, in a real browser; every page is accessible."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_sign_in

pytestmark = pytest.mark.browser


def test_committee_member_reads_plan_recommendation_action_and_indicator(seeded, live_server, page):
    page.goto(f"{live_server.url}/sign-in")
    assert_accessible(page)
    browser_sign_in(page, live_server, "margaret.fenwick@example.org")
    page.get_by_role("link", name="Plans", exact=True).first.click()
    expect(page).to_have_title(re.compile("^" + re.escape("Plans")))
    assert_accessible(page)

    page.get_by_role("link", name="Ofsted inspection").click()
    assert_accessible(page)
    page.get_by_role("link", name="Live performance data for managers").click()
    expect(page).to_have_title(re.compile(re.escape("R1")))
    assert_accessible(page)

    page.get_by_role("link", name="Build the data warehouse").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/indicators/CSC-05")
    assert_accessible(page)
    page.goto(f"{live_server.url}/indicators")
    assert_accessible(page)


def test_error_pages_are_accessible(seeded, live_server, page):
    browser_sign_in(page, live_server, "margaret.fenwick@example.org")
    response = page.goto(f"{live_server.url}/plans/99999")
    assert response.status == 404
    assert_accessible(page)


def test_the_accessibility_check_catches_a_real_violation(page):
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")
    with pytest.raises(AssertionError, match="image-alt|label"):
        assert_accessible(page)
