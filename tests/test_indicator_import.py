"""Importing monthly figures from real CSV and Excel files: every accepted format, every
rejection, all or nothing, repeat imports, the web preview -> confirm, and the CLI."""

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.conftest import count_queries, csrf_token, sign_in
from tracker.extensions import db
from tracker.indicators.importing import apply_import, plan_import
from tracker.indicators.service import Conflict
from tracker.models import (
    AuditEvent,
    ImportRecord,
    Indicator,
    IndicatorValue,
    IndicatorValueRevision,
    User,
)
from tracker.uow import unit_of_work

PERFORMANCE = "rachel.booth@example.org"
ADMIN = "laura.pickering@example.org"
HEADER = ["Indicator code", "Period", "Basis", "Value", "Provisional", "Data quality note"]


def csv_bytes(rows, header=HEADER, bom=False, delimiter=",") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(str(c) for c in row) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def xlsx_bytes(rows, header=HEADER, formats: dict | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for (row, column), number_format in (formats or {}).items():
        sheet.cell(row=row, column=column).number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def value_of(code: str, period: date, basis: str = "month") -> IndicatorValue | None:
    return db.session.scalar(
        select(IndicatorValue)
        .join(IndicatorValue.indicator)
        .where(
            Indicator.code == code, IndicatorValue.period == period, IndicatorValue.basis == basis
        )
    )


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(IndicatorValue.id))),
        db.session.scalar(select(func.count(IndicatorValueRevision.id))),
        db.session.scalar(select(func.count(ImportRecord.id))),
    )


def officer() -> User:
    return db.session.scalar(select(User).where(User.email == PERFORMANCE))


def run_import(data: bytes, filename: str):
    plan = plan_import(data, filename)
    assert plan.errors == [], [str(e) for e in plan.errors]
    with unit_of_work():
        record = apply_import(plan, officer())
    return plan, record


def messages(data: bytes, filename: str = "figures.csv") -> list[str]:
    return [str(e) for e in plan_import(data, filename).errors]


# --- Accepted formats ----------------------------------------------------------------------


def test_csv_with_bom_and_each_period_and_percentage_format(seeded):
    rows = [
        ["CSC-15", "2016-02", "month", "95.2", "no", ""],
        ["CSC-05", "Feb-16", "", "97.5%", "yes", "Awaiting sign-off"],
        ["CSC-05", "01/02/2016", "year to date", "93.1", "", ""],
        ["CSC-02", "February 2016", "rolling 12 months", "741", "", ""],
        ["wf-02", "2016-02-01", "Month", "1.2%", "N", ""],
    ]
    plan, record = run_import(csv_bytes(rows, bom=True), "february.csv")
    assert [len(plan.to_add), len(plan.to_change), len(plan.unchanged)] == [5, 0, 0]
    assert value_of("CSC-15", date(2016, 2, 1)).value == 95.2
    month = value_of("CSC-05", date(2016, 2, 1))
    assert (month.value, month.provisional, month.data_quality_note) == (
        97.5,
        True,
        "Awaiting sign-off",
    )
    assert value_of("CSC-05", date(2016, 2, 1), "ytd").value == 93.1
    assert value_of("CSC-02", date(2016, 2, 1), "rolling_12").value == 741
    assert value_of("WF-02", date(2016, 2, 1)).value == 1.2
    assert (record.rows_added, record.rows_changed, record.rows_unchanged) == (5, 0, 0)
    assert record.filename == "february.csv" and record.imported_by.email == PERFORMANCE
    assert len(record.sha256) == 64


def test_csv_without_bom_semicolons_and_only_the_required_columns(seeded):
    data = csv_bytes(
        [["CSC-08", "Feb-16", "100"]], header=["Code", "Month", "Value"], delimiter=";"
    )
    plan, _ = run_import(data, "plain.csv")
    assert len(plan.to_add) == 1
    assert value_of("CSC-08", date(2016, 2, 1)).value == 100


def test_xlsx_with_real_dates_percent_cells_and_text_periods(seeded):
    rows = [
        ["CSC-15", datetime(2016, 2, 1), "month", 95.4, "no", None],
        ["CSC-05", "Feb-16", "month", 0.9836, "yes", "Provisional until audit"],
        ["CSC-18", "2016-02", None, 4, None, None],
    ]
    data = xlsx_bytes(rows, formats={(3, 4): "0.00%"})
    plan, record = run_import(data, "february.xlsx")
    assert plan.kind == "xlsx"
    assert value_of("CSC-15", date(2016, 2, 1)).value == 95.4
    assert value_of("CSC-05", date(2016, 2, 1)).value == pytest.approx(98.36)
    assert value_of("CSC-18", date(2016, 2, 1)).value == 4
    assert record.rows_added == 3


def test_xlsx_percent_strings_and_excel_dates_on_other_days(seeded):
    data = xlsx_bytes([["csc-15", datetime(2016, 2, 29), "", "95.7%", "", ""]])
    run_import(data, "leap.xlsx")
    assert value_of("CSC-15", date(2016, 2, 1)).value == 95.7


# --- Changes, repeats and history --------------------------------------------------------


def test_the_same_file_twice_changes_nothing_the_second_time(seeded):
    data = csv_bytes([["CSC-15", "2016-02", "month", "95.2", "no", ""]])
    run_import(data, "once.csv")
    before = counts()
    plan, record = run_import(data, "once.csv")
    assert (len(plan.to_add), len(plan.to_change), len(plan.unchanged)) == (0, 0, 1)
    assert (record.rows_added, record.rows_changed, record.rows_unchanged) == (0, 0, 1)
    after = counts()
    assert after[:2] == before[:2]  # no value, no revision
    assert after[2] == before[2] + 1  # but the import itself is recorded


def test_a_changed_figure_is_corrected_with_its_previous_value_kept(seeded):
    data = csv_bytes([["CSC-15", "2016-01", "month", "94.8", "no", ""]])
    plan, record = run_import(data, "correction.csv")
    assert len(plan.to_change) == 1 and plan.to_change[0].shown_before == "94.6%"
    value = value_of("CSC-15", date(2016, 1, 1))
    assert value.value == 94.8 and value.quoted is False
    assert "correction.csv" in value.source
    revision = db.session.scalar(select(IndicatorValueRevision))
    assert revision.previous_value == 94.6 and revision.changed_by_id == officer().id
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.event == "indicator_values.imported")
    )
    assert event.after["changed"] == 1
    assert event.after["changes"][0] == {
        "action": "change",
        "line": 2,
        "indicator": "CSC-15",
        "period": "2016-01",
        "basis": "month",
        "before": 94.6,
        "value": 94.8,
    }
    assert record.rows_changed == 1


def test_a_file_without_caveat_columns_keeps_the_stored_caveat(seeded):
    caveat = value_of("CSC-14", date(2016, 1, 1)).data_quality_note
    data = csv_bytes([["CSC-14", "2016-01", "58.3"]], header=["Indicator code", "Period", "Value"])
    plan, _ = run_import(data, "same.csv")
    assert len(plan.unchanged) == 1
    assert value_of("CSC-14", date(2016, 1, 1)).data_quality_note == caveat


def test_a_file_of_new_unchanged_and_corrected_figures_keeps_every_previous_figure(seeded):
    unchanged = value_of("CSC-15", date(2016, 1, 1))
    unchanged_at = unchanged.updated_at
    rows = [
        ["CSC-15", "2016-02", "month", "95.2", "no", ""],  # line 2: new
        ["CSC-15", "2016-01", "month", "94.6", "no", ""],  # 3: as saved
        ["CSC-15", "2015-12", "month", "94.5", "no", ""],  # 4: 94.4 corrected
        ["CSC-14", "2015-12", "month", "87", "no", "Confirmed by local data"],  # 5: confirmed
        ["CSC-08", "2016-01", "month", "99.5", "no", ""],  # 6: a figure the report quoted
        ["CSC-05", "2016-02", "ytd", "93.1", "", ""],  # 7: new
    ]
    data = csv_bytes(rows)
    before = counts()
    plan, record = run_import(data, "mixed.csv")
    assert (len(plan.to_add), len(plan.to_change), len(plan.unchanged)) == (2, 3, 1)
    assert (record.rows_added, record.rows_changed, record.rows_unchanged) == (2, 3, 1)
    assert counts() == (before[0] + 2, before[1] + 3, before[2] + 1)
    db.session.expire_all()

    assert value_of("CSC-15", date(2016, 2, 1)).value == 95.2
    assert value_of("CSC-05", date(2016, 2, 1), "ytd").value == 93.1
    assert value_of("CSC-15", date(2016, 1, 1)).updated_at == unchanged_at
    assert value_of("CSC-15", date(2015, 12, 1)).value == 94.5
    confirmed = value_of("CSC-14", date(2015, 12, 1))
    assert (confirmed.value, confirmed.provisional) == (87, False)
    assert confirmed.data_quality_note == "Confirmed by local data"
    # Same figure, so still the one the report quoted, from the same source.
    assert confirmed.quoted and confirmed.source.startswith("§4.48")
    corrected = value_of("CSC-08", date(2016, 1, 1))
    assert (corrected.value, corrected.quoted) == (99.5, False)
    assert corrected.source.startswith("Imported from mixed.csv on ")

    previous = {
        (r.indicator_value.indicator.code, r.indicator_value.period): r
        for r in db.session.scalars(select(IndicatorValueRevision))
    }
    assert sorted(previous) == [
        ("CSC-08", date(2016, 1, 1)),
        ("CSC-14", date(2015, 12, 1)),
        ("CSC-15", date(2015, 12, 1)),
    ]
    assert previous["CSC-15", date(2015, 12, 1)].previous_value == 94.4
    was_provisional = previous["CSC-14", date(2015, 12, 1)]
    assert (was_provisional.previous_value, was_provisional.previous_provisional) == (87, True)
    assert "subject to final confirmation" in was_provisional.previous_data_quality_note
    assert previous["CSC-08", date(2016, 1, 1)].previous_value == 100
    assert {r.changed_by_id for r in previous.values()} == {officer().id}

    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.event == "indicator_values.imported")
    )
    assert [(c["line"], c["action"], c["before"]) for c in event.after["changes"]] == [
        (2, "add", None),
        (4, "change", 94.4),
        (5, "change", 87),
        (6, "change", 100),
        (7, "add", None),
    ]

    again, record = run_import(data, "mixed.csv")
    assert (record.rows_added, record.rows_changed, record.rows_unchanged) == (0, 0, 6)
    assert counts() == (before[0] + 2, before[1] + 3, before[2] + 2)


def test_an_import_makes_as_many_sql_statements_for_many_rows_as_for_a_few(seeded):
    """New figures go in with one bulk INSERT, corrections with one bulk UPDATE."""

    def statements_for(rows: list) -> int:
        with count_queries() as statements:
            run_import(csv_bytes(rows), "figures.csv")
        return len(statements)

    few = [
        ["CSC-15", "2014-01", "month", "90", "no", ""],
        ["CSC-15", "2015-02", "month", "91.3", "no", ""],
    ]
    many = [["CSC-15", f"2014-{m:02d}", "month", "90", "no", ""] for m in range(2, 13)]
    many += [["CSC-15", f"2015-{m:02d}", "month", "90.5", "no", ""] for m in range(3, 13)]
    assert statements_for(few) == statements_for(many)
    assert db.session.scalar(select(func.count(IndicatorValueRevision.id))) == 11


# --- Rejections ------------------------------------------------------------------------------


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(seeded):
    rows = [
        ["CSC-15", "2016-02", "month", "95.2", "no", ""],  # line 2: fine
        ["CSC-99", "2016-02", "month", "50", "no", ""],  # 3: unknown code
        ["CSC-15", "Feb-16", "month", "95.3", "no", ""],  # 4: duplicates line 2
        ["CSC-05", "2016-02", "month", "lots", "no", ""],  # 5: not a number
        ["CSC-05", "2016-03", "month", "101", "no", ""],  # 6: percentage over 100
        ["CSC-18", "2016-02", "month", "-2", "no", ""],  # 7: negative count
        ["CSC-08", "Febtember 2016", "month", "100", "no", ""],  # 8: not a month
        ["CSC-08", "2016-02", "quarterly", "100", "no", ""],  # 9: unknown basis
        ["CSC-08", "2016-02", "month", "100", "maybe", ""],  # 10: not yes or no
        ["CSC-02", "2016-02", "rolling 12", "741%", "", ""],  # 11: % on a rate
        ["CSC-08", "2099-01", "month", "100", "", ""],  # 12: in the future
        ["", "2016-02", "month", "100", "", ""],  # 13: no code
    ]
    before = counts()
    found = messages(csv_bytes(rows))
    assert found == [
        "Line 3: There is no indicator with the code 'CSC-99'",
        "Line 4: CSC-15 February 2016 (month) is also on line 2: each figure may appear once",
        "Line 5: Figure 'lots' is not a number",
        "Line 6: Figure 101 is impossible: a percentage cannot be over 100",
        "Line 7: Figure -2 is impossible: a count cannot be negative",
        "Line 8: Month 'Febtember 2016' is not a month like 2016-01, Jan-16, January 2016 "
        "or 01/01/2016",
        "Line 9: Basis 'quarterly' must be month, rolling 12 months or year to date",
        "Line 10: Provisional 'maybe' must be yes or no",
        "Line 11: Figure '741%' has a % sign but this indicator is a rate per 10,000",
        "Line 12: January 2099 is in the future",
        "Line 13: Enter the indicator code",
    ]
    plan = plan_import(csv_bytes(rows), "bad.csv")
    with pytest.raises(Exception, match="nothing was imported"), unit_of_work():
        apply_import(plan, officer())
    assert counts() == before


def test_a_failure_part_way_through_writing_leaves_nothing_behind(seeded):
    rows = [
        ["CSC-15", "2016-02", "month", "95.2", "no", ""],
        ["CSC-08", "2016-02", "month", "100", "no", ""],
    ]
    plan = plan_import(csv_bytes(rows), "race.csv")
    assert plan.ok
    # Someone else saves CSC-08's February figure after the check, before the write.
    db.session.add(
        IndicatorValue(
            indicator_id=plan.rows[1].indicator.id,
            period=date(2016, 2, 1),
            basis="month",
            value=99,
        )
    )
    db.session.commit()
    before = counts()
    with pytest.raises(Conflict), unit_of_work():
        apply_import(plan, officer())
    assert counts() == before
    assert value_of("CSC-15", date(2016, 2, 1)) is None


def test_a_figure_corrected_by_someone_else_after_the_check_stops_the_whole_import(seeded):
    rows = [
        ["CSC-15", "2016-02", "month", "95.2", "no", ""],
        ["CSC-15", "2016-01", "month", "94.8", "no", ""],
    ]
    plan = plan_import(csv_bytes(rows), "late.csv")
    assert (len(plan.to_add), len(plan.to_change)) == (1, 1)
    # Someone else corrects January after the check, before the write.
    value_of("CSC-15", date(2016, 1, 1)).value = 94.7
    db.session.commit()
    before = counts()
    with pytest.raises(Conflict), unit_of_work():
        apply_import(plan, officer())
    assert counts() == before
    assert value_of("CSC-15", date(2016, 1, 1)).value == 94.7
    assert value_of("CSC-15", date(2016, 2, 1)) is None


def test_xlsx_rejections_name_the_spreadsheet_row(seeded):
    rows = [["CSC-15", datetime(2016, 2, 1), "month", "ninety", None, None], [None] * 6]
    rows.append(["CSC-15", "2016-02", "month", 120, None, None])
    assert messages(xlsx_bytes(rows), "bad.xlsx") == [
        "Line 2: Figure 'ninety' is not a number",
        "Line 4: Figure 120 is impossible: a percentage cannot be over 100",
    ]


def test_files_that_are_not_csv_or_xlsx_are_refused_by_content(seeded):
    # Windows-1252 (Excel's plain "CSV") is read; bytes that are neither it nor UTF-8 are not.
    windows = "Indicator code,Period,Value\r\nCSC-15,2016-02,95\r\nCSC-15,2016-03,é\r\n"
    assert messages(windows.encode("cp1252")) == ["Line 3: Figure 'é' is not a number"]
    neither = b"Indicator code,Period,Value\r\nCSC-15,2016-02,95\r\nCSC-15,2016-03,\x81\r\n"
    assert messages(neither) == [
        "The file is not UTF-8 or Windows-1252 text (line 3 has a character that is neither): "
        "save it as 'CSV UTF-8'"
    ]
    assert "binary data" in messages(b"\x00\x01\x02 binary", "figures.csv")[0]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("notes.txt", "hello")
    assert messages(archive.getvalue(), "figures.xlsx") == [
        "The file is a zip archive, not an Excel workbook (.xlsx)"
    ]
    assert "not an Excel workbook in .xlsx format" in messages(b"a,b\r\n1,2\r\n", "old.xls")[0]
    assert messages(b"", "empty.csv") == ["The file is empty"]
    assert messages(b"Code,Value\r\nCSC-15,95\r\n") == [
        "Line 1: the first row must be the column headings; missing 'Period'. "
        "Download the template to see the columns"
    ]
    assert messages(csv_bytes([])) == ["The file has headings but no rows of figures"]


def test_the_same_mistake_on_many_lines_is_reported_on_each_line(seeded):
    rows = [["CSC-15", "Febtember 2016", "monthly-ish", "95", "maybe", ""]] * 3
    found = messages(csv_bytes(rows))
    assert len(found) == 9
    for line in (2, 3, 4):
        assert f"Line {line}: Month 'Febtember 2016' is not a month" in found[(line - 2) * 3]
        assert f"Line {line}: Basis 'monthly-ish' must be" in found[(line - 2) * 3 + 1]
        assert found[(line - 2) * 3 + 2] == f"Line {line}: Provisional 'maybe' must be yes or no"


# --- Through the web -------------------------------------------------------------------------


def upload(client, data: bytes, filename: str):
    token = csrf_token(client, "/indicators/import")
    return client.post(
        "/indicators/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def pending_uploads(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "indicator-imports"
    return {path.name for path in folder.glob("*.upload")}


def confirm_fields(html: str) -> dict:
    return {
        name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)
        for name in ("csrf_token", "sha256", "digest")
    }


def test_web_upload_preview_then_confirm(seeded, client, app):
    sign_in(client, PERFORMANCE)
    before = pending_uploads(app)
    data = csv_bytes(
        [
            ["CSC-15", "2016-02", "month", "95.2", "no", ""],
            ["CSC-15", "2016-01", "", "94.6", "", ""],
        ]
    )
    response = upload(client, data, "feb.csv")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    assert re.fullmatch(r"/indicators/import/[0-9a-f]{32}", preview_url)
    # Kept on the server, outside static/, under a generated name.
    assert pending_uploads(app) - before == {f"{preview_url.rsplit('/', 1)[1]}.upload"}

    html = client.get(preview_url).get_data(as_text=True)
    assert "Figures to add" in html and "95.2%" in html
    assert ">1 unchanged figure<" in html
    assert value_of("CSC-15", date(2016, 2, 1)) is None  # nothing saved by the preview

    response = client.post(preview_url, data=confirm_fields(html))
    assert response.status_code == 302
    assert value_of("CSC-15", date(2016, 2, 1)).value == 95.2
    record = db.session.scalar(select(ImportRecord))
    assert (record.rows_added, record.rows_changed, record.rows_unchanged) == (1, 0, 1)
    landing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported feb.csv: 1 added, 0 changed, 1 unchanged." in landing
    assert "Rachel Booth" in landing  # the recent imports table

    assert pending_uploads(app) == before  # removed once imported

    again = client.post(preview_url, data=confirm_fields(html))
    assert again.status_code == 302
    assert db.session.scalar(select(func.count(ImportRecord.id))) == 1


def test_web_upload_with_errors_cannot_be_confirmed(seeded, client):
    sign_in(client, PERFORMANCE)
    data = csv_bytes([["CSC-15", "2016-02", "month", "195", "no", ""]])
    preview_url = upload(client, data, "bad.csv").headers["Location"]
    html = client.get(preview_url).get_data(as_text=True)
    assert "<title>Error: Check the figures in bad.csv" in html
    assert "Line 2: Figure 195 is impossible: a percentage cannot be over 100" in html
    assert "Import these figures" not in html
    token = csrf_token(client, "/indicators/import")
    forged = {"csrf_token": token, "sha256": "x", "digest": "y"}
    before = counts()
    client.post(preview_url, data=forged)
    assert counts() == before
    assert value_of("CSC-15", date(2016, 2, 1)) is None
    assert db.session.scalar(select(func.count(ImportRecord.id))) == 0


def test_confirm_is_refused_when_the_stored_figures_changed_since_the_preview(seeded, client):
    sign_in(client, PERFORMANCE)
    data = csv_bytes([["CSC-15", "2016-01", "month", "94.9", "no", ""]])
    preview_url = upload(client, data, "jan.csv").headers["Location"]
    html = client.get(preview_url).get_data(as_text=True)
    value = value_of("CSC-15", date(2016, 1, 1))
    value.value = 94.7  # someone else corrects it meanwhile
    db.session.commit()
    response = client.post(preview_url, data=confirm_fields(html))
    assert response.status_code == 200
    assert "The stored figures changed after you checked this file" in response.get_data(
        as_text=True
    )
    assert value_of("CSC-15", date(2016, 1, 1)).value == 94.7


def test_an_upload_belongs_to_the_person_who_uploaded_it(seeded, client):
    sign_in(client, PERFORMANCE)
    preview_url = upload(client, csv_bytes([["CSC-15", "2016-02", "", "95", "", ""]]), "a.csv")
    preview_url = preview_url.headers["Location"]
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/indicators")})
    sign_in(client, ADMIN)
    response = client.get(preview_url)
    assert response.status_code == 302 and response.headers["Location"] == "/indicators/import"
    assert client.get("/indicators/import/../../etc").status_code in (302, 404)


def test_upload_form_requires_a_file_and_refuses_oversized_ones(seeded, client, app):
    sign_in(client, PERFORMANCE)
    token = csrf_token(client, "/indicators/import")
    html = client.post("/indicators/import", data={"csrf_token": token}).get_data(as_text=True)
    assert "Select a CSV or Excel file" in html and "govuk-error-summary" in html
    assert "<title>Error: Import indicator figures" in html  # once: screen readers hear it first
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/indicators/import",
        data={"csrf_token": token, "file": (io.BytesIO(too_big), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_a_file_that_is_not_csv_or_xlsx_is_refused_on_the_upload_form(seeded, client, app):
    sign_in(client, PERFORMANCE)
    before = pending_uploads(app)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    response = upload(client, png, "figures.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Import indicator figures" in html
    assert "The file is not a CSV file: it contains binary data" in html
    assert pending_uploads(app) == before


def test_templates_download_and_a_filled_in_template_imports(seeded, client):
    sign_in(client, PERFORMANCE)
    csv_response = client.get("/indicators/import/template.csv")
    assert csv_response.status_code == 200
    assert "attachment" in csv_response.headers["Content-Disposition"]
    assert csv_response.data.decode("utf-8-sig").splitlines() == [",".join(HEADER)]

    xlsx_response = client.get("/indicators/import/template.xlsx")
    workbook = load_workbook(io.BytesIO(xlsx_response.data))
    assert [c.value for c in workbook["Values"][1]] == HEADER
    codes = [row[0].value for row in workbook["Indicators"].iter_rows(min_row=2)]
    assert "CSC-05" in codes and len(codes) == db.session.scalar(select(func.count(Indicator.id)))
    workbook["Values"].append(["CSC-05", "2016-02", "month", "97.1%", "no", None])
    filled = io.BytesIO()
    workbook.save(filled)
    plan, _ = run_import(filled.getvalue(), "template.xlsx")
    assert len(plan.to_add) == 1 and value_of("CSC-05", date(2016, 2, 1)).value == 97.1


# --- From the command line -------------------------------------------------------------------


def test_cli_dry_run_writes_nothing_and_import_writes_once(seeded, app, tmp_path):
    path = tmp_path / "february.csv"
    path.write_bytes(csv_bytes([["CSC-15", "2016-02", "month", "95.2", "no", ""]], bom=True))
    runner = app.test_cli_runner()
    before = counts()
    result = runner.invoke(args=["indicators", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run: 1 to add, 0 to change, 0 unchanged. Nothing was written." in result.output
    db.session.expire_all()
    assert counts() == before

    result = runner.invoke(args=["indicators", "import", str(path), "--by", PERFORMANCE])
    assert result.exit_code == 0, result.output
    assert "Imported february.csv: 1 added, 0 changed, 0 unchanged." in result.output
    db.session.expire_all()
    assert value_of("CSC-15", date(2016, 2, 1)).value == 95.2
    record = db.session.scalar(select(ImportRecord))
    assert record.imported_by.email == PERFORMANCE

    result = runner.invoke(args=["indicators", "import", str(path)])
    assert "Imported february.csv: 0 added, 0 changed, 1 unchanged." in result.output


def test_cli_imports_nothing_when_someone_saves_a_figure_while_it_runs(
    seeded, app, tmp_path, monkeypatch
):
    path = tmp_path / "february.csv"
    path.write_bytes(csv_bytes([["CSC-15", "2016-02", "month", "95.2", "no", ""]]))
    csc_15 = db.session.scalar(select(Indicator.id).where(Indicator.code == "CSC-15"))
    db.session.commit()

    def someone_else_saves_february_first(plan, user):
        with db.engine.connect() as other:  # another person, on another connection
            other.execute(
                IndicatorValue.__table__.insert().values(
                    indicator_id=csc_15, period=date(2016, 2, 1), basis="month", value=95.0
                )
            )
            other.commit()
        return apply_import(plan, user)

    monkeypatch.setattr("tracker.indicators.cli.apply_import", someone_else_saves_february_first)
    before = counts()
    result = app.test_cli_runner().invoke(args=["indicators", "import", str(path)])
    db.session.expire_all()
    assert result.exit_code == 1, result.output
    assert (
        "Nothing was imported. Someone else saved a figure for one of these months after they "
        "were checked: run the import again" in result.output
    )
    assert value_of("CSC-15", date(2016, 2, 1)).value == 95.0
    assert counts() == (before[0] + 1, before[1], before[2])  # theirs, and no ImportRecord


def test_cli_reports_errors_and_fails(seeded, app, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx_bytes([["CSC-99", "2016-02", "month", 10, None, None]]))
    before = counts()
    result = app.test_cli_runner().invoke(args=["indicators", "import", str(path)])
    db.session.expire_all()
    assert counts() == before
    assert result.exit_code == 1
    assert "Line 2: There is no indicator with the code 'CSC-99'" in result.output
    assert "Nothing was imported: 1 problem in bad.xlsx" in result.output
