"""Working days in England, counted as a person with a calendar would. Each expected date says
how it was counted: day 1 is the first working day after the report or letter arrived."""

from datetime import date

import pytest

from tracker.inspections.working_days import (
    add_working_days,
    bank_holiday_name,
    is_working_day,
    working_days_between,
)

CASES = [
    pytest.param(
        date(2015, 9, 18),
        20,
        date(2015, 10, 16),
        # Fri 18 Sep 2015 received. 21-25 Sep = 1-5, 28 Sep-2 Oct = 6-10, 5-9 Oct = 11-15,
        # 12-16 Oct = 16-20: Friday 16 October 2015. No bank holiday in between.
        id="draft-20-days-from-the-2015-report",
    ),
    pytest.param(
        date(2015, 9, 18),
        70,
        date(2015, 12, 29),
        # Thirteen whole weeks 21 Sep-18 Dec = 1-65; Mon 21-Thu 24 Dec = 66-69; Fri 25 Dec is
        # Christmas Day; Sat 26 Boxing Day falls on a weekend, so Mon 28 Dec is the substitute
        # bank holiday; Tue 29 Dec 2015 = 70.
        id="final-70-days-across-christmas-and-a-substitute-boxing-day",
    ),
    pytest.param(
        date(2016, 3, 10),
        20,
        date(2016, 4, 11),
        # Thu 10 Mar 2016 received. Fri 11 = 1, 14-18 Mar = 2-6, 21-24 Mar = 7-10; Good Friday
        # 25 Mar and Easter Monday 28 Mar skipped; 29 Mar-1 Apr = 11-14, 4-8 Apr = 15-19,
        # Mon 11 Apr 2016 = 20.
        id="draft-20-days-across-easter-2016",
    ),
    pytest.param(
        date(2016, 2, 1),
        70,
        date(2016, 5, 12),
        # Mon 1 Feb 2016 received. 2-5 Feb = 1-4, then whole weeks to 18 Mar = 5-34,
        # 21-24 Mar = 35-38; Good Friday and Easter Monday skipped; 29 Mar-1 Apr = 39-42,
        # four whole weeks 4-29 Apr = 43-62; Mon 2 May early May bank holiday skipped;
        # 3-6 May = 63-66, Mon 9-Thu 12 May 2016 = 67-70.
        id="final-70-days-across-easter-and-early-may-2016",
    ),
    pytest.param(
        date(2021, 12, 8),
        20,
        date(2022, 1, 10),
        # Wed 8 Dec 2021 received. 9-10 Dec = 1-2, 13-17 = 3-7, 20-24 = 8-12. Christmas Day and
        # Boxing Day 2021 fell on Sat and Sun, so Mon 27 and Tue 28 Dec were substitute bank
        # holidays; 29-31 Dec = 13-15. New Year's Day was a Saturday, so Mon 3 Jan 2022 was its
        # substitute; 4-7 Jan = 16-19, Mon 10 Jan 2022 = 20.
        id="draft-20-days-across-two-christmas-substitutes-and-new-year-substitute",
    ),
]


@pytest.mark.parametrize(("received", "days", "expected"), CASES)
def test_working_days_land_where_a_calendar_says(received, days, expected):
    assert add_working_days(received, days) == expected
    assert working_days_between(received, expected) == days


def test_substitute_days_come_from_the_library_not_a_typed_list():
    assert bank_holiday_name(date(2015, 12, 28)) == "Boxing Day (observed)"
    assert not is_working_day(date(2021, 12, 27)) and not is_working_day(date(2021, 12, 28))
    assert is_working_day(date(2015, 12, 29))
    # Scotland's 2 January is not an English bank holiday.
    assert is_working_day(date(2017, 1, 3)) and is_working_day(date(2015, 1, 2))


def test_zero_days_is_the_day_itself_and_negative_is_refused():
    assert add_working_days(date(2016, 3, 14), 0) == date(2016, 3, 14)
    with pytest.raises(ValueError):
        add_working_days(date(2016, 3, 14), -1)
