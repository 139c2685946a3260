"""An admin records a monitoring visit with two findings; a committee member sees them on the
plan's timeline and on the recommendation. Every page is checked with axe."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_sign_in

pytestmark = pytest.mark.browser

PLAN = "Ofsted inspection of children's services in Peterborough 2015: improvement plan"


def _fill_date(page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day", exact=True).fill(day)
    group.get_by_label("Month", exact=True).fill(month)
    group.get_by_label("Year", exact=True).fill(year)


def test_admin_records_a_monitoring_visit_and_a_committee_member_sees_it(
    seeded, live_server, page, browser, as_at
):
    as_at(date(2016, 3, 14))
    browser_sign_in(page, live_server, "laura.pickering@example.org")
    page.goto(f"{live_server.url}/plans")
    page.get_by_role("link", name=PLAN).click()
    assert_accessible(page)
    page.get_by_role("link", name="Record an inspection, visit or review").click()
    expect(page).to_have_title(re.compile("^Record an inspection"))
    assert_accessible(page)

    page.get_by_label("Monitoring visit").check()
    _fill_date(page, "First day on site", "9", "2", "2016")
    _fill_date(page, "Last day on site (optional)", "10", "2", "2016")
    _fill_date(page, "Date the report or letter was received", "1", "2", "2016")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The report or letter cannot have been received before the visit ended"
    )
    assert_accessible(page)
    _fill_date(page, "Date the report or letter was received", "3", "3", "2016")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Monitoring visit, 9 February 2016")).to_be_visible()
    assert_accessible(page)

    for text, refs in [
        ("Progress on chronologies is too slow.", ["R3:"]),
        ("Return interviews are now timely.", ["R5:"]),
    ]:
        page.get_by_role("link", name="Add a finding").click()
        page.get_by_label("Finding").fill(text)
        for ref in refs:
            page.get_by_role("checkbox", name=re.compile("^" + ref)).check()
        assert_accessible(page)
        page.get_by_role("button", name="Add finding").click()
        expect(page.locator("#findings ~ ol")).to_contain_text(text)

    committee = browser.new_page()
    browser_sign_in(committee, live_server, "margaret.fenwick@example.org")
    committee.goto(f"{live_server.url}/plans")
    committee.get_by_role("link", name=PLAN).click()
    timeline = committee.locator(".app-timeline")
    expect(timeline).to_contain_text("9 February 2016: Monitoring visit")
    expect(timeline).to_contain_text("3 March 2016: Monitoring visit")
    expect(timeline).to_contain_text("Report or letter received")
    expect(
        committee.get_by_role("link", name="Record an inspection, visit or review")
    ).to_have_count(0)
    assert_accessible(committee)
    timeline.get_by_role("link", name="Monitoring visit").first.click()
    expect(committee.locator("#findings ~ ol")).to_contain_text(
        "Progress on chronologies is too slow."
    )
    expect(committee.locator("#findings ~ ol")).to_contain_text("Return interviews are now timely.")
    assert_accessible(committee)
    committee.get_by_role("link", name="R3", exact=True).click()
    expect(committee.locator("body")).to_contain_text("Progress on chronologies is too slow.")
    assert_accessible(committee)
    committee.close()
