"""Reading numbers and text from the query string and the URL, the one way.

`int()` accepts what `str.isdigit()` lets through only in part (superscript two passes one and
breaks the other), and a number beyond the database's integer range makes the query fail. So
every id or page number the app reads from a request comes through `whole_number`: ASCII
digits, at most DB_INT_MAX, or nothing. Routes get the same bound from `DatabaseIdConverter`.
"""

from flask import request
from werkzeug.routing import IntegerConverter, UnicodeConverter

from tracker.text import clean_line

# Every id column is an INTEGER: 32 bits signed on PostgreSQL, and SQLite stores what it is given.
DB_INT_MAX = 2**31 - 1


def whole_number(text: str | None, maximum: int = DB_INT_MAX) -> int | None:
    """`text` as a whole number from 0 to `maximum`, or None if it is anything else."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


def number_arg(name: str, maximum: int = DB_INT_MAX) -> int | None:
    """A whole-number query argument, or None if it is absent or not a whole number."""
    return whole_number(request.args.get(name), maximum)


def text_arg(name: str, max_length: int = 100) -> str:
    """A one-line text query argument (a search), cleaned as typed text is."""
    return (clean_line(request.args.get(name, "")) or "")[:max_length]


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in a route: ASCII digits within the database's integer range, else 404."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class PrintableConverter(UnicodeConverter):
    """`<name>` in a route: a path segment with no control characters (NUL breaks PostgreSQL)."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]")


def register_converters(app) -> None:
    """Before any blueprint adds its routes."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.url_map.converters["default"] = PrintableConverter
    app.url_map.converters["string"] = PrintableConverter
