"""An admin in production mode is taken to set up two-factor authentication before anything
else, scans (reads) the key, confirms with a code, keeps the recovery codes, then signs in again
with a code from the app; a second browser stays signed in until "Sign out of all other
devices". axe-core checks the pages on the way."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_sign_in

pytestmark = pytest.mark.browser

ADMIN = "laura.pickering@example.org"


def steady_step() -> int:
    left = 30 - time.time() % 30
    if left < 8:
        time.sleep(left + 0.2)
    return int(time.time() // 30)


def test_an_admin_sets_up_two_factor_first_and_signs_in_with_a_code(
    seeded, live_server, settings, browser
):
    settings(REQUIRE_2FA_FOR_ADMINS=True)
    laptop = browser.new_context().new_page()
    browser_sign_in(laptop, live_server, ADMIN)
    expect(laptop).to_have_url(f"{live_server.url}/account/two-factor/set-up")
    expect(laptop.locator("main")).to_contain_text("required for your account")
    expect(laptop.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(laptop)

    laptop.goto(f"{live_server.url}/plans")  # nothing else until it is set up
    expect(laptop).to_have_url(f"{live_server.url}/account/two-factor/set-up")

    secret = laptop.get_by_test_id("totp-key").inner_text().replace(" ", "")
    step = steady_step()
    laptop.get_by_label("Code from your authenticator app").fill("000000")
    laptop.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(laptop.locator(".govuk-error-summary")).to_contain_text("Enter the code")
    secret = laptop.get_by_test_id("totp-key").inner_text().replace(" ", "")
    laptop.get_by_label("Code from your authenticator app").fill(
        pyotp.TOTP(secret).generate_otp(step)
    )
    laptop.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(laptop.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = laptop.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(8)
    assert_accessible(laptop)
    laptop.get_by_role("link", name="I have kept my recovery codes").click()
    expect(laptop).to_have_url(f"{live_server.url}/account")

    phone = browser.new_context().new_page()
    browser_sign_in(phone, live_server, ADMIN)
    expect(
        phone.get_by_role("heading", name="Enter the code from your authenticator app")
    ).to_be_visible()
    assert_accessible(phone)
    phone.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).generate_otp(step + 1))
    phone.get_by_role("button", name="Continue").click()
    expect(phone).not_to_have_url(re.compile(r"/sign-in"))
    phone.goto(f"{live_server.url}/account")
    sessions = phone.get_by_test_id("sessions")
    expect(sessions.locator("tbody tr")).to_have_count(2)
    expect(sessions).to_contain_text("This device")
    expect(sessions).to_contain_text("Password and authenticator app code")
    assert_accessible(phone)

    laptop.goto(f"{live_server.url}/plans")
    expect(laptop.get_by_role("heading", name=re.compile("plan", re.I)).first).to_be_visible()
    phone.get_by_role("button", name="Sign out of all other devices").click()
    expect(phone.locator(".govuk-notification-banner")).to_contain_text(
        "signed out of 1 other device"
    )
    laptop.goto(f"{live_server.url}/plans")
    expect(laptop).to_have_url(re.compile(r"/sign-in"))
