"""Indicator RAG and trend: the rules in words, and the report's own ratings reproduced from the
seeded data (report of 14 March 2016, §4.13-4.54)."""

from datetime import date

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.indicators.queries import latest_values_for
from tracker.indicators.rag import format_value, rate_value, trend, value_rag
from tracker.models import Indicator, IndicatorTarget, IndicatorValue
from tracker.rag import Colour


def summary(code: str):
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == code))
    return latest_values_for([indicator])[0]


def month_values(code: str, basis: str = "month") -> dict[str, IndicatorValue]:
    query = (
        select(IndicatorValue)
        .join(IndicatorValue.indicator)
        .where(Indicator.code == code, IndicatorValue.basis == basis)
    )
    return {f"{v.period:%Y-%m}": v for v in db.session.scalars(query)}


# --- The report's ratings, from the seeded data ---------------------------------------------


def test_referrals_per_10000_are_red_on_the_rolling_12_month_rate(seeded):
    s = summary("CSC-02")
    assert s.latest.basis == "rolling_12" and s.latest.period == date(2016, 1, 1)
    assert s.rating.rag.colour is Colour.RED
    assert s.rating.rag.reason.startswith(
        "759 per 10,000 (rolling 12 months) against a 600 per 10,000 target"
    )
    assert "159 per 10,000 above" in s.rating.rag.reason
    # The month itself is "slightly higher than we think it should be" (§4.14).
    assert s.month_rag.colour is Colour.AMBER
    assert s.rating.trend.startswith("Improving")  # "the trend is reducing"; lower is better


def test_referrals_to_assessment_january_on_target_but_rolling_12_months_red(seeded):
    s = summary("CSC-03")
    assert s.rating.rag.colour is Colour.RED
    assert s.rating.rag.reason == (
        "60.3% (rolling 12 months) against a 75% target: "
        "14.7 points below, more than 5 points tolerance, red"
    )
    assert s.latest_month.period == date(2016, 1, 1)
    assert s.month_rag.colour is Colour.GREEN
    assert s.month_rag.reason == "76.2% against a 75% target: above target, green"


def test_single_assessments_month_above_target_year_to_date_amber(seeded):
    s = summary("CSC-05")
    assert s.latest.basis == "ytd"
    assert s.rating.rag.colour is Colour.AMBER
    assert s.rating.rag.reason == (
        "92.52% (year to date) against a 95% target: "
        "2.48 points below, within 5 points tolerance, amber"
    )
    assert s.latest_month.value == pytest.approx(98.36)
    assert s.month_rag.colour is Colour.GREEN
    assert s.month_rag.reason == "98.36% against a 95% target: above target, green"


def test_child_protection_plans_per_10000_green(seeded):
    s = summary("CSC-07")
    assert s.rating.rag.colour is Colour.GREEN
    assert s.rating.rag.reason == (
        "43.6 per 10,000 against a 45 per 10,000 target: below target, green"
    )
    # The August 2015 spike was red: the report says the rate came back to green.
    spike = month_values("CSC-07")["2015-08"]
    assert rate_value(spike.indicator, spike, s.targets).colour is Colour.RED


def test_health_assessments_94_6_against_95_is_amber(seeded):
    s = summary("CSC-15")
    assert s.rating.rag.colour is Colour.AMBER
    assert s.rating.rag.reason == (
        "94.6% against a 95% target: 0.4 points below, within 2 points tolerance, amber"
    )


def test_child_protection_reviews_100_against_a_target_raised_to_100_green(seeded):
    s = summary("CSC-08")
    assert s.rating.target.target == 100  # moved from 98 in December 2015
    assert s.rating.rag.colour is Colour.GREEN
    assert s.rating.rag.reason == "100% against a 100% target: on target, green"
    # Before the change, months are judged against the 98% target then in force.
    july = month_values("CSC-08")["2015-07"]
    assert rate_value(july.indicator, july, s.targets).reason.startswith(
        "97.9% against a 98% target"
    )


def test_placement_moves_green_again_after_turning_amber(seeded):
    s = summary("CSC-11")
    values = month_values("CSC-11")
    colours = {
        month: rate_value(values[month].indicator, values[month], s.targets).colour
        for month in ("2015-08", "2015-09", "2015-10", "2015-11", "2015-12", "2016-01")
    }
    assert colours == {
        "2015-08": Colour.GREEN,
        "2015-09": Colour.AMBER,
        "2015-10": Colour.AMBER,
        "2015-11": Colour.AMBER,
        "2015-12": Colour.GREEN,
        "2016-01": Colour.GREEN,
    }
    assert s.rating.rag.colour is Colour.GREEN
    assert s.rating.trend.startswith("Improving over the last 3 months")


@pytest.mark.parametrize(
    ("code", "colour"),
    [
        ("CSC-01", Colour.GREEN),
        ("CSC-06", Colour.RED),
        ("CSC-09", Colour.AMBER),
        ("CSC-10", Colour.GREEN),
        ("CSC-12", Colour.GREEN),
        ("CSC-13", Colour.RED),
        ("CSC-16", Colour.RED),
        ("CSC-17", Colour.GREEN),
    ],
)
def test_every_other_rating_the_report_states(seeded, code, colour):
    assert summary(code).rating.rag.colour is colour


def test_initial_health_assessments_carry_their_data_caveat(seeded):
    s = summary("CSC-14")
    assert s.caveats == [s.latest]
    assert "known to be wrong" in s.latest.data_quality_note


def test_a_caveated_figure_does_not_drive_the_trend(seeded):
    # The report says health assessments have improved (§4.49) and that January's system
    # figure is wrong (§4.44): the trend must not read "Worsening ... to 58.3%".
    s = summary("CSC-14")
    assert s.rating.trend == "No trend: January 2016 figure not comparable: see note"
    assert s.rating.trend_direction == "unknown"
    assert "58.3" not in s.rating.trend


# --- The rules, on made-up figures ----------------------------------------------------------


def _indicator(polarity="higher_better", unit="percentage", decimals=1, basis="month"):
    return Indicator(
        code="T-1", name="Test", unit=unit, polarity=polarity, basis=basis, decimals=decimals
    )


def _target(target=None, tolerance=0.0, low=None, high=None, start=date(2015, 1, 1)):
    return IndicatorTarget(
        effective_from=start,
        target=target,
        amber_tolerance=tolerance,
        lower_bound=low,
        upper_bound=high,
    )


def test_tolerance_edges_for_higher_and_lower_is_better():
    higher = _indicator()
    target = _target(95, 1)
    assert value_rag(higher, 95, target).colour is Colour.GREEN
    assert value_rag(higher, 94, target).colour is Colour.AMBER
    assert value_rag(higher, 94, target).reason == (
        "94% against a 95% target: 1 point below, within 1 point tolerance, amber"
    )
    assert value_rag(higher, 93.9, target).colour is Colour.RED
    lower = _indicator(polarity="lower_better", unit="count", decimals=0)
    cap = _target(20, 2)
    assert value_rag(lower, 19, cap).reason == "19 against a 20 target: below target, green"
    assert value_rag(lower, 22, cap).colour is Colour.AMBER
    assert value_rag(lower, 23, cap).reason == (
        "23 against a 20 target: 3 above, more than 2 tolerance, red"
    )


def test_floating_point_noise_does_not_change_a_rating():
    indicator = _indicator(polarity="lower_better")
    target = _target(10, 0.7)
    assert value_rag(indicator, 10.7, target).colour is Colour.AMBER  # 10.7 - 10 = 0.69999...


def test_within_range_ratings_and_no_target():
    indicator = _indicator(polarity="within_range", unit="rate_per_10000", decimals=0)
    band = _target(low=71.4, high=79.1, tolerance=2)
    assert value_rag(indicator, 73, band).reason == (
        "73 per 10,000 against an expected range of 71.4 to 79.1 per 10,000: within range, green"
    )
    assert value_rag(indicator, 80, band).colour is Colour.AMBER
    assert "above the range" in value_rag(indicator, 82, band).reason
    assert value_rag(indicator, 82, band).colour is Colour.RED
    assert value_rag(indicator, 60, None).colour is Colour.GREY


def _series(indicator, figures, start=date(2015, 11, 1)):
    months = [
        date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(len(figures))
    ]
    values = [
        IndicatorValue(indicator=indicator, period=m, basis="month", value=v)
        for m, v in zip(months, figures, strict=True)
    ]
    return list(reversed(values))


def test_trend_takes_polarity_into_account():
    rising = [90, 91, 93]
    assert trend(_indicator(), _series(_indicator(), rising)).startswith("Improving")
    lower = _indicator(polarity="lower_better")
    assert trend(lower, _series(lower, rising)) == (
        "Worsening over the last 3 months: 90% in November 2015 to 93% in January 2016"
    )
    assert trend(lower, _series(lower, [50, 50.1, 50])).startswith("Steady")
    assert trend(lower, _series(lower, [50])) == "Not enough figures for a trend"


def test_trend_stops_short_of_a_caveated_figure_and_says_why():
    indicator = _indicator()
    series = _series(indicator, [60, 90, 93])
    series[-1].data_quality_note = "System figure known to be wrong"
    assert trend(indicator, series) == (
        "Improving over the last 2 months: 90% in December 2015 to 93% in January 2016"
        " (November 2015 figure not comparable: see note)"
    )
    series[0].data_quality_note = "Not comparable: new recording system"
    assert trend(indicator, series) == "No trend: January 2016 figure not comparable: see note"


def test_trend_for_a_range_is_judged_by_distance_from_the_range():
    indicator = _indicator(polarity="within_range", unit="rate_per_10000")
    band = [_target(low=70, high=80)]
    assert trend(indicator, _series(indicator, [90, 86, 82]), band).startswith("Improving")
    assert trend(indicator, _series(indicator, [72, 75, 78]), band).startswith(
        "Rising within the expected range"
    )
    assert trend(indicator, _series(indicator, [75, 70, 62]), band).startswith("Worsening")


def test_figures_are_shown_in_their_unit():
    assert format_value(98.36, "percentage", 2) == "98.36%"
    assert format_value(759, "rate_per_10000", 0) == "759 per 10,000"
    assert format_value(20.0, "fte", 1) == "20 FTE"
    assert format_value(1234.5, "count", 1) == "1,234.5"
    assert format_value(None, "count") == "no figure"
