"""Working days in England: Monday to Friday, less England's bank holidays.

Bank holidays come from the maintained `holidays` package (subdivision ENG, pinned in
pyproject.toml), which follows the GOV.UK list, substitute days and one-off holidays included.
Nobody types a holiday in here.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

CALENDAR_SOURCE = (
    f"weekends and England's bank holidays (the holidays package {holidays.__version__}, "
    "United Kingdom, subdivision England)"
)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holiday_name(day: date) -> str | None:
    if day not in _bank_holidays(day.year):
        return None
    return holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The `count`th working day after `start` (the start day itself is day 0, as in "within 70
    working days of receiving the report")."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    counted = 0
    while counted < count:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative if `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(n)))
