"""An admin builds a new plan in a real browser: creates it (checking the answers), adds two
recommendations and three actions with owners; the owner then sees them in My actions.
axe-core checks every page visited."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_sign_in

pytestmark = pytest.mark.browser

ADMIN = "laura.pickering@example.org"
OWNER = "daniel.hughes@example.org"
OWNER_OPTION = "Daniel Hughes, Systems and IT Manager"
PLAN = "Focused visit 2026: improvement plan"
ACTIONS = [
    ("R1", "Replace the case management reports with live dashboards", "30"),
    ("R1", "Train team managers to use the dashboards", "31"),
    ("R2", "Publish a data quality report every month", "29"),
]


def _fill_date(page, day: str, month: str, year: str) -> None:
    page.get_by_label("Day", exact=True).fill(day)
    page.get_by_label("Month", exact=True).fill(month)
    page.get_by_label("Year", exact=True).fill(year)


def _add_recommendation(page, title: str, text: str) -> None:
    page.get_by_role("link", name="Add a recommendation").first.click()
    expect(page).to_have_title(re.compile("^" + re.escape("Add a recommendation")))
    assert_accessible(page)
    page.get_by_label("Short title").fill(title)
    page.get_by_label("Recommendation", exact=True).fill(text)
    page.get_by_label("Recommendation lead").select_option(label=OWNER_OPTION)
    page.get_by_role("button", name="Save recommendation").click()
    expect(page).to_have_title(re.compile("^" + re.escape("Manage ")))


def _add_action(page, rec: str, description: str, day: str) -> None:
    page.get_by_role("link", name=f"Add an action to recommendation {rec}").click()
    expect(page).to_have_title(re.compile("^" + re.escape(f"Add an action to {rec}")))
    assert_accessible(page)
    page.get_by_label("What will be done").fill(description)
    page.get_by_label("Action owner").select_option(label=OWNER_OPTION)
    _fill_date(page, day, "12", "2026")
    page.get_by_role("button", name="Save action").click()
    expect(page).to_have_title(re.compile("^" + re.escape("Manage ")))


def test_admin_builds_a_plan_and_the_owner_sees_it_in_my_actions(seeded, live_server, page):
    browser_sign_in(page, live_server, ADMIN)
    page.get_by_role("link", name="Admin", exact=True).click()
    expect(page).to_have_title(re.compile("^" + re.escape("Admin")))
    assert_accessible(page)
    page.get_by_role("link", name="Plans", exact=True).last.click()
    expect(page).to_have_title(re.compile("^" + re.escape("Manage plans")))
    assert_accessible(page)

    page.get_by_role("link", name="Create a plan").click()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()  # nothing filled in
    expect(page).to_have_title(re.compile("^" + re.escape("Error: Create a plan")))
    expect(page.get_by_text("Enter the plan title").first).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Plan title").fill(PLAN)
    page.get_by_label("Inspectorate").fill("Ofsted")
    page.get_by_label("Type of inspection").fill("Focused visit")
    _fill_date(page, "12", "1", "2026")
    page.get_by_label("Plan lead").select_option(
        label="Catherine Holloway, Service Director for Children and Safeguarding"
    )
    page.get_by_label("Committee meeting dates (optional)").fill("16/3/2026\n15/6/2026")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^" + re.escape("Check the plan details")))
    expect(page.get_by_text("16 March 2026, 15 June 2026")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", name="Plan created")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Manage the plan").click()
    assert_accessible(page)
    _add_recommendation(page, "Live data for managers", "Managers should have live data.")
    _add_recommendation(page, "Data quality", "Improve the quality of recorded data.")
    for rec, description, day in ACTIONS:
        _add_action(page, rec, description, day)
    assert_accessible(page)
    for reference in ("R1.1", "R1.2", "R2.1"):
        expect(page.get_by_role("cell", name=reference, exact=True)).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    browser_sign_in(page, live_server, OWNER)
    page.goto(f"{live_server.url}/my-actions")
    expect(page).to_have_title(re.compile("^" + re.escape("My actions")))
    for _, description, _ in ACTIONS:
        expect(page.get_by_role("link", name=description)).to_be_visible()
    # The plan is named once, as a heading over its actions, not in every row (issue 13.17).
    expect(page.get_by_role("heading", name=PLAN, exact=True).first).to_be_visible()
    expect(page.get_by_role("cell", name=PLAN, exact=True)).to_have_count(0)
    assert_accessible(page)


def test_admin_people_and_import_pages_are_accessible(seeded, live_server, page):
    browser_sign_in(page, live_server, ADMIN)
    page.goto(f"{live_server.url}/admin/people")
    assert_accessible(page)
    page.get_by_role("link", name="Gareth Pryce").click()
    assert_accessible(page)
    page.get_by_role("link", name="Deactivate account").click()
    assert_accessible(page)
    page.goto(f"{live_server.url}/admin/people/new")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^" + re.escape("Error: Add a person")))
    assert_accessible(page)
    page.goto(f"{live_server.url}/admin/plans")
    page.get_by_role("link", name="Ofsted inspection of children's services").click()
    page.get_by_role("link", name="Import from a spreadsheet").click()
    assert_accessible(page)
    page.goto(f"{live_server.url}/account")
    assert_accessible(page)
    page.get_by_role("link", name="Change your password").first.click()
    assert_accessible(page)
