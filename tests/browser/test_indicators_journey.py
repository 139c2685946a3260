"""The performance officer imports a month's figures through the web, confirms, and sees the new
month on the indicator's chart and table and on the linked recommendation. Every indicator page
visited is checked with axe-core (WCAG 2.2 AA)."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_sign_in

pytestmark = pytest.mark.browser

PERFORMANCE = "rachel.booth@example.org"


def test_performance_officer_imports_february_and_sees_it_everywhere(
    seeded, live_server, page, tmp_path
):
    browser_sign_in(page, live_server, PERFORMANCE)
    page.get_by_role("link", name="Indicators", exact=True).first.click()
    expect(page.get_by_role("heading", name="Performance indicators")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Import figures").click()
    expect(page.get_by_role("heading", name="Import indicator figures")).to_be_visible()
    assert_accessible(page)

    figures = tmp_path / "february-2016.csv"
    figures.write_text(
        "\ufeffIndicator code,Period,Basis,Value,Provisional,Data quality note\r\n"
        "CSC-15,Feb-16,month,95.3%,yes,Awaiting the health provider's return\r\n",
        encoding="utf-8",
    )
    page.get_by_label("Upload a file").set_input_files(str(figures))
    page.get_by_role("button", name="Upload and check").click()
    expect(
        page.get_by_role("heading", name="Check the figures in february-2016.csv")
    ).to_be_visible()
    expect(page.get_by_role("table", name="Figures to add")).to_contain_text("CSC-15")
    assert_accessible(page)

    page.get_by_role("button", name="Import these figures").click()
    expect(page.get_by_text("Imported february-2016.csv: 1 added, 0 changed")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/indicators/CSC-15")
    chart = page.get_by_role("img", name=re.compile(r"^CSC-15: Children looked after 12 months"))
    expect(chart).to_be_visible()
    description = page.locator("#indicator-chart-desc").text_content()
    assert "to February 2016" in description
    assert "Latest, February 2016: 95.3% against a 95% target: above target, green" in description
    figures_table = page.get_by_role("table", name=re.compile("^Figures for CSC-15"))
    first_row = figures_table.locator("tbody tr").first
    expect(first_row).to_contain_text("February 2016")
    expect(first_row).to_contain_text("95.3% against a 95% target")
    expect(first_row).to_contain_text("Awaiting the health provider's return")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^R6: ")).click()
    indicators = page.get_by_role("table", name=re.compile("Indicators"))
    row = indicators.get_by_role("row", name=re.compile("CSC-15"))
    expect(row).to_contain_text("February 2016")
    expect(row).to_contain_text("95.3% against a 95% target: above target, green")
    expect(row).to_contain_text("Provisional")


def test_every_indicator_management_page_is_accessible(seeded, live_server, page, tmp_path):
    browser_sign_in(page, live_server, PERFORMANCE)
    for path in [
        "/indicators/new",
        "/indicators/CSC-08/edit",
        "/indicators/CSC-08/targets/new",
        "/indicators/CSC-10/targets/new",
        "/indicators/CSC-08/values/new",
        "/indicators/CSC-08/links",
        "/indicators/CSC-10",
        "/indicators/CSC-14",
    ]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)

    # A form with errors: the summary links to the fields and keeps what was typed.
    page.goto(f"{live_server.url}/indicators/CSC-08/values/new")
    page.get_by_role("textbox", name="Month").fill("Febtember")
    page.get_by_role("textbox", name="Figure").fill("101")
    page.get_by_role("button", name="Save figure").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("is not a month like")
    expect(page.get_by_role("textbox", name="Month")).to_have_value("Febtember")
    assert_accessible(page)

    # Correct a figure, then read its history.
    page.goto(f"{live_server.url}/indicators/CSC-08")
    page.get_by_role("link", name="Change the January 2016 month figure").click()
    assert_accessible(page)
    page.get_by_role("textbox", name="Figure").fill("99.5")
    page.get_by_role("button", name="Save figure").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.get_by_text("From 100% to 99.5%")).to_be_visible()
    assert_accessible(page)

    # An import with errors.
    bad = tmp_path / "bad.csv"
    bad.write_text("Indicator code,Period,Value\nCSC-99,2016-02,10\n", encoding="utf-8")
    page.goto(f"{live_server.url}/indicators/import")
    page.get_by_label("Upload a file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("Line 2: There is no indicator with the code 'CSC-99'")).to_be_visible()
    assert_accessible(page)


def test_the_chart_works_without_javascript_and_prints(seeded, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    browser_sign_in(page, live_server, "margaret.fenwick@example.org")
    page.goto(f"{live_server.url}/indicators/CSC-03")
    chart = page.get_by_role("img", name=re.compile("^CSC-03"))
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 150
    page.emulate_media(media="print")
    expect(chart).to_be_visible()
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.get_by_role("table", name=re.compile("^Figures for CSC-03"))).to_be_visible()
    context.close()
