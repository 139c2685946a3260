"""The safety limits every import is held to, and the errors that refuse a file."""

from dataclasses import dataclass, replace

from flask import current_app

MB = 1024 * 1024


class FileProblem(Exception):
    """The file as a whole cannot be read (wrong type, damaged, no heading row...)."""


class LimitExceeded(FileProblem):
    """The file is beyond one of the safety limits: refused before (or while) it is parsed."""


@dataclass(frozen=True)
class Limits:
    """The limits, from IMPORT_MAX_* in config.py (the one place their defaults are set)."""

    max_file_bytes: int  # the upload itself (CSV and XLSX)
    max_rows: int  # rows of data, after the heading row
    max_columns: int
    max_cell_chars: int
    max_line_chars: int  # one physical line of a CSV file
    max_unpacked_bytes: int  # sum of a workbook's parts, uncompressed
    max_compression_ratio: int  # uncompressed size / compressed size, whole workbook
    max_parts: int  # files inside the workbook's zip
    max_shared_strings_bytes: int  # xl/sharedStrings.xml, uncompressed
    max_shared_strings: int  # distinct text cells a workbook may declare

    def at_most(self, rows: int) -> "Limits":
        """These limits with a lower row limit (an importer's own, smaller, business limit)."""
        return replace(self, max_rows=min(self.max_rows, rows))


def from_config(config) -> Limits:
    """The limits in a configuration mapping (config.py, IMPORT_MAX_*)."""
    return Limits(
        max_file_bytes=int(config["IMPORT_MAX_FILE_MB"] * MB),
        max_rows=config["IMPORT_MAX_ROWS"],
        max_columns=config["IMPORT_MAX_COLUMNS"],
        max_cell_chars=config["IMPORT_MAX_CELL_CHARS"],
        max_line_chars=config["IMPORT_MAX_LINE_CHARS"],
        max_unpacked_bytes=int(config["IMPORT_MAX_UNPACKED_MB"] * MB),
        max_compression_ratio=config["IMPORT_MAX_COMPRESSION_RATIO"],
        max_parts=config["IMPORT_MAX_PARTS"],
        max_shared_strings_bytes=int(config["IMPORT_MAX_SHARED_STRINGS_MB"] * MB),
        max_shared_strings=config["IMPORT_MAX_SHARED_STRINGS"],
    )


def configured() -> Limits:
    """The limits the running app is configured with."""
    return from_config(current_app.config)


def megabytes(size: int) -> str:
    return f"{size / MB:g} MB"
