"""In a real browser (issue 13 acceptance d): a head of service names a deputy for her leave; the
deputy finds the action under "Covering for" in My actions, updates it, and the history says
"on behalf of" the owner. axe-core checks each page."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_sign_in

pytestmark = pytest.mark.browser

OWNER = "gareth.pryce@example.org"  # owns R8.2
DEPUTY = "priya.desai@example.org"


def test_a_deputy_updates_an_action_on_behalf_of_its_owner_during_leave(
    seeded, live_server, page, as_at
):
    as_at(date(2016, 3, 14))
    browser_sign_in(page, live_server, OWNER)
    page.get_by_role("link", name=re.compile("your account")).click()
    page.get_by_role("link", name="Name a deputy").click()
    expect(page).to_have_title(re.compile("^Deputies"))
    assert_accessible(page)
    page.get_by_label("Who will cover for you").select_option(
        label="Priya Desai (Head of Service for Safeguarding and Quality Assurance)"
    )
    first = page.get_by_role("group", name="First day of cover")
    first.get_by_label("Day", exact=True).fill("14")
    first.get_by_label("Month", exact=True).fill("3")
    first.get_by_label("Year", exact=True).fill("2016")
    last = page.get_by_role("group", name="Last day of cover")
    last.get_by_label("Day", exact=True).fill("25")
    last.get_by_label("Month", exact=True).fill("3")
    last.get_by_label("Year", exact=True).fill("2016")
    page.get_by_role("button", name="Name deputy").click()
    expect(page.get_by_text("Priya Desai will cover for you.")).to_be_visible()
    expect(page.get_by_text("Covering now")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    browser_sign_in(page, live_server, DEPUTY)
    page.get_by_role("link", name="My actions").first.click()
    covering = page.get_by_role("heading", name=re.compile("Covering for Gareth Pryce"))
    expect(covering).to_be_visible()
    assert_accessible(page)
    page.get_by_role("table", name=re.compile("Gareth Pryce")).get_by_role(
        "link", name=re.compile(r"R8\.2")
    ).click()
    page.get_by_role("link", name="Update this action").click()
    page.get_by_label("In progress").check()
    page.get_by_label("Progress note").fill("Shortlist agreed while Gareth is on leave")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Your update has been saved.")).to_be_visible()
    expect(page.get_by_text("Priya Desai on behalf of Gareth Pryce").first).to_be_visible()
    expect(page.get_by_text("Shortlist agreed while Gareth is on leave").first).to_be_visible()
    assert_accessible(page)
