"""Every page of every role on a phone (issue 14 item 8): at 320 and 375 CSS pixels no page is
wider than the screen, anything that scrolls sideways is a named, focusable region, and axe-core
finds no WCAG 2.2 A/AA violation at 375 pixels.

How the pages are chosen: every GET route in the URL map that answers with a page (not a file,
not the token-only API) is built with ids from the seeded plan and a little extra data that makes
the rarer tables appear (evidence with a long web address, a person with a long email address,
an API token, a deputy, an import). Each role visits all of them and measures what it is shown,
including the 403 page where a role may not go. Forms are measured as they open, two of them
with their errors, and the "check the details" pages after a form is filled in; the import
previews are reached by uploading a file. A last check maps
every page visited back to its route and fails if a page route was never shown to anyone, so a
new page is measured from the day it is added (add its id to `_ids` if it needs a new one).

Decisions, to keep the run short on a shared machine:
- SQLite only. The layout of a page does not depend on the database that filled it, and every
  page here is already rendered on both backends by the other tests; running this sweep twice
  would double its minutes for nothing.
- One browser for the whole test; one context (one sign-in) per role and width.
- axe-core runs once per page at 375 pixels (its rules about reflow do not change between 320
  and 375; the width check runs at both).

Runtime on the 2-core development machine, shared with other work: 2.5 to 4.5 minutes for the
sweep (352 page views, 176 of them with axe), by load; 6 seconds for the other tests here.
"""

import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.conftest import WCAG_TAGS, browser_sign_in
from tracker.api.tokens import issue_token
from tracker.auth.account_tokens import RESET
from tracker.auth.account_tokens import issue_token as issue_account_link
from tracker.evidence.service import add_link, add_note
from tracker.extensions import db
from tracker.models import (
    Action,
    CommitteeMeeting,
    Deputy,
    ImportRecord,
    IndicatorTarget,
    IndicatorValue,
    InspectionEvent,
    Plan,
    Recommendation,
    User,
)
from tracker.permissions import Permission, declared_permission

pytestmark = pytest.mark.browser
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

WIDTHS = (320, 375)
AXE_WIDTH = 375
ROLES = {
    "admin": "laura.pickering@example.org",
    "plan lead (head of service)": "catherine.holloway@example.org",
    "action owner": "mark.ellison@example.org",
    "committee member": "margaret.fenwick@example.org",
}
OWNER = ROLES["action owner"]
LONG_URL = (
    "https://intranet.example.org/performance/children-and-safeguarding/dashboards/"
    "caseload-by-team-and-social-worker?period=2016-01&team=assessment-and-safeguarding-east"
)
LONG_EMAIL = "safeguarding.partnership.business-support.officer@peterborough-council.example.org"
# Routes that answer with something other than a page: files, downloads, the health check.
# Single sign-on's start and callback redirect to and from the provider; the one page the
# callback can show (a refusal) is measured at 320 px in tests/browser/test_oidc_journey.py.
NOT_PAGES = {
    "static",
    "main.healthz",
    "evidence.download",
    "auth.sign_out",
    "auth.oidc_start",
    "auth.oidc_callback",
}
NOT_PAGE_SUFFIXES = (".csv", ".xlsx", ".pdf", ".docx", ".json")
AXE = Axe()
SEED = Path(__file__).resolve().parents[2] / "seed"

# The element furthest to the right that no scrolling box clips, described for the message.
# Absolutely positioned text escapes a scrolling box that is not its containing block, so it
# counts; text that overflows its own box (an unbreakable address) counts as its element.
WIDEST = """() => {
  const style = (el) => getComputedStyle(el);
  const clipped = (el) => {
    const position = style(el).position;
    if (position === 'fixed') return true;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (style(a).overflowX !== 'visible'
          && (position !== 'absolute' || style(a).position !== 'static')) return true;
    }
    return false;
  };
  let widest = null, right = 0, how = '';
  const consider = (el, edge, kind) => {
    if (edge > right + 0.5 && !clipped(el)) { right = edge; widest = el; how = kind; }
  };
  for (const el of document.body.querySelectorAll('*')) {
    consider(el, el.getBoundingClientRect().right, '');
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    range.selectNodeContents(node);
    consider(node.parentElement, range.getBoundingClientRect().right, ', its text overflows');
  }
  if (!widest) return 'none found';
  let name = widest.tagName.toLowerCase() + (widest.id ? '#' + widest.id : '');
  if (typeof widest.className === 'string' && widest.className.trim())
    name += '.' + widest.className.trim().split(/\\s+/).join('.');
  const table = widest.closest('table');
  const caption = table && table.caption ? ` in table "${table.caption.textContent.trim()}"` : '';
  const text = (widest.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 80);
  return `${name} (right edge ${Math.round(right)}px${how})${caption}: "${text}"`;
}"""

# Every box that scrolls sideways must be reachable by keyboard and say what it holds.
UNNAMED_SCROLLERS = """() => {
  const bad = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (['TEXTAREA', 'INPUT', 'SELECT'].includes(el.tagName)) continue;
    if (!['auto', 'scroll'].includes(getComputedStyle(el).overflowX)) continue;
    if (el.scrollWidth <= el.clientWidth + 1) continue;
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const label = (el.getAttribute('aria-label')
      || ids.map((id) => document.getElementById(id)?.textContent || '').join(' ')).trim();
    if (el.tabIndex < 0 || el.getAttribute('role') !== 'region' || !label)
      bad.push(el.outerHTML.slice(0, 120));
  }
  return bad;
}"""


@dataclass
class Sweep:
    problems: list[str] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)  # paths that answered 200 to someone
    pages: int = 0
    axe_runs: int = 0


def _person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _action(reference: str) -> Action:
    return db.session.scalar(select(Action).where(Action.reference == reference))


def _add_what_the_seed_lacks() -> dict:
    """Rows real use has and the seed does not, so every table and the long strings are drawn:
    evidence with a long web address, a person with a long email address, a deputy, an API
    token, an import record and a set-password link."""
    admin, owner = _person(ROLES["admin"]), _person(OWNER)
    action = _action("R2.1")  # owned by the action owner
    link = add_link(action, "Caseload dashboard for January", LONG_URL, owner)
    add_note(action, "Supervision audit", "Every case file in the team was checked.", owner)
    newcomer = User(
        email=LONG_EMAIL,
        name="Alexandra Montgomery-Fotheringham",
        job_title="Safeguarding Children Partnership Business Support Officer",
        role="head_of_service",
        active=True,
    )
    db.session.add(newcomer)
    lead = _person(ROLES["plan lead (head of service)"])
    db.session.add(
        Deputy(person=owner, deputy=lead, starts_on=date(2016, 3, 7), ends_on=date(2016, 4, 1))
    )
    plan = db.session.scalar(select(Plan))
    record = ImportRecord(
        kind="action_plan",
        filename="ofsted-action-plan-january-2016-final-version.xlsx",
        sha256="0" * 64,
        plan_id=plan.id,
        imported_by=admin,
        rows_added=3,
    )
    db.session.add(record)
    token = issue_token("Data warehouse nightly load", admin, ["figures:write"], 90, admin).token
    db.session.flush()
    set_password_link = issue_account_link(newcomer, RESET)
    db.session.commit()
    return {
        "plan": plan,
        "evidence_id": link.id,
        "token_id": token.id,
        "record_id": record.id,
        "user_id": newcomer.id,
        "token": set_password_link,
    }


def _ids(extra: dict) -> dict:
    """A value for every URL argument a page route takes."""
    plan = extra["plan"]
    code = "CSC-10"  # a rate with a chart, published comparisons and several tables
    indicator = IndicatorValue.indicator.has(code=code)
    recommendation = db.session.scalar(
        select(Recommendation).where(Recommendation.reference == "R2")
    )
    return {
        "plan_id": plan.id,
        "action_id": _action("R2.1").id,
        "rec_id": recommendation.id,
        "recommendation_id": recommendation.id,
        "code": code,
        "value_id": db.session.scalar(select(IndicatorValue.id).where(indicator)),
        "target_id": db.session.scalar(
            select(IndicatorTarget.id).where(IndicatorTarget.indicator.has(code=code))
        ),
        "event_id": db.session.scalar(select(InspectionEvent.id)),
        "meeting_id": db.session.scalar(
            select(CommitteeMeeting.id).order_by(CommitteeMeeting.meeting_on.desc())
        ),
        **{key: extra[key] for key in ("evidence_id", "token_id", "record_id", "user_id", "token")},
    }


def _page_rules(app):
    """The GET routes that answer with a page."""
    for rule in app.url_map.iter_rules():
        permission = declared_permission(app, rule.endpoint)
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if permission is Permission.API_TOKEN or rule.rule.endswith(NOT_PAGE_SUFFIXES):
            continue
        yield rule, permission


def _paths(app, ids: dict) -> tuple[list[str], list[str]]:
    """(pages for signed-in people, public pages), built from the URL map. A route whose
    argument has no id here (an upload's random id) is reached by a journey below instead."""
    signed_in, public = [], []
    for rule, permission in _page_rules(app):
        if not rule.arguments <= ids.keys():
            continue
        path = rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]
        (public if permission is Permission.PUBLIC else signed_in).append(path)
    plan_id = ids["plan_id"]
    signed_in += [
        f"/plans/{plan_id}/summary?since=2015-11-16",  # changes since the November meeting
        "/indicators/CSC-14",  # a caveated figure
        "/plans/99999",  # page not found
    ]
    return sorted(signed_in), sorted(public)


# --- Journeys: pages reached by sending a form, not by a link ---------------------------------


@dataclass
class Trip:
    """What a journey needs: the live server, the seeded ids, files to upload."""

    server: object
    ids: dict
    files: Path

    @property
    def base(self) -> str:
        return self.server.url


def _upload(page, button: str, path: Path) -> None:
    page.get_by_label("Upload a file").set_input_files(str(path))
    page.get_by_role("button", name=button).click()


def _indicator_import_preview(page, trip: Trip, measure) -> None:
    page.goto(f"{trip.base}/indicators/import")
    _upload(page, "Upload and check", trip.files / "figures-february-2016.csv")
    page.wait_for_url(re.compile(r"/indicators/import/[0-9a-f]{32}$"))
    measure("indicator import preview")


def _benchmark_import_preview(page, trip: Trip, measure) -> None:
    page.goto(f"{trip.base}/benchmarks/import")
    page.get_by_label("Published statistics").check()
    _upload(page, "Upload and check", SEED / "dfe-children-looked-after-rates.csv")
    page.wait_for_url(re.compile(r"/benchmarks/import/[0-9a-f]{32}$"))
    measure("published statistics import preview")


def _plan_import_preview(page, trip: Trip, measure) -> None:
    page.goto(f"{trip.base}/admin/plans/{trip.ids['plan_id']}/import")
    _upload(page, "Check the file", trip.files / "action-plan.csv")
    expect(page.get_by_role("table", name="New actions")).to_be_visible()
    measure("action plan import preview")


def _new_person(page, trip: Trip, measure) -> None:
    page.goto(f"{trip.base}/admin/people/new")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    measure("add a person, with errors")
    page.get_by_label("Full name").fill("Bartholomew Featherstonehaugh-Cholmondeley")
    page.get_by_label("Email address").fill("b." + LONG_EMAIL)
    page.get_by_label("Job title").fill("Interim Deputy Head of Service for Children in Care")
    page.get_by_label("Head of service").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile("/admin/people/new/check$"))
    measure("add a person: check the details")


def _new_plan(page, trip: Trip, measure) -> None:
    page.goto(f"{trip.base}/admin/plans/new")
    page.get_by_label("Plan title").fill("Joint targeted area inspection 2016: improvement plan")
    page.get_by_label("Inspectorate").fill("Ofsted, CQC, HMICFRS and HMI Probation")
    page.get_by_label("Type of inspection").fill("Joint targeted area inspection")
    page.get_by_label("Day", exact=True).fill("12")
    page.get_by_label("Month", exact=True).fill("1")
    page.get_by_label("Year", exact=True).fill("2016")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile("/admin/plans/new/check$"))
    measure("create a plan: check the details")


def _evidence_link_with_errors(page, trip: Trip, measure) -> None:
    page.goto(f"{trip.base}/actions/{trip.ids['action_id']}/evidence/link")
    page.get_by_label("Title").fill("Dashboard")
    page.get_by_label("Web address").fill(LONG_URL.removeprefix("https://"))
    page.get_by_role("button", name="Add link").click()
    expect(page).to_have_title(re.compile("^Error: "))
    measure("add a link, with errors")


JOURNEYS = {
    "admin": [
        _indicator_import_preview,
        _benchmark_import_preview,
        _plan_import_preview,
        _new_person,
        _new_plan,
    ],
    "action owner": [_evidence_link_with_errors],
}


def _write_upload_files(folder: Path) -> Path:
    (folder / "figures-february-2016.csv").write_text(
        "Indicator code,Period,Basis,Value,Provisional,Data quality note\r\n"
        "CSC-15,Feb-16,month,95.3%,yes,Awaiting the health provider's return for the month; "
        f"see {LONG_URL}\r\n",
        encoding="utf-8",
    )
    (folder / "action-plan.csv").write_text(
        "Recommendation reference,Recommendation text,Lead email,Action reference,Action text,"
        "Owner email,Due date,Status,Latest note\r\n"
        "R12,Make sure that every child's plan is reviewed on time.,"
        f"catherine.holloway@example.org,R12.1,Audit review timeliness,{LONG_EMAIL},"
        "30/06/2016,Not started,\r\n",
        encoding="utf-8",
    )
    return folder


# --- Measuring a page ---------------------------------------------------------------------------


def _measure(page, where: str, width: int, sweep: Sweep) -> None:
    sweep.pages += 1
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert inner_width == width  # the context really is a phone-width screen
    if scroll_width > inner_width:
        sweep.problems.append(
            f"{where}: the page is {scroll_width}px wide on a {inner_width}px screen; "
            f"widest element: {page.evaluate(WIDEST)}"
        )
    for scroller in page.evaluate(UNNAMED_SCROLLERS):
        sweep.problems.append(
            f"{where}: scrolls sideways but is not a named, focusable region: {scroller}"
        )
    if width == AXE_WIDTH:
        sweep.axe_runs += 1
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        for violation in results.response["violations"]:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            sweep.problems.append(
                f"{where}: axe {violation['id']}: {violation['help']} ({targets})"
            )


def _visit(browser, who: str, email: str | None, width: int, paths, trip: Trip, sweep: Sweep):
    """One context (one sign-in) for a role at a width: every page, then the role's journeys."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    if email:
        browser_sign_in(page, trip.server, email)
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    errors_seen = set()
    for path in paths:
        status = page.goto(trip.base + path).status
        if status == 200:
            sweep.shown.update({urlsplit(path).path, urlsplit(page.url).path})
        elif status in errors_seen:
            continue  # the same error page again
        else:
            errors_seen.add(status)
        _measure(page, f"{who} at {width}px, {path} ({status})", width, sweep)

    def measure(step: str) -> None:
        sweep.shown.add(urlsplit(page.url).path)
        _measure(page, f"{who} at {width}px, {step}", width, sweep)

    for journey in JOURNEYS.get(who, []):
        journey(page, trip, measure)
    context.close()


def _unshown_routes(app, shown: set[str]) -> list[str]:
    adapter = app.url_map.bind("localhost")
    endpoints = set()
    for path in shown:
        try:
            endpoints.add(adapter.match(path, method="GET")[0])
        except (HTTPException, RequestRedirect):
            continue
    return sorted(
        f"{rule.rule} ({rule.endpoint})"
        for rule, _ in _page_rules(app)
        if rule.endpoint not in endpoints
    )


@sqlite_only
def test_every_page_of_every_role_fits_a_phone_screen(
    seeded, as_at, live_server, browser, tmp_path
):
    as_at(date(2016, 3, 14))
    extra = _add_what_the_seed_lacks()
    ids = _ids(extra)
    signed_in, public = _paths(seeded, ids)
    trip = Trip(server=live_server, ids=ids, files=_write_upload_files(tmp_path))
    sweep = Sweep()
    started = time.monotonic()

    for width in WIDTHS:
        _visit(browser, "anonymous", None, width, public, trip, sweep)
        for who, email in ROLES.items():
            _visit(browser, who, email, width, signed_in, trip, sweep)

    unshown = _unshown_routes(seeded, sweep.shown)
    assert not unshown, (
        "no role was shown these pages (give their URL arguments ids in _ids, or reach them "
        f"in a journey): {unshown}"
    )
    assert not sweep.problems, "\n".join(sweep.problems)
    print(f"{sweep.pages} page views, {sweep.axe_runs} with axe, {time.monotonic() - started:.0f}s")


@sqlite_only
def test_my_actions_stacks_its_rows_on_a_phone_and_keeps_its_columns_on_a_laptop(
    seeded, as_at, live_server, browser
):
    as_at(date(2016, 3, 14))
    for width, stacked in [(320, True), (1024, False)]:
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        browser_sign_in(page, live_server, OWNER)
        table = page.get_by_role("table", name=re.compile("^Overdue: "))
        row = table.get_by_role("row", name=re.compile("^R3.3: "))
        rating = row.locator(".app-rag")
        expect(rating).to_be_visible()
        right_edge = rating.bounding_box()["x"] + rating.bounding_box()["width"]
        assert right_edge <= width, f"the rating is off-screen at {width}px"
        label = row.get_by_text("Rating", exact=True)
        column_header = table.get_by_role("columnheader", name="Rating")
        if stacked:  # each value named beside it; the headers stay for screen readers
            expect(label).to_be_visible()
            expect(column_header).to_have_count(1)
            assert row.bounding_box()["width"] <= width
        else:
            expect(label).to_be_hidden()
            expect(column_header).to_be_visible()
        context.close()


@sqlite_only
def test_a_wide_table_scrolls_in_a_named_region_a_keyboard_can_reach(
    seeded, as_at, live_server, browser
):
    as_at(date(2016, 3, 14))
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    browser_sign_in(page, live_server, ROLES["admin"])
    page.goto(f"{live_server.url}/admin/people")
    region = page.get_by_role("region", name="Everyone with an account")
    expect(region.get_by_role("table", name="Everyone with an account")).to_be_visible()
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # it does scroll here

    page.locator("h1").click()  # start tabbing from the heading
    for _ in range(40):
        page.keyboard.press("Tab")
        if region.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the scrolling table")
    ring = region.evaluate("el => getComputedStyle(el).boxShadow")
    assert ring != "none", "the focused region shows no focus indicator"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_the_width_check_names_what_makes_a_page_too_wide(page):
    page.set_viewport_size({"width": 320, "height": 600})
    address = "https://intranet.example.org/" + "averylongpathsegment" * 5
    page.set_content(f"<html><body><main><p id='long'>{address}</p></main></body></html>")
    assert page.evaluate("document.documentElement.scrollWidth") > 320
    found = page.evaluate(WIDEST)
    assert found.startswith("p#long") and "its text overflows" in found

    page.set_content(
        "<html><body><div style='overflow-x:auto'><table><tr><td>"
        "<span style='position:absolute;left:900px'>hidden text</span></td></tr></table></div>"
    )
    assert page.evaluate(WIDEST).startswith("span")
    assert page.evaluate(UNNAMED_SCROLLERS) == []  # the div itself does not scroll
    page.set_content("<div style='overflow-x:auto'><p style='width:900px'>wide</p></div>")
    assert len(page.evaluate(UNNAMED_SCROLLERS)) == 1
