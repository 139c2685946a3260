"""Reading what people type or export: months, figures, yes/no, bases.

Shared by the web forms and the import, so a month or a figure that one accepts the other does too.
Every function raises ValueError with a message fit to show the person who typed it.
"""

import re
from datetime import date, datetime

from tracker.clock import today
from tracker.models import Basis, Unit

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
PERIOD_EXAMPLES = "2016-01, Jan-16, January 2016 or 01/01/2016"

ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
NAMED_MONTH = re.compile(r"^([A-Za-z]+)[\s\-/]*('?\d{2}|\d{4})$")
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")

BASIS_WORDS = {
    "month": Basis.MONTH,
    "monthly": Basis.MONTH,
    "in month": Basis.MONTH,
    "the month": Basis.MONTH,
    "rolling_12": Basis.ROLLING_12,
    "rolling 12": Basis.ROLLING_12,
    "rolling 12 months": Basis.ROLLING_12,
    "rolling 12 month": Basis.ROLLING_12,
    "rolling twelve months": Basis.ROLLING_12,
    "r12": Basis.ROLLING_12,
    "ytd": Basis.YTD,
    "year to date": Basis.YTD,
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}

# The largest figure each unit can possibly take (all of them start at zero).
UNIT_MAXIMUM = {Unit.PERCENTAGE: 100.0, Unit.RATE_PER_10000: 10_000.0}
UNIT_NAMES = {
    Unit.PERCENTAGE: "percentage",
    Unit.RATE_PER_10000: "rate per 10,000",
    Unit.COUNT: "count",
    Unit.WEEKS: "number of weeks",
    Unit.FTE: "number of full-time equivalent posts",
}


def _year(text: str) -> int:
    text = text.lstrip("'")
    return 2000 + int(text) if len(text) == 2 else int(text)


def _month(year: int, month: int) -> date:
    if not 1 <= month <= 12 or not 1900 <= year <= 2999:
        raise ValueError
    return date(year, month, 1)


def check_month_has_happened(period: date) -> None:
    """A figure can be for this month or an earlier one, never a later one (by the app's clock,
    so a demo "as at" date counts). The one rule for the web form and the import."""
    if period > today().replace(day=1):
        raise ValueError(f"{period:%B %Y} is in the future")


def parse_period(raw) -> date:
    """The month a figure is for, as the first day of that month.

    Accepts 2016-01, 2016-01-01, Jan-16, Jan 2016, January 2016, 01/01/2016 (day first, as in the
    UK) and real dates (an Excel date cell). Any day of the month means that month.
    """
    if isinstance(raw, datetime):
        return date(raw.year, raw.month, 1)
    if isinstance(raw, date):
        return date(raw.year, raw.month, 1)
    text = str(raw or "").strip()
    if not text:
        raise ValueError("Enter the month the figure is for")
    try:
        if match := ISO_MONTH.match(text):
            year, month, day = match.groups()
            if day is not None:
                date(int(year), int(month), int(day))
            return _month(int(year), int(month))
        if match := NAMED_MONTH.match(text):
            name, year = match.groups()
            return _month(_year(year), MONTHS[name.lower()])
        if match := UK_DATE.match(text):
            day, month, year = match.groups()
            date(_year(year), int(month), int(day))
            return _month(_year(year), int(month))
    except (KeyError, ValueError):
        pass
    raise ValueError(f"Month '{text}' is not a month like {PERIOD_EXAMPLES}")


def parse_basis(raw) -> Basis:
    text = " ".join(str(raw or "").replace("-", " ").split()).lower()
    if not text:
        return Basis.MONTH
    if text in BASIS_WORDS:
        return BASIS_WORDS[text]
    raise ValueError(f"Basis '{raw}' must be month, rolling 12 months or year to date")


def parse_figure(raw, unit: str) -> float:
    """A figure in the indicator's unit: 98.36 or 98.36% for a percentage, 1,234 for a count."""
    if isinstance(raw, bool):
        raise ValueError(f"Figure '{raw}' is not a number")
    if isinstance(raw, int | float):
        number = float(raw)
        return check_possible(number, unit)
    text = str(raw or "").strip()
    if not text:
        raise ValueError("Enter the figure")
    unit = Unit(unit)
    cleaned = text.replace(",", "").replace(" ", "")
    if cleaned.endswith("%"):
        if unit is not Unit.PERCENTAGE:
            raise ValueError(
                f"Figure '{text}' has a % sign but this indicator is a {UNIT_NAMES[unit]}"
            )
        cleaned = cleaned[:-1]
    try:
        number = float(cleaned)
    except ValueError:
        raise ValueError(f"Figure '{text}' is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"Figure '{text}' is not a number")
    return check_possible(number, unit)


def check_possible(number: float, unit: str) -> float:
    unit = Unit(unit)
    shown = f"{number:g}"
    if number < 0:
        raise ValueError(f"Figure {shown} is impossible: a {UNIT_NAMES[unit]} cannot be negative")
    maximum = UNIT_MAXIMUM.get(unit)
    if maximum is not None and number > maximum:
        raise ValueError(
            f"Figure {shown} is impossible: a {UNIT_NAMES[unit]} cannot be over {maximum:g}"
        )
    return number


def parse_yes_no(raw, field: str = "Provisional") -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw if raw is not None else "").strip().lower()
    if not text or text in NO:
        return False
    if text in YES:
        return True
    raise ValueError(f"{field} '{raw}' must be yes or no")


def parse_optional_number(raw: str | None, name: str) -> float | None:
    text = (raw or "").strip().replace(",", "")
    if not text:
        return None
    try:
        number = float(text.removesuffix("%"))
    except ValueError:
        raise ValueError(f"{name} must be a number, like 95 or 2.5") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be a number, like 95 or 2.5")
    return number
