"""A committee member reads the summary, looks at changes since the last meeting, opens a
recommendation and downloads the paper (PDF and Word) and the spreadsheet. Every page is checked
with axe."""

import re
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_sign_in

pytestmark = pytest.mark.browser


def test_committee_member_journey(seeded, live_server, page, as_at, tmp_path):
    as_at(date(2016, 3, 14))
    browser_sign_in(page, live_server, "margaret.fenwick@example.org")
    expect(page).to_have_title(re.compile("^" + re.escape("Summary:")))
    assert_accessible(page)

    page.get_by_label("Show changes since").select_option(value="2015-11-16")
    page.get_by_role("button", name="Apply").click()
    expect(
        page.get_by_role("heading", name="Changes since the meeting of 16 November 2015")
    ).to_be_visible()
    expect(page.locator("body")).to_contain_text("Newly overdue")
    assert_accessible(page)

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="committee paper (PDF)").click()
    pdf_path = tmp_path / "paper.pdf"
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")

    with page.expect_download() as docx_download:
        page.get_by_role("link", name="committee paper (Word)").click()
    docx_path = tmp_path / "paper.docx"
    docx_download.value.save_as(docx_path)
    headings = [p.text for p in Document(docx_path).paragraphs if p.style.name == "Heading 2"]
    assert "Changes since the meeting of 16 November 2015" in headings  # the filters went along

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="spreadsheet (XLSX)").click()
    xlsx_path = tmp_path / "summary.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    assert "Recommendations" in load_workbook(xlsx_path).sheetnames

    page.get_by_role("link", name="R6: Timely initial health assessments").click()
    expect(page).to_have_title(re.compile("^" + re.escape("R6:")))
    expect(page.locator("body")).to_contain_text(
        "Data caveat"
    )  # the initial health assessment figures are wrong
    assert page.get_by_role("link", name="Update this action").count() == 0
    assert_accessible(page)
