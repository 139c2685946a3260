"""Finding an importer's columns by their headings, and row problems in one shape."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the heading the template writes
    aliases: tuple[str, ...]  # headings accepted, as normalised by heading_key
    required: bool = True
    guidance: str = ""


@dataclass(frozen=True)
class RowProblem:
    """One problem with a file: its row (None for the file as a whole), the column's heading if
    the problem is in one cell, and a message fit to show the person who made the file."""

    row: int | None
    message: str
    column: str | None = None
    noun: str = "Row"  # "Line" where people think of the file as lines (the indicator CSV)

    def __str__(self) -> str:
        return f"{self.noun} {self.row}: {self.message}" if self.row else self.message

    @property
    def line(self) -> int:
        return self.row or 0


def heading_key(text) -> str:
    """A heading reduced to lower-case words: 'Lead (email)*' and 'lead_email' match alike."""
    words = re.sub(r"\(optional\)|\*", "", str(text or "").lower())
    words = re.sub(r"[^a-z0-9()]+", " ", words)
    return " ".join(words.split())


def is_blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


@dataclass
class HeaderMatch:
    row: int  # the heading row's number
    positions: dict[str, int]  # column key -> index in the row
    ignored: list[str]  # headings that are none of the importer's columns
    duplicates: list[Column]  # columns whose heading appears more than once
    missing: list[Column]  # required columns not found


def match_header(row: int, headings: list, columns: list[Column]) -> HeaderMatch:
    by_alias = {heading_key(alias): column for column in columns for alias in column.aliases}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    duplicates: list[Column] = []
    for index, text in enumerate(headings):
        column = by_alias.get(heading_key(text))
        if column is None:
            if not is_blank(text):
                ignored.append(str(text).strip())
        elif column.key in positions:
            duplicates.append(column)
        else:
            positions[column.key] = index
    missing = [c for c in columns if c.required and c.key not in positions]
    return HeaderMatch(row, positions, ignored, duplicates, missing)


def first_filled(rows: list[tuple[int, list]]) -> int | None:
    """The index of the first row with anything in it (the heading row)."""
    return next((i for i, (_, cells) in enumerate(rows) if not all(map(is_blank, cells))), None)
