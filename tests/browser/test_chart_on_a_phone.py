"""Indicator charts on a phone and on a laptop, measured in Chromium: at 375 px (and 320 px) every
piece of chart text is drawn at least 12 px high and the page is no wider than the window; at
every width the latest figure's label crosses no line of the chart (issue 14 items 6 and 8)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_sign_in

pytestmark = pytest.mark.browser

COMMITTEE = "margaret.fenwick@example.org"
# A rate with two benchmark lines (CSC-10), a year-to-date figure with the month figures beside it
# (CSC-05), a target that changed (CSC-08) and a caveated, falling percentage (CSC-14).
INDICATORS = ["CSC-10", "CSC-05", "CSC-08", "CSC-14"]

# The size each visible chart text is drawn at: its font size times the SVG's scale on screen.
DRAWN_TEXT = """() => [...document.querySelectorAll('.app-chart > svg')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .flatMap(svg => {
    const scale = svg.getScreenCTM().a;
    return [...svg.querySelectorAll('text')].map(text => ({
      text: text.textContent.trim(),
      size: parseFloat(getComputedStyle(text).fontSize) * scale,
      height: text.getBoundingClientRect().height,
    }));
  })"""

# Whether the latest figure's label (its real box, getBBox) is crossed by any line of the chart:
# target and benchmark lines and the figures' lines, sampled every unit along each path.
LABEL_CROSSINGS = """() => [...document.querySelectorAll('.app-chart > svg')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => {
    const box = svg.querySelector('.app-chart__label').getBBox();
    const lines = [...svg.querySelectorAll('path[stroke-dasharray], path[stroke-width="3"]')];
    const inside = lines.filter(path => {
      const length = path.getTotalLength();
      for (let at = 0; at <= length; at += 1) {
        const p = path.getPointAtLength(at);
        if (p.x > box.x && p.x < box.x + box.width && p.y > box.y && p.y < box.y + box.height) {
          return true;
        }
      }
      return false;
    });
    return {label: svg.querySelector('.app-chart__label').textContent, crossed: inside.length};
  })"""


@pytest.mark.parametrize("width", [375, 320])
def test_chart_text_stays_readable_on_a_phone(seeded, live_server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    browser_sign_in(page, live_server, COMMITTEE)
    for code in INDICATORS:
        page.goto(f"{live_server.url}/indicators/{code}")
        chart = page.get_by_role("img", name=f"{code}: ", exact=False)
        expect(chart).to_have_count(1)  # only the drawing that fits is shown
        expect(chart).to_be_visible()
        texts = page.evaluate(DRAWN_TEXT)
        assert len(texts) >= 10, code  # ticks, axis titles and the latest figure
        small = [t for t in texts if t["size"] < 12 or t["height"] < 12]
        assert not small, (code, small)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, code
        assert all(c["crossed"] == 0 for c in page.evaluate(LABEL_CROSSINGS)), code
    assert_accessible(page)
    context.close()


def test_on_a_laptop_the_wide_chart_shows_and_its_label_crosses_no_line(
    seeded, live_server, browser
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    browser_sign_in(page, live_server, COMMITTEE)
    for code in INDICATORS:
        page.goto(f"{live_server.url}/indicators/{code}")
        expect(page.locator(".app-chart__wide")).to_be_visible()
        expect(page.locator(".app-chart__narrow")).to_be_hidden()
        assert all(t["size"] >= 12 for t in page.evaluate(DRAWN_TEXT)), code
        assert [c["crossed"] for c in page.evaluate(LABEL_CROSSINGS)] == [0], code
    context.close()
