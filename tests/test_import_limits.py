"""The one import framework (tracker/imports): spreadsheet bombs and oversized files are refused
before parsing, quickly and in little memory, by both importers; CSV files in Windows-1252 or with
semicolons and decimal commas are read alike by both; the preview keeps its parsed rows.

The bombs are built here, with zlib and a hand-written zip directory (no binaries committed):
each repeats one compressed block, so a 1 GB part costs a second to build, not a minute.
"""

import gc
import io
import re
import struct
import time
import tracemalloc
import zipfile
import zlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

import config
from tests.conftest import csrf_token, sign_in
from tracker.admin import plan_import
from tracker.extensions import db
from tracker.imports import FileProblem, LimitExceeded, reading
from tracker.imports.limits import from_config
from tracker.indicators import importing
from tracker.models import Action, ImportRecord, Indicator, IndicatorValue, Plan, Recommendation

ADMIN = "laura.pickering@example.org"
PERFORMANCE = "rachel.booth@example.org"
MB = 1024 * 1024
SECONDS = 1.0
MEMORY = 50 * MB
INDICATOR_HEADER = [
    "Indicator code",
    "Period",
    "Basis",
    "Value",
    "Provisional",
    "Data quality note",
]
PLAN_HEADER = [
    "Recommendation reference",
    "Recommendation text",
    "Lead email",
    "Action reference",
    "Action text",
    "Owner email",
    "Due date",
    "Status",
    "Latest note",
]


# --- Building workbooks, ordinary and malicious ------------------------------------------------


@dataclass(frozen=True)
class Part:
    deflated: bytes  # raw deflate stream
    crc: int
    size: int  # uncompressed


def deflate(data: bytes) -> Part:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return Part(compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data))


def repeated(prefix: bytes, chunk: bytes, times: int, suffix: bytes) -> Part:
    """prefix + chunk * times + suffix, deflated without ever holding the whole: after a full
    flush the compressor starts afresh, so every repetition compresses to the same block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(suffix) + compressor.flush()
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, crc)
    size = len(prefix) + len(chunk) * times + len(suffix)
    return Part(head + block * times + tail, crc, size)


def zip_of(parts: dict[str, Part]) -> bytes:
    """A zip archive of already-deflated parts (method 8), as Excel would write it."""
    out = io.BytesIO()
    directory = []
    for name, part in parts.items():
        encoded, offset = name.encode(), out.tell()
        sizes = (part.crc, len(part.deflated), part.size, len(encoded))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, *sizes, 0))
        out.write(encoded + part.deflated)
        directory.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                *sizes,
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    listing = b"".join(directory)
    out.write(listing)
    count = len(parts)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(listing), start, 0))
    return out.getvalue()


def workbook_bytes(header: list, rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parts_of(workbook: bytes) -> dict[str, Part]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return {name: deflate(archive.read(name)) for name in archive.namelist()}


BASE = workbook_bytes(INDICATOR_HEADER, [["CSC-15", "2016-02", "month", 95.2, "no", ""]])
SST_START = (
    b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def tiny_strings_bomb() -> bytes:
    """About 80 KB that unpacks to 30 MB of shared strings, each the one letter 'a'."""
    chunk = b"<si><t>a</t></si>" * (MB // 17)
    strings = repeated(SST_START, chunk, 31, b"</sst>")
    return zip_of({**parts_of(BASE), "xl/sharedStrings.xml": strings})


@pytest.fixture(scope="module")
def gigabyte_bomb() -> bytes:
    """About 1 MB that unpacks to one shared string of 1 GB."""
    strings = repeated(SST_START + b"<si><t>", b"a" * MB, 1024, b"</t></si></sst>")
    return zip_of({**parts_of(BASE), "xl/sharedStrings.xml": strings})


def huge_dimension() -> bytes:
    """A few KB whose sheet declares every cell Excel can address."""
    parts = parts_of(BASE)
    with zipfile.ZipFile(io.BytesIO(BASE)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', sheet)
    return zip_of({**parts, "xl/worksheets/sheet1.xml": deflate(sheet)})


def without_dimension(workbook: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb"<dimension [^>]*/>", b"", sheet)
    return zip_of({**parts_of(workbook), "xl/worksheets/sheet1.xml": deflate(sheet)})


@dataclass
class Measured:
    error: str
    seconds: float
    peak_bytes: int


def measure(read) -> Measured:
    """Run `read`, which must refuse the file: once timed, once tracing the memory it allocates
    (tracing slows Python several times over, so the two are measured apart)."""

    def run() -> str:
        try:
            read()
        except FileProblem as problem:
            return str(problem)
        return ""

    gc.collect()
    started = time.perf_counter()
    error = run()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        assert run() == error
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measured(error, seconds, peak)


@pytest.fixture
def limits():
    settings = {name: getattr(config.TestConfig, name) for name in dir(config.TestConfig)}
    return from_config(settings)


# --- The bombs are what the issue describes ----------------------------------------------------


def test_the_bombs_are_as_described(gigabyte_bomb):
    small = tiny_strings_bomb()
    assert 60_000 < len(small) < 100_000
    with zipfile.ZipFile(io.BytesIO(small)) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size > 30 * MB
    assert 0.9 * MB < len(gigabyte_bomb) < 1.5 * MB
    with zipfile.ZipFile(io.BytesIO(gigabyte_bomb)) as archive:
        part = archive.getinfo("xl/sharedStrings.xml")
        assert part.file_size > 1024 * MB
        with archive.open(part) as stream:  # it really unpacks: the start is real XML
            assert stream.read(200).startswith(SST_START + b"<si><t>aaaa")
    assert len(huge_dimension()) < 8_000


# --- Refused before parsing, at unit level -----------------------------------------------------


def test_a_tiny_strings_bomb_is_refused_fast_and_small(limits):
    outcome = measure(lambda: reading.read_table(tiny_strings_bomb(), limits))
    assert "unpacks to more than 100 times its size" in outcome.error
    assert outcome.seconds < SECONDS and outcome.peak_bytes < MEMORY


def test_a_gigabyte_bomb_is_refused_fast_and_small(limits, gigabyte_bomb):
    outcome = measure(lambda: reading.read_table(gigabyte_bomb, limits))
    assert "unpacks to more than 50 MB" in outcome.error
    assert outcome.seconds < SECONDS and outcome.peak_bytes < MEMORY


def test_each_workbook_limit_refuses_on_its_own(limits, gigabyte_bomb):
    bomb = tiny_strings_bomb()
    # Without the ratio limit, the size of the shared strings still refuses it...
    loose = replace(limits, max_compression_ratio=10_000)
    assert (
        "text unpacks to more than 10 MB" in measure(lambda: reading.read_table(bomb, loose)).error
    )
    # ...and without that, their number, counted as a stream and given up at the limit.
    looser = replace(loose, max_shared_strings_bytes=100 * MB)
    outcome = measure(lambda: reading.read_table(bomb, looser))
    assert "more than 200,000 different pieces of text" in outcome.error
    assert outcome.seconds < SECONDS and outcome.peak_bytes < MEMORY
    few_parts = replace(limits, max_parts=5)
    assert "more than 5 parts" in measure(lambda: reading.read_table(BASE, few_parts)).error


def test_a_zip_listing_sixty_thousand_parts_is_refused_before_its_directory_is_read(limits):
    empty = deflate(b"")
    parts = {**parts_of(BASE), **{f"xl/media/{n}": empty for n in range(60_000)}}
    crowded = zip_of(parts)
    assert len(crowded) < limits.max_file_bytes
    outcome = measure(lambda: reading.read_table(crowded, limits))
    assert "more than 500 parts inside it" in outcome.error
    assert outcome.seconds < SECONDS and outcome.peak_bytes < MB


def test_a_damaged_workbook_is_refused_with_a_message_not_an_error(limits):
    garbage = Part(b"\xff\xfe not deflate at all", 0, 10)
    for name in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "[Content_Types].xml"):
        damaged = zip_of({**parts_of(BASE), name: garbage})
        with pytest.raises(FileProblem, match="damaged|cannot be read"):
            reading.read_table(damaged, limits)
    with pytest.raises(FileProblem, match="damaged"):
        reading.read_table(b"PK\x03\x04" + b"\x00" * 100, limits)


def test_a_sheet_declaring_every_cell_is_refused_before_parsing(limits):
    outcome = measure(lambda: reading.read_table(huge_dimension(), limits))
    assert outcome.error == (
        "A sheet in the workbook declares 1,048,576 rows by 16,384 columns, more than an "
        "import can take (20,000 rows, 50 columns): save only the cells to import"
    )
    assert outcome.seconds < SECONDS and outcome.peak_bytes < MEMORY


def test_parsing_streams_and_stops_at_the_first_row_column_or_cell_beyond_a_limit(limits):
    small = replace(limits, max_rows=100, max_columns=8, max_cell_chars=50)
    # No declared size to go on (some programs write none): the stream stops at row 102.
    many_rows = workbook_bytes(INDICATOR_HEADER, [["CSC-15", "2016-02", "", 1]] * 150)
    with pytest.raises(LimitExceeded, match="more than 100 rows, the most an import can take"):
        reading.read_table(without_dimension(many_rows), small)
    wide = workbook_bytes([f"Column {n}" for n in range(1, 10)], [])
    with pytest.raises(LimitExceeded, match="declares 1 rows by 9 columns"):
        reading.read_table(wide, small)
    with pytest.raises(LimitExceeded, match="Row 1 has more than 8 columns"):
        reading.read_table(without_dimension(wide), small)
    long_cell = workbook_bytes(INDICATOR_HEADER, [["CSC-15", "2016-02", "", 1, "", "x" * 51]])
    with pytest.raises(LimitExceeded, match="Row 2, column 6 has more than 50 characters"):
        reading.read_table(long_cell, small)
    # Trailing empty cells are not columns.
    assert reading.read_table(b"a,b,,,,,,,,,,,\r\n1,2,,,,,,,,,,,\r\n", small).rows == [
        (1, ["a", "b"]),
        (2, ["1", "2"]),
    ]


def test_an_18_mb_single_line_csv_is_refused_fast(limits):
    line = b"x" * (18 * MB)
    outcome = measure(lambda: reading.read_table(line, limits))
    assert (
        outcome.error == "The file is larger than 10 MB, the most an import can take: split it up"
    )
    assert outcome.seconds < SECONDS and outcome.peak_bytes < MEMORY
    # With a larger size limit, the line length still refuses it before it is split into cells.
    roomy = replace(limits, max_file_bytes=20 * MB)
    outcome = measure(lambda: reading.read_table(line, roomy))
    assert "a line longer than 50,000 characters" in outcome.error
    assert outcome.seconds < SECONDS and outcome.peak_bytes < MEMORY


def test_csv_rows_columns_and_cells_beyond_the_limits_are_refused(limits):
    small = replace(limits, max_rows=10, max_columns=3, max_cell_chars=20)
    with pytest.raises(LimitExceeded, match="more than 10 rows"):
        reading.read_table(b"a,b\r\n" + b"1,2\r\n" * 11, small)
    with pytest.raises(LimitExceeded, match="Row 2 has more than 3 columns"):
        reading.read_table(b"a,b\r\n1,2,3,4\r\n", small)
    with pytest.raises(LimitExceeded, match="Row 2, column 2 has more than 20 characters"):
        reading.read_table(b'a,b\r\n1,"' + b"y" * 21 + b'"\r\n', small)
    # Millions of empty lines are refused by counting, not by splitting them.
    with pytest.raises(LimitExceeded, match="more than 10 rows"):
        reading.read_table(b"a,b\r\n" + b"\n" * 5_000_000, small)


# --- Reading CSV: encodings, delimiters, decimal commas -----------------------------------------


def test_csv_encodings_and_dialects_are_recognised(limits):
    text = "Name;Value\r\nCafé – déjà vu;33,9\r\n"
    for data in (
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.encode("cp1252"),
        text.encode("utf-16"),
    ):
        table = reading.read_table(data, limits)
        assert table.rows == [(1, ["Name", "Value"]), (2, ["Café – déjà vu", "33,9"])]
        assert table.decimal_comma
    table = reading.read_table(b"sep=;\r\nName;Value\r\nA;1,5\r\n", limits)
    assert table.rows == [(1, ["Name", "Value"]), (2, ["A", "1,5"])] and table.decimal_comma
    tabbed = reading.read_table(b"Name\tValue\r\nA\t1,234\r\n", limits)
    assert tabbed.rows[1] == (2, ["A", "1,234"]) and not tabbed.decimal_comma
    assert [reading.decimal_point(t) for t in ("33,9", "1.234,5", "95,2 %", "95.2", "R1.1")] == [
        "33.9",
        "1234.5",
        "95.2%",
        "95.2",
        "R1.1",
    ]


# --- Both importers, unit level (both databases) -----------------------------------------------


def windows_1252_indicator_csv() -> bytes:
    rows = [
        "Indicator code,Period,Basis,Value,Provisional,Data quality note",
        "CSC-15,2016-02,month,95.2,no,Café data – awaiting sign-off",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def semicolon_indicator_csv() -> bytes:
    rows = [
        "Indicator code;Period;Basis;Value;Provisional;Data quality note",
        "CSC-15;2016-02;month;33,9;no;",
        "CSC-02;2016-02;rolling 12 months;1.234,5;no;",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def windows_1252_plan_csv() -> bytes:
    rows = [
        ",".join(PLAN_HEADER),
        "R1,Improve the workforce’s stability – now,,R1.1,Recruit social workers “locally”,,"
        "31/3/2016,In progress,Café meeting held",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def semicolon_plan_csv() -> bytes:
    rows = [
        ";".join(PLAN_HEADER),
        "R1;Raise visits within 10 days to 33,9% or more;;R1.1;Audit visits, weekly;;"
        "31/3/2016;Not started;",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def test_the_indicator_import_reads_windows_1252_and_decimal_commas(seeded):
    plan = importing.plan_import(windows_1252_indicator_csv(), "windows.csv")
    assert plan.errors == []
    assert plan.rows[0].figure.data_quality_note == "Café data – awaiting sign-off"
    plan = importing.plan_import(semicolon_indicator_csv(), "semicolon.csv")
    assert plan.errors == []
    assert [row.figure.value for row in plan.rows] == [33.9, 1234.5]


def test_the_plan_import_reads_windows_1252_and_semicolons(seeded):
    rows, problems = plan_import.read_rows(windows_1252_plan_csv(), "windows.csv")
    assert problems == []
    assert rows[0].values["rec_text"] == "Improve the workforce’s stability – now"
    assert rows[0].values["action_text"] == "Recruit social workers “locally”"
    assert rows[0].values["note"] == "Café meeting held"
    rows, problems = plan_import.read_rows(semicolon_plan_csv(), "semicolon.csv")
    assert problems == []
    assert rows[0].values["rec_text"] == "Raise visits within 10 days to 33,9% or more"
    assert rows[0].values["action_text"] == "Audit visits, weekly"
    assert rows[0].values["due"] == "31/3/2016"


def test_both_importers_refuse_the_bombs_with_the_limit_named(seeded, gigabyte_bomb):
    for data in (tiny_strings_bomb(), gigabyte_bomb, huge_dimension()):
        outcome = measure(lambda data=data: importing.read_table(data, "bomb.xlsx"))
        assert "more than" in outcome.error
        assert outcome.seconds < SECONDS and outcome.peak_bytes < MEMORY
        started = time.perf_counter()
        rows, problems = plan_import.read_rows(data)
        assert time.perf_counter() - started < SECONDS
        assert rows == [] and len(problems) == 1 and "more than" in str(problems[0])


# --- Through the web (both databases) ----------------------------------------------------------


def _plan() -> Plan:
    plan = Plan(title="Imported plan", inspectorate="Ofsted")
    db.session.add(plan)
    db.session.commit()
    return plan


def upload_plan(client, plan_id: int, data: bytes, filename: str):
    url = f"/admin/plans/{plan_id}/import"
    token = csrf_token(client, url)
    return client.post(
        url,
        data={"file": (io.BytesIO(data), filename), "csrf_token": token},
        content_type="multipart/form-data",
    )


def upload_figures(client, data: bytes, filename: str):
    token = csrf_token(client, "/indicators/import")
    return client.post(
        "/indicators/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def measure_request(send) -> tuple[str, float, int]:
    """The page a request answers, how long it took, and (sent again, traced) its peak memory."""
    gc.collect()
    started = time.perf_counter()
    response = send()
    seconds = time.perf_counter() - started
    assert response.status_code == 200
    tracemalloc.start()
    try:
        assert send().status_code == 200
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response.get_data(as_text=True), seconds, peak


def test_the_web_imports_refuse_bombs_fast_and_small(seeded, app, client, gigabyte_bomb):
    plan = _plan()
    sign_in(client, ADMIN)
    csrf_token(client, f"/admin/plans/{plan.id}/import")  # first render out of the timing
    bombs = {
        "30 MB of tiny strings": (tiny_strings_bomb(), "100 times its size"),
        "1 GB": (gigabyte_bomb, "unpacks to more than 50 MB"),
        "A1:XFD1048576": (huge_dimension(), "declares 1,048,576 rows by 16,384 columns"),
    }
    for data, message in bombs.values():
        html, seconds, peak = measure_request(
            lambda data=data: upload_plan(client, plan.id, data, "plan.xlsx")
        )
        assert message in html and "nothing has been imported" in html
        assert seconds < SECONDS and peak < MEMORY
    assert (
        db.session.scalar(select(Recommendation).where(Recommendation.plan_id == plan.id)) is None
    )

    client = app.test_client()
    sign_in(client, PERFORMANCE)
    csrf_token(client, "/indicators/import")
    for data, message in bombs.values():
        html, seconds, peak = measure_request(
            lambda data=data: upload_figures(client, data, "figures.xlsx")
        )
        assert message in html and "govuk-error-summary" in html
        assert seconds < SECONDS and peak < MEMORY
    assert db.session.scalar(select(ImportRecord)) is None


def test_the_web_imports_refuse_an_18_mb_single_line_csv_fast(seeded, app, client):
    line = b"x" * (18 * MB)
    plan = _plan()
    sign_in(client, ADMIN)
    csrf_token(client, f"/admin/plans/{plan.id}/import")
    started = time.perf_counter()
    html = upload_plan(client, plan.id, line, "plan.csv").get_data(as_text=True)
    # The time includes the test client encoding and parsing an 18 MB upload.
    assert time.perf_counter() - started < 3 * SECONDS
    assert "The file is larger than 10 MB, the most an import can take" in html
    client = app.test_client()
    sign_in(client, PERFORMANCE)
    csrf_token(client, "/indicators/import")
    started = time.perf_counter()
    html = upload_figures(client, line, "figures.csv").get_data(as_text=True)
    assert time.perf_counter() - started < 3 * SECONDS
    assert "The file is larger than 10 MB, the most an import can take" in html


def _confirm_figures(client, preview_url: str, html: str):
    fields = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)
        for name in ("csrf_token", "sha256", "digest")
    }
    return client.post(preview_url, data=fields)


def _value(code: str, basis: str = "month") -> IndicatorValue | None:
    return db.session.scalar(
        select(IndicatorValue)
        .join(IndicatorValue.indicator)
        .where(
            Indicator.code == code,
            IndicatorValue.period == date(2016, 2, 1),
            IndicatorValue.basis == basis,
        )
    )


def _stored_upload(app, folder: str, upload_id: str) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / folder / f"{upload_id}.upload"


def test_the_web_indicator_import_reads_windows_1252_and_decimal_commas(seeded, client):
    sign_in(client, PERFORMANCE)
    for data in (windows_1252_indicator_csv(), semicolon_indicator_csv()):
        preview_url = upload_figures(client, data, "figures.csv").headers["Location"]
        html = client.get(preview_url).get_data(as_text=True)
        assert "Figures to add" in html
        assert _confirm_figures(client, preview_url, html).status_code == 302
    assert _value("CSC-15").value == 33.9  # the semicolon file corrected the first
    assert _value("CSC-15").data_quality_note is None
    assert _value("CSC-02", "rolling_12").value == 1234.5


def test_the_web_plan_import_reads_windows_1252_and_semicolons(seeded, client):
    plan = _plan()
    sign_in(client, ADMIN)
    html = upload_plan(client, plan.id, windows_1252_plan_csv(), "plan.csv").get_data(as_text=True)
    assert "Recruit social workers “locally”" in html
    upload_id = re.search(r'name="upload_id" type="hidden" value="([^"]+)"', html).group(1)
    token = csrf_token(client, f"/admin/plans/{plan.id}/import")
    confirm = f"/admin/plans/{plan.id}/import/confirm"
    assert client.post(confirm, data={"upload_id": upload_id, "csrf_token": token}).status_code == (
        302
    )
    action = db.session.scalar(
        select(Action).join(Action.recommendation).where(Recommendation.plan_id == plan.id)
    )
    assert action.description == "Recruit social workers “locally”"
    assert action.recommendation.text == "Improve the workforce’s stability – now"

    other = Plan(title="Semicolon plan", inspectorate="Ofsted")
    db.session.add(other)
    db.session.commit()
    html = upload_plan(client, other.id, semicolon_plan_csv(), "plan.csv").get_data(as_text=True)
    upload_id = re.search(r'name="upload_id" type="hidden" value="([^"]+)"', html).group(1)
    confirm = f"/admin/plans/{other.id}/import/confirm"
    client.post(confirm, data={"upload_id": upload_id, "csrf_token": token})
    action = db.session.scalar(
        select(Action).join(Action.recommendation).where(Recommendation.plan_id == other.id)
    )
    assert action.description == "Audit visits, weekly"
    assert action.recommendation.text == "Raise visits within 10 days to 33,9% or more"


def test_the_indicator_preview_does_not_read_the_file_again(seeded, client, app):
    sign_in(client, PERFORMANCE)
    response = upload_figures(client, semicolon_indicator_csv(), "figures.csv")
    preview_url = response.headers["Location"]
    upload_id = preview_url.rsplit("/", 1)[1]
    # Whatever happens to the stored file, the preview and the import use the rows parsed once.
    _stored_upload(app, importing.PENDING_FOLDER, upload_id).write_bytes(b"\x00 not a file")
    html = client.get(preview_url).get_data(as_text=True)
    assert "Figures to add" in html and "33.9" in html
    html = client.get(preview_url).get_data(as_text=True)
    assert _confirm_figures(client, preview_url, html).status_code == 302
    assert _value("CSC-15").value == 33.9


def test_the_plan_confirm_does_not_read_the_file_again(seeded, client, app):
    plan = _plan()
    sign_in(client, ADMIN)
    html = upload_plan(client, plan.id, semicolon_plan_csv(), "plan.csv").get_data(as_text=True)
    upload_id = re.search(r'name="upload_id" type="hidden" value="([^"]+)"', html).group(1)
    _stored_upload(app, plan_import.PENDING_FOLDER, upload_id).write_bytes(b"\x00 not a file")
    token = csrf_token(client, f"/admin/plans/{plan.id}/import")
    confirm = f"/admin/plans/{plan.id}/import/confirm"
    assert client.post(confirm, data={"upload_id": upload_id, "csrf_token": token}).status_code == (
        302
    )
    assert db.session.scalar(
        select(Action).join(Action.recommendation).where(Recommendation.plan_id == plan.id)
    )


# --- Templates and documentation ---------------------------------------------------------------


def test_the_indicator_template_neutralises_stored_text(seeded, client):
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "CSC-15"))
    indicator.name = '=HYPERLINK("http://example.com","Click")\x0bsecond line'
    db.session.commit()
    sign_in(client, PERFORMANCE)
    response = client.get("/indicators/import/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Indicators"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    cell = next(name for name in names if "HYPERLINK" in name)
    assert cell == '\'=HYPERLINK("http://example.com","Click")\nsecond line'


def test_every_import_limit_is_a_documented_setting():
    settings = [name for name in dir(config.Config) if name.startswith("IMPORT_MAX_")]
    assert len(settings) == 10
    readme = Path("README.md").read_text(encoding="utf-8")
    security = Path("docs/security.md").read_text(encoding="utf-8")
    section = security.split("## Import limits", 1)[1].split("\n## ", 1)[0]
    for name in settings:
        assert f"| `{name}` |" in readme, name
        assert f"`{name}`" in section, name


def test_the_command_line_import_reads_the_same_files_and_refuses_the_same_bombs(
    seeded, app, tmp_path, gigabyte_bomb
):
    runner = app.test_cli_runner()
    windows = tmp_path / "windows.csv"
    windows.write_bytes(windows_1252_indicator_csv())
    result = runner.invoke(args=["indicators", "import", str(windows)])
    assert result.exit_code == 0, result.output
    semicolons = tmp_path / "semicolons.csv"
    semicolons.write_bytes(semicolon_indicator_csv())
    result = runner.invoke(args=["indicators", "import", str(semicolons)])
    assert result.exit_code == 0, result.output
    assert _value("CSC-15").value == 33.9
    assert _value("CSC-02", "rolling_12").value == 1234.5
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(gigabyte_bomb)
    started = time.perf_counter()
    result = runner.invoke(args=["indicators", "import", str(bomb)])
    assert time.perf_counter() - started < SECONDS
    assert result.exit_code == 1
    assert "The workbook unpacks to more than 50 MB" in result.output
    huge = tmp_path / "huge.csv"
    huge.write_bytes(b"x" * (18 * MB))
    result = runner.invoke(args=["indicators", "import", str(huge)])
    assert result.exit_code == 1 and "larger than 10 MB" in result.output


def test_row_problems_have_one_shape_in_both_importers(seeded):
    rows, problems = plan_import.read_rows(
        (",".join(PLAN_HEADER) + "\r\nR1,Text,,R1.1,Do it,,31/2/2016,Maybe,\r\n").encode()
    )
    plan = db.session.scalar(select(Plan))
    found = plan_import.preview(plan, rows).problems
    due = next(p for p in found if "due date" in p.message)
    assert (due.row, due.column) == (2, "Due date")
    assert str(due) == "Row 2: due date '31/2/2016' must be a real date, for example 31/3/2016"
    errors = importing.plan_import(semicolon_indicator_csv().replace(b"33,9", b"x"), "f.csv").errors
    assert [(e.row, e.column, str(e)) for e in errors] == [
        (2, "Value", "Line 2: Figure 'x' is not a number")
    ]
