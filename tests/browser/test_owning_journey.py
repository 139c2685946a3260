"""In a real browser (issue 13 acceptance c): a performance officer owns an action and updates it
from My actions; an admin's role change that would strand work lists it first; a closed action
explains itself. axe-core checks each page."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import action_by_ref, assert_accessible, browser_sign_in
from tracker.extensions import db

pytestmark = pytest.mark.browser

PERFORMANCE = "rachel.booth@example.org"
ADMIN = "laura.pickering@example.org"


def test_a_performance_officer_updates_the_action_she_owns(seeded, live_server, page):
    browser_sign_in(page, live_server, PERFORMANCE)
    page.get_by_role("link", name="My actions").first.click()
    expect(page).to_have_title(re.compile("^My actions"))
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"R1\.4")).first.click()
    page.get_by_role("link", name="Update this action").click()
    page.get_by_label("In progress").check()
    page.get_by_label("Progress note").fill("Test extract from the warehouse received")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Your update has been saved.")).to_be_visible()
    expect(page.get_by_text("Test extract from the warehouse received").first).to_be_visible()


def test_a_role_change_that_would_strand_work_lists_it_and_a_closed_action_explains(
    seeded, live_server, page
):
    mark = action_by_ref("R3.2").owner
    browser_sign_in(page, live_server, ADMIN)
    page.goto(f"{live_server.url}/admin/people/{mark.id}/edit")
    page.get_by_label("Committee member").check()
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator("#work-to-reassign")).to_contain_text("Recommendation R3")
    assert_accessible(page)

    action = action_by_ref("R3.10")
    action.withdrawn_reason = "Merged into R3.9"
    db.session.commit()
    page.goto(f"{live_server.url}/actions/{action.id}/update")
    expect(page.get_by_role("heading", name="This action cannot be changed")).to_be_visible()
    assert_accessible(page)
