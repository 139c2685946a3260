"""A CSV or XLSX file into rows of cells, within the safety limits.

Everything that costs memory or time in proportion to what a file *claims* is checked before any
parsing: for a workbook, its zip directory (parts, unpacked size, compression ratio), the size and
count of its shared strings, and the size each sheet declares; for a CSV file, its size and its
longest line. Parsing then streams (openpyxl read-only mode, the csv module over the text) and
stops at the first row, column or cell beyond a limit. Every refusal names the limit.
"""

import codecs
import csv
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import time

from tracker.imports.limits import FileProblem, LimitExceeded, Limits, megabytes
from tracker.text import clean_text

XLSX_CONTENT_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary Excel (.xls) format
DELIMITERS = (",", ";", "\t")
# Excel writes (and reads) a first line "sep=;" naming the delimiter.
SEP_LINE = re.compile(r"^sep=(.)\r?\n", re.IGNORECASE)
# Text with nothing but printable ASCII needs only trimming; the rest goes through clean_text.
NEEDS_CLEANING = re.compile(r"[^\x20-\x7e]")
DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?\""
)
SST_PREFIX = re.compile(rb"<(?:(\w+):)?sst[\s>]")
RATIO_CHECKED_FROM = 1024 * 1024  # tiny workbooks compress oddly and cannot hurt
DIMENSION_SCAN_BYTES = 64 * 1024  # the <dimension> element comes before any row
CHUNK = 256 * 1024
END_OF_DIRECTORY = b"PK\x05\x06"
END_OF_DIRECTORY_SEARCH = 22 + 65_535  # the record, then a comment of up to 64 KB


@dataclass
class RawTable:
    """What was read: each row's number as the spreadsheet (or CSV line count) gives it."""

    kind: str  # "csv" or "xlsx"
    rows: list[tuple[int, list]]
    decimal_comma: bool = False  # numbers are written 33,9 (a semicolon-separated CSV)


def read_upload(stream, limits: Limits) -> bytes:
    """An uploaded file's bytes, reading no more than one byte past the size limit."""
    data = stream.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise _too_large(limits)
    return data


def _too_large(limits: Limits) -> LimitExceeded:
    return LimitExceeded(
        f"The file is larger than {megabytes(limits.max_file_bytes)}, the most an import "
        "can take: split it up"
    )


def read_table(
    data: bytes, limits: Limits, filename: str = "", sheet: str | None = None
) -> RawTable:
    """The rows of a CSV or .xlsx file, recognised by content (the name only explains refusals)."""
    if len(data) > limits.max_file_bytes:
        raise _too_large(limits)
    if not data or data.isspace():
        raise FileProblem("The file is empty")
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(data, limits, sheet)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")) or data.startswith(OLE_MAGIC):
        raise FileProblem(
            "The file is not an Excel workbook in .xlsx format: save it as .xlsx or as CSV"
        )
    return read_csv(data, limits)


# --- Cells ------------------------------------------------------------------------------------


def clean_cell(value):
    """A cell as the importers see it: text cleaned and trimmed, numbers and dates as they are."""
    if isinstance(value, str):
        if NEEDS_CLEANING.search(value):
            return clean_text(value)
        return value.strip()
    if isinstance(value, time):
        return value.isoformat()
    return value


def _too_many_rows(limits: Limits) -> LimitExceeded:
    return LimitExceeded(
        f"The file has more than {limits.max_rows:,} rows, the most an import can take: split it up"
    )


def _check_row(count: int, number: int, cells: list, limits: Limits) -> list:
    """The row (the count-th read, numbered as the file numbers it) without its trailing blank
    cells, refused if beyond a limit. The heading row is not counted against the row limit."""
    if count > limits.max_rows + 1:
        raise _too_many_rows(limits)
    width = len(cells)
    while width and (cells[width - 1] is None or cells[width - 1] == ""):
        width -= 1
    if width > limits.max_columns:
        raise LimitExceeded(
            f"Row {number} has more than {limits.max_columns} columns, the most an import "
            "can take: remove the columns that are not needed"
        )
    row = [clean_cell(value) for value in cells[:width]]
    for index, value in enumerate(row):
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            raise LimitExceeded(
                f"Row {number}, column {index + 1} has more than {limits.max_cell_chars:,} "
                "characters, the most one cell can hold in an import"
            )
    return row


# --- CSV --------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without a BOM), UTF-16 with a BOM, or Windows-1252,
    which is what Excel on Windows writes when a file is saved as plain 'CSV'."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data:
        raise FileProblem(
            "The file is not a CSV file: it contains binary data. "
            "Save it as CSV or as an Excel workbook (.xlsx)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise FileProblem(
            f"The file is not UTF-8 or Windows-1252 text (line {line} has a character that is "
            "neither): save it as 'CSV UTF-8'"
        ) from None


def _check_lines(data: bytes, limits: Limits) -> None:
    """Refuse a CSV whose lines are too many or too long before splitting it into cells."""
    breaks = data.count(b"\n") or data.count(b"\r")
    # A cell may hold line breaks, so lines can outnumber rows; ten to one is generous.
    if breaks > 10 * (limits.max_rows + 1):
        raise _too_many_rows(limits)
    if _longest_line(data, b"\n" if b"\n" in data else b"\r") > limits.max_line_chars:
        raise LimitExceeded(
            f"The file has a line longer than {limits.max_line_chars:,} characters, the most "
            "an import can take: check it is a CSV file with one row per line"
        )


def _longest_line(data: bytes, separator: bytes) -> int:
    """The longest line's length in bytes, found without copying any line."""
    longest = start = 0
    while (end := data.find(separator, start)) != -1:
        longest = max(longest, end - start)
        start = end + 1
    return max(longest, len(data) - start)


def dialect_of(text: str) -> tuple[str, str, bool]:
    """(text without any 'sep=' line, delimiter, whether numbers use a decimal comma).

    The delimiter is named by a 'sep=' line or is the commonest of comma, semicolon and tab in
    the first line. Excel uses a semicolon where the comma is the decimal separator, so a
    semicolon-separated file has decimal commas (33,9); any other has decimal points.
    """
    if match := SEP_LINE.match(text):
        delimiter, text = match.group(1), text[match.end() :]
    else:
        first_line = next((line for line in io.StringIO(text) if line.strip()), "")
        delimiter = max(DELIMITERS, key=first_line.count)
    return text, delimiter, delimiter == ";"


def read_csv(data: bytes, limits: Limits) -> RawTable:
    _check_lines(data, limits)
    text, delimiter, decimal_comma = dialect_of(decode(data))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list]] = []
    number = 1
    try:
        for cells in reader:
            rows.append((number, _check_row(len(rows) + 1, number, cells, limits)))
            number = reader.line_num + 1
    except csv.Error as error:
        raise FileProblem(f"Line {number}: the CSV file cannot be read ({error})") from None
    return RawTable("csv", rows, decimal_comma)


# --- XLSX -------------------------------------------------------------------------------------


def inspect_workbook(data: bytes, limits: Limits) -> None:
    """Refuse a workbook that would unpack beyond the limits, reading only its zip directory,
    the shared strings (counted as a stream, never held) and the start of each sheet."""
    _check_declared_parts(data, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_directory(archive, limits)
            _check_content_types(archive)
            _check_shared_strings(archive, limits)
            _check_dimensions(archive, limits)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        ValueError,
        OSError,
        NotImplementedError,  # a compression method zipfile does not know
    ):
        raise FileProblem("The file is damaged: it cannot be opened as an Excel workbook") from None


def _too_many_parts(limits: Limits) -> LimitExceeded:
    return LimitExceeded(
        f"The workbook has more than {limits.max_parts} parts inside it, the most an import "
        "can take: save it again from Excel with only the sheet to import"
    )


def declared_zip_parts(data: bytes) -> int | None:
    """How many parts a zip's end-of-directory record declares (0xFFFF when a zip64 record
    holds the count), read without building the directory; None if there is no such record."""
    end = data.rfind(END_OF_DIRECTORY, max(0, len(data) - END_OF_DIRECTORY_SEARCH))
    if end == -1 or len(data) < end + 22:
        return None
    (entries,) = struct.unpack_from("<H", data, end + 10)
    return entries


def _check_declared_parts(data: bytes, limits: Limits) -> None:
    """Refuse a zip whose directory lists too many parts before zipfile builds an object for
    each: the count is in the end-of-directory record (0xFFFF when a zip64 record holds it)."""
    entries = declared_zip_parts(data)
    if entries is None:
        raise FileProblem("The file is damaged: it cannot be opened as an Excel workbook")
    if entries > limits.max_parts:
        raise _too_many_parts(limits)


def _check_directory(archive: zipfile.ZipFile, limits: Limits) -> None:
    parts = archive.infolist()
    if len(parts) > limits.max_parts:
        raise _too_many_parts(limits)
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.max_unpacked_bytes:
        raise LimitExceeded(
            f"The workbook unpacks to more than {megabytes(limits.max_unpacked_bytes)}, the most "
            "an import can take: split it up"
        )
    packed = max(sum(part.compress_size for part in parts), 1)
    if unpacked > RATIO_CHECKED_FROM and unpacked > limits.max_compression_ratio * packed:
        raise LimitExceeded(
            f"The workbook unpacks to more than {limits.max_compression_ratio} times its size, "
            "the most an import accepts: it is not an ordinary spreadsheet"
        )


def _check_content_types(archive: zipfile.ZipFile) -> None:
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        raise FileProblem("The file is a zip archive, not an Excel workbook (.xlsx)") from None
    if info.file_size > 1024 * 1024 or XLSX_CONTENT_TYPE not in archive.read(info):
        raise FileProblem(
            "The file is not an Excel workbook (.xlsx): macro-enabled and other zip files "
            "are not accepted"
        )


def _check_shared_strings(archive: zipfile.ZipFile, limits: Limits) -> None:
    for info in archive.infolist():
        if not info.filename.lower().endswith("sharedstrings.xml"):
            continue
        if info.file_size > limits.max_shared_strings_bytes:
            raise LimitExceeded(
                f"The workbook's text unpacks to more than "
                f"{megabytes(limits.max_shared_strings_bytes)}, the most an import can take"
            )
        if count_shared_strings(archive, info, limits.max_shared_strings) > (
            limits.max_shared_strings
        ):
            raise LimitExceeded(
                f"The workbook has more than {limits.max_shared_strings:,} different pieces of "
                "text, the most an import can take: split it up"
            )


def count_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo, stop_after: int) -> int:
    """How many strings the part holds, counted chunk by chunk and given up past stop_after.

    Plain byte counts (no parser, no object per string), so a bomb costs only its decompression.
    """
    count = 0
    tail = b""
    tags: tuple[bytes, ...] = ()
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            if not tags:
                prefix = SST_PREFIX.search(window[:4096])
                name = (prefix.group(1) + b":si") if prefix and prefix.group(1) else b"si"
                tags = (b"<" + name + b">", b"<" + name + b" ", b"<" + name + b"/>")
            # A tag split across chunks is counted once: those wholly in the tail were counted.
            count += sum(window.count(tag) - tail.count(tag) for tag in tags)
            if count > stop_after:
                break
            tail = window[-16:]
    return count


def _check_dimensions(archive: zipfile.ZipFile, limits: Limits) -> None:
    for info in archive.infolist():
        name = info.filename.lower()
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        with archive.open(info) as stream:
            start = stream.read(DIMENSION_SCAN_BYTES)
        match = DIMENSION.search(start)
        if match is None:
            continue
        first_col, first_row, last_col, last_row = match.groups()
        rows = int(last_row or first_row) - int(first_row) + 1
        columns = _column_number(last_col or first_col) - _column_number(first_col) + 1
        if rows > limits.max_rows + 1 or columns > limits.max_columns:
            raise LimitExceeded(
                f"A sheet in the workbook declares {rows:,} rows by {columns:,} columns, more "
                f"than an import can take ({limits.max_rows:,} rows, {limits.max_columns} "
                "columns): save only the cells to import"
            )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _xlsx_value(cell):
    value = cell.value
    number_format = getattr(cell, "number_format", None) or ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in number_format:
        # Excel keeps 98.36% as 0.9836 and only shows it as a percentage.
        return round(value * 100, 10)
    return value


def read_xlsx(data: bytes, limits: Limits, sheet_name: str | None = None) -> RawTable:
    """The first sheet (or the one named, if the workbook has it), streamed row by row."""
    from openpyxl import load_workbook  # loaded only when a workbook is uploaded

    inspect_workbook(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a malformed workbook
        raise FileProblem(f"The workbook cannot be read ({type(error).__name__})") from None
    try:
        names = workbook.sheetnames
        sheet = workbook[sheet_name] if sheet_name in names else workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read every row
        rows = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values = [_xlsx_value(c) for c in cells]
            rows.append((number, _check_row(number, number, values, limits)))
    except LimitExceeded:
        raise
    except Exception as error:  # a damaged sheet fails while streaming, not when opened
        raise FileProblem(f"The workbook cannot be read ({type(error).__name__})") from None
    finally:
        workbook.close()
    return RawTable("xlsx", rows)


DECIMAL_COMMA_NUMBER = re.compile(r"^\s*[+-]?(?:\d{1,3}(?:[.\s]\d{3})+|\d+),\d+\s*%?\s*$")


def decimal_point(text: str) -> str:
    """A number written with a decimal comma (33,9 or 1.234,5) as 33.9 or 1234.5; any other text
    as it is, so that a figure already written with a point is never misread."""
    if not DECIMAL_COMMA_NUMBER.match(text):
        return text
    text = text.strip()
    percent = "%" if text.endswith("%") else ""
    number = re.sub(r"[.\s]", "", text.removesuffix("%"))
    return number.replace(",", ".") + percent
