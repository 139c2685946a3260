"""The reminder pages in a real browser: usable without a mouse and accessible (axe-core)."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import _free_port, assert_accessible, browser_sign_in

pytestmark = pytest.mark.browser


def test_a_head_of_service_turns_off_due_soon_reminders(seeded, live_server, page):
    browser_sign_in(page, live_server, "mark.ellison@example.org")
    page.goto(f"{live_server.url}/settings/reminders")
    assert_accessible(page)
    page.get_by_label("Actions due in the next 7 days").uncheck()
    page.get_by_role("button", name="Save reminder settings").click()
    expect(page.get_by_text("Your reminder settings have been saved")).to_be_visible()
    assert not page.get_by_label("Actions due in the next 7 days").is_checked()
    assert page.get_by_label("Actions with no progress update for 30 days").is_checked()
    assert_accessible(page)


def test_an_admin_reads_a_days_reminders_and_tomorrows_preview(
    seeded, live_server, page, monkeypatch
):
    monkeypatch.setitem(seeded.config, "MAIL_PORT", _free_port())  # SMTP down: rows fail
    monkeypatch.setitem(seeded.config, "REMINDER_MAX_ATTEMPTS", 1)
    runner = seeded.test_cli_runner()
    assert runner.invoke(args=["reminders", "send", "--date", "2016-03-28"]).exit_code == 1
    browser_sign_in(page, live_server, "laura.pickering@example.org")
    page.get_by_role("link", name="Reminders").click()
    page.get_by_label("Day", exact=True).fill("28")
    page.get_by_label("Month", exact=True).fill("3")
    page.get_by_label("Year", exact=True).fill("2016")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Monday 28 March 2016")).to_be_visible()
    expect(page.get_by_text("Could not connect to the SMTP server").first).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Day", exact=True).fill("31")
    page.get_by_label("Month", exact=True).fill("2")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_title(re.compile("^" + re.escape("Error: ")))
    assert_accessible(page)

    page.get_by_role("link", name="Preview what tomorrow's run would send").click()
    expect(
        page.get_by_role("heading", name="Preview: what tomorrow's run would send")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Reminders").first.click()
    expect(page.get_by_role("heading", name="Reminders", exact=True)).to_be_visible()
