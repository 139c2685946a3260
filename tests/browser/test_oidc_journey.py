"""Issue 16 acceptance: a person invited by email signs in through the council's identity
provider (the real oidc-provider) in Chromium and lands on their home page; signing in on a
second device (another browser context) keeps both signed in, and "Sign out of all other
devices" on the second ends the first."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PROVIDER_NAME, assert_accessible
from tests.oidc_support import CALLBACK
from tracker.extensions import db
from tracker.models import User

pytestmark = pytest.mark.browser

LOGIN = "invited@council.example"


@pytest.fixture
def council(app, live_server, oidc_provider, settings):
    """The live tracker, registered with the provider at its own address."""
    oidc_provider.allow_redirects(live_server.url + CALLBACK)
    settings(BASE_URL=live_server.url)
    db.session.add(User(email=LOGIN, name="Sam Invited", role="head_of_service"))
    db.session.commit()
    return live_server


def sign_in_through_provider(page, live_server) -> None:
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    page.locator("input[name=login]").fill("invited")  # the provider's own development form
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # consent, the first time
    expect(page).to_have_url(re.compile("^" + re.escape(live_server.url)))


def test_an_invited_person_signs_in_through_the_provider(council, page):
    page.goto(f"{council.url}/sign-in")
    assert_accessible(page)
    sign_in_through_provider(page, council)
    expect(page).to_have_title(re.compile("^My actions"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_person_nobody_invited_is_told_what_to_do(council, page):
    page.goto(f"{council.url}/sign-in")
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    page.locator("input[name=login]").fill("stranger@council.example")
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^You do not have access to this service"))
    expect(page.get_by_text("Ask an administrator of the tracker to add you")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})  # and it fits a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_signing_in_on_a_second_device_keeps_the_first_signed_in(council, browser):
    first, second = browser.new_context(), browser.new_context()
    try:
        laptop, phone = first.new_page(), second.new_page()
        sign_in_through_provider(laptop, council)
        sign_in_through_provider(phone, council)
        for page in (phone, laptop):
            page.goto(f"{council.url}/my-actions")
            expect(page).to_have_title(re.compile("^My actions"), timeout=5_000)
        phone.goto(f"{council.url}/account")
        expect(phone.get_by_text("Council sign-in").first).to_be_visible()
        phone.get_by_role("button", name="Sign out of all other devices").click()
        expect(phone.locator(".govuk-notification-banner")).to_contain_text(
            "signed out of 1 other device"
        )
        laptop.goto(f"{council.url}/my-actions")
        expect(laptop).to_have_url(re.compile(r"/sign-in"))
        phone.goto(f"{council.url}/my-actions")
        expect(phone).to_have_title(re.compile("^My actions"))
    finally:
        first.close()
        second.close()
