"""axe-core on the sign-in pages the journeys do not reach: the two-factor settings page, turning
it off (with an error), the recovery-code page (with an error), and a set-password link when
passwords are turned off. Each error links from the GOV.UK error summary to its field."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import assert_accessible, browser_sign_in
from tracker.auth.account_tokens import RESET, issue_token
from tracker.auth.two_factor import new_recovery_codes
from tracker.extensions import db
from tracker.models import User, utcnow

pytestmark = pytest.mark.browser

PERSON = "gareth.pryce@example.org"
ADMIN = "laura.pickering@example.org"


def give_two_factor(email: str) -> None:
    user = db.session.scalar(select(User).where(User.email == email))
    user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    user.totp_enabled_at = utcnow()
    new_recovery_codes(user)
    db.session.commit()


def error_links_to_field(page, field_label: str) -> None:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    summary.get_by_role("link").first.click()
    expect(page.get_by_label(field_label, exact=True)).to_be_focused()


def test_two_factor_pages_are_accessible(seeded, live_server, browser):
    give_two_factor(PERSON)
    page = browser.new_context().new_page()
    browser_sign_in(page, live_server, PERSON)
    expect(
        page.get_by_role("heading", name="Enter the code from your authenticator app")
    ).to_be_visible()
    page.get_by_text("I do not have my phone").click()
    page.get_by_role("link", name="Use one of your recovery codes").click()
    expect(page.get_by_role("heading", name="Enter a recovery code")).to_be_visible()
    page.get_by_label("Recovery code").fill("wrong-codes")
    page.get_by_role("button", name="Continue").click()
    error_links_to_field(page, "Recovery code")
    assert_accessible(page)

    page.goto(f"{live_server.url}/sign-in/code")
    page.get_by_role("button", name="Continue").click()
    error_links_to_field(page, "Code")
    assert_accessible(page)


def test_two_factor_settings_and_turning_off_are_accessible(seeded, live_server, browser):
    page = browser.new_context().new_page()
    browser_sign_in(page, live_server, PERSON)
    page.goto(f"{live_server.url}/account/two-factor")
    expect(
        page.get_by_role("heading", name="Two-factor authentication", exact=True)
    ).to_be_visible()
    assert_accessible(page)
    give_two_factor(PERSON)
    page.goto(f"{live_server.url}/account/two-factor")
    assert_accessible(page)
    page.get_by_role("link", name="Turn off two-factor authentication").click()
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Continue").click()
    error_links_to_field(page, "Your password")
    assert_accessible(page)


def test_a_set_password_link_with_passwords_off_is_accessible(
    seeded, live_server, settings, browser
):
    user = db.session.scalar(select(User).where(User.email == PERSON))
    token = issue_token(user, RESET)
    db.session.commit()
    settings(LOCAL_PASSWORDS=False, BREAK_GLASS_ADMIN=ADMIN, OIDC_PROVIDER_NAME="Tenby Council")
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/set-password/{token}")
    expect(
        page.get_by_role("heading", name="You do not need a password for this service")
    ).to_be_visible()
    assert_accessible(page)
