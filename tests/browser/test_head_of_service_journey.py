"""The daily journey: an owner updates an overdue action, adds a PDF, completes it; the lead
verifies it; a committee member sees it with no edit controls. Every page is checked with axe."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_sign_in

pytestmark = pytest.mark.browser

OWNER = "gareth.pryce@example.org"
LEAD = "mark.ellison@example.org"
COMMITTEE = "margaret.fenwick@example.org"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {selector} with the Tab key")


def test_owner_updates_uploads_completes_and_lead_verifies(
    seeded, live_server, browser, as_at, tmp_path
):
    as_at(date(2016, 4, 5))
    owner = browser.new_page()
    browser_sign_in(owner, live_server, OWNER)
    expect(owner).to_have_title(re.compile("^" + re.escape("My actions")))
    assert_accessible(owner)

    overdue = owner.locator("h2", has_text="Overdue")
    expect(overdue).to_be_visible()
    owner.get_by_role("link", name="R3.10").click()
    expect(owner.locator("body")).to_contain_text("Overdue by 5 days")
    assert_accessible(owner)

    owner.get_by_role("link", name="Update this action").click()
    assert_accessible(owner)
    # Keyboard only: radios with arrows, text with typing, submit with Enter.
    tab_to(owner, "input[name=status]:checked")
    owner.keyboard.press("ArrowUp")  # In progress -> Not started
    owner.keyboard.press("ArrowDown")  # back to In progress
    tab_to(owner, "#note")
    owner.keyboard.type("Visits now checked weekly by team managers.")
    tab_to(owner, "#new_due_date-day")
    owner.keyboard.type("30")
    owner.keyboard.press("Tab")
    owner.keyboard.type("4")
    owner.keyboard.press("Tab")
    owner.keyboard.type("2016")
    tab_to(owner, "#due_change_reason")
    owner.keyboard.type("The new interim head of service needs April to embed the checks.")
    tab_to(owner, "button[type=submit], input[type=submit]")
    with owner.expect_navigation():
        owner.keyboard.press("Enter")
    expect(owner.locator("body")).to_contain_text("Your update has been saved")
    expect(owner.locator("body")).to_contain_text(
        "Due date moved from 31 March 2016 to 30 April 2016"
    )
    assert_accessible(owner)

    owner.get_by_role("link", name="Add evidence").first.click()
    assert_accessible(owner)
    owner.get_by_role("link", name="Upload a document").click()
    assert_accessible(owner)
    pdf = tmp_path / "visit-audit-march.pdf"
    pdf.write_bytes(PDF)
    owner.get_by_label("Upload a file").set_input_files(str(pdf))
    owner.get_by_label("Title").fill("Visit audit, March 2016")
    owner.get_by_role("button", name="Upload evidence").click()
    history = owner.locator(".app-history")
    assert "Evidence added: Visit audit, March 2016" in history.inner_text()
    expect(owner.get_by_role("link", name="Download visit-audit-march.pdf")).to_be_visible()
    assert_accessible(owner)

    owner.get_by_role("link", name="Update this action").click()
    owner.get_by_label("Completed").check()
    owner.get_by_label("Progress note").fill("All visits in March were within timescale.")
    owner.get_by_role("button", name="Save update").click()
    expect(owner.locator("body")).to_contain_text("Completed, awaiting verification")

    lead = browser.new_page()
    browser_sign_in(lead, live_server, LEAD)
    lead.goto(owner.url)
    lead.get_by_role("link", name="Review Visit audit, March 2016").click()
    assert_accessible(lead)
    lead.get_by_label("Accept it").check()
    lead.get_by_role("button", name="Save review").click()
    expect(lead.locator(".app-rag--blue").first).to_be_visible()
    expect(lead.locator("body")).to_contain_text("Completed and evidence accepted")
    assert_accessible(lead)

    committee = browser.new_page()
    browser_sign_in(committee, live_server, COMMITTEE)
    committee.goto(owner.url)
    expect(committee.locator("body")).to_contain_text("Visit audit, March 2016")
    for control in ["Update this action", "Add evidence", "Review"]:
        assert committee.get_by_role("link", name=control).count() == 0
    assert committee.get_by_role("link", name="Download visit-audit-march.pdf").count() == 0
    assert_accessible(committee)


def test_stale_save_message_is_accessible(seeded, live_server, browser):
    first = browser.new_page()
    second = browser.new_page()
    browser_sign_in(first, live_server, OWNER)
    browser_sign_in(second, live_server, "laura.pickering@example.org")
    first.goto(f"{live_server.url}/my-actions")
    first.get_by_role("link", name="R3.10").click()
    url = first.url + "/update"
    first.goto(url)
    second.goto(url)
    second.get_by_label("Blocked").check()
    second.get_by_label("Progress note").fill("Waiting for the data feed.")
    second.get_by_role("button", name="Save update").click()
    first.get_by_label("Progress note").fill("My note survives.")
    first.get_by_role("button", name="Save update").click()
    expect(first.locator("body")).to_contain_text("Your update has not been saved")
    assert first.get_by_label("Progress note").input_value() == "My note survives."
    expect(first).to_have_title(re.compile("^" + re.escape("Error:")))
    assert_accessible(first)
