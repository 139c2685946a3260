"""An admin issues an API token in a real browser, sees it once, and revokes it; the data API's
reference page. axe-core checks every page visited."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_sign_in

pytestmark = pytest.mark.browser

ADMIN = "laura.pickering@example.org"


def test_admin_issues_a_token_sees_it_once_and_revokes_it(seeded, live_server, page):
    browser_sign_in(page, live_server, ADMIN)
    page.goto(f"{live_server.url}/admin")
    page.get_by_role("link", name="API tokens").click()
    expect(page).to_have_title(re.compile("^API tokens"))
    assert_accessible(page)

    page.get_by_role("link", name="Create a token").click()
    expect(page.get_by_label("Days until it expires")).to_have_value("90")
    page.get_by_role("button", name="Create token").click()  # nothing filled in
    expect(page).to_have_title(re.compile("^Error: Create an API token"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the token")
    assert_accessible(page)

    page.get_by_label("Name", exact=True).fill("Power BI dashboard")
    page.get_by_label("Person responsible").select_option(
        label="Rachel Booth, Performance Team Manager"
    )
    page.get_by_role("checkbox", name=re.compile("plans:read")).check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Token created")).to_be_visible()
    secret = page.locator("#api-token-secret").inner_text()
    assert re.fullmatch(r"ipt_[A-Za-z0-9_\-]{43}", secret)
    assert_accessible(page)

    page.get_by_role("link", name="Back to API tokens").click()
    expect(page.locator("main")).to_contain_text("Power BI dashboard")
    expect(page.locator("main")).not_to_contain_text(secret)
    page.get_by_role("link", name="Revoke Power BI dashboard").click()
    expect(page).to_have_title(re.compile("^Revoke Power BI dashboard"))
    assert_accessible(page)
    page.get_by_role("button", name="Revoke token").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is revoked")
    expect(page.locator("main")).to_contain_text("Revoked")


def test_the_api_reference_page_is_readable(seeded, live_server, page):
    page.goto(f"{live_server.url}/api/v1/reference")
    expect(page.get_by_role("heading", name="Data API reference")).to_be_visible()
    expect(page.locator("main")).to_contain_text("POST /api/v1/indicators/figures:batch")
    assert_accessible(page)
