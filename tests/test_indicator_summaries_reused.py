"""What an indicator's figures give (series, rating, sparkline) is worked out once per process and
reused, keyed by the indicator's own fields, targets and figures: any change shows at once."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories as make
from tests.conftest import count_queries, sign_in
from tracker.extensions import db
from tracker.indicators import pages, queries, service
from tracker.models import (
    Basis,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    PublishedFigure,
    Recommendation,
    Role,
    recommendation_indicators,
)
from tracker.uow import unit_of_work

COMMITTEE = "margaret.fenwick@example.org"


@pytest.fixture
def csc_03(app):
    """Recommendation R3 and its indicator CSC-03 as the seed has them: a 75% target with 5 points
    tolerance, judged on the rolling 12 months (60.3, red) though January alone was 76.2."""
    make.person(Role.COMMITTEE_MEMBER, email=COMMITTEE)
    r3 = make.recommendation(make.plan(), reference="R3")
    made = make.indicator(
        code="CSC-03",
        name="Referrals progressing to assessment",
        basis=Basis.ROLLING_12,
        targets={date(2014, 4, 1): 75.0},
        amber_tolerance=5.0,
        figures={date(2016, 1, 1): 60.3},
        recommendations=[r3],
    )
    made.values.append(IndicatorValue(period=date(2016, 1, 1), basis=Basis.MONTH, value=76.2))
    db.session.commit()
    return made


def _recommendation_page(client) -> str:
    rec = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R3"))
    response = client.get(f"/recommendations/{rec.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _latest_rolling_figure() -> IndicatorValue:
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "CSC-03"))
    return db.session.scalar(
        select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator.id,
            IndicatorValue.basis == "rolling_12",
            IndicatorValue.period == date(2016, 1, 1),
        )
    )


def test_a_changed_figure_target_or_name_shows_on_the_next_request(csc_03, client):
    sign_in(client, COMMITTEE)
    assert "14.7 points below, more than 5 points tolerance, red" in _recommendation_page(client)

    figure = _latest_rolling_figure()
    figure.value = 74.0  # within the 5-point tolerance of the 75% target
    db.session.commit()
    assert "1 point below, within 5 points tolerance, amber" in _recommendation_page(client)

    target = db.session.scalar(
        select(IndicatorTarget).join(Indicator).where(Indicator.code == "CSC-03")
    )
    target.target = 70.0  # changed in place: no new row, no timestamp
    db.session.commit()
    html = _recommendation_page(client)
    assert "amber" not in html.split("CSC-03")[1].split("</tr>")[0]

    figure.indicator.name = "Referrals that became a single assessment"
    db.session.commit()
    assert "CSC-03: Referrals that became a single assessment" in _recommendation_page(client)


def test_reuse_saves_the_work_and_the_reading_of_the_figures(csc_03, client):
    """Once this process has worked an indicator's figures out, a page does not read them again
    (one statement fewer) and shows the same."""
    sign_in(client, COMMITTEE)
    queries._worked.clear()
    with count_queries() as first:
        first_html = _recommendation_page(client)
    with count_queries() as again:
        again_html = _recommendation_page(client)
    assert len(again) == len(first) - 1
    assert not any("row_number()" in statement for statement in again)
    assert _without_nonces(first_html) == _without_nonces(again_html)


def _without_nonces(html: str) -> str:
    return re.sub(r'(nonce|value)="[^"]*"', "", html)


def _indicator_page(client, code: str = "CSC-03") -> str:
    response = client.get(f"/indicators/{code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _chart(html: str) -> str:
    return html[html.index('id="chart"') : html.index('id="figures"')]


def _figures_table(html: str) -> str:
    table = html[html.index('id="figures"') : html.index('id="benchmarks"')]
    return table.split('id="deleted"')[0]  # not the deleted figures


def test_the_indicator_pages_chart_and_figures_show_a_change_on_the_next_request(csc_03, client):
    sign_in(client, COMMITTEE)
    html = _indicator_page(client)
    assert "60.3%" in _chart(html) and "60.3%" in _figures_table(html)

    figure = _latest_rolling_figure()
    figure.value = 74.0
    db.session.commit()
    html = _indicator_page(client)
    assert "60.3%" not in _chart(html) and "74%" in _chart(html)
    assert "60.3%" not in _figures_table(html) and "74%" in _figures_table(html)

    target = db.session.scalar(
        select(IndicatorTarget).join(Indicator).where(Indicator.code == "CSC-03")
    )
    target.target = 70.0  # changed in place: no new row, no timestamp
    db.session.commit()
    html = _indicator_page(client)
    assert "70% target" in _chart(html) and "70% target" in _figures_table(html)

    figure.indicator.name = "Referrals that became a single assessment"
    db.session.commit()
    assert "CSC-03: Referrals that became a single assessment" in _chart(_indicator_page(client))


def test_the_chart_shows_a_changed_published_figure_on_the_next_request(seeded, client):
    sign_in(client, COMMITTEE)
    assert "England, 2015: 60 per 10,000" in _chart(_indicator_page(client, "CSC-10"))
    england = db.session.scalar(
        select(PublishedFigure).where(
            PublishedFigure.geographic_level == "National", PublishedFigure.time_period == "2015"
        )
    )
    england.value = 58.0  # the figures of the indicator itself are unchanged
    db.session.commit()
    chart = _chart(_indicator_page(client, "CSC-10"))
    assert "England, 2015: 58 per 10,000" in chart and "England, 2015: 60" not in chart


def test_the_indicator_page_draws_its_chart_once_and_reads_no_more_for_it(csc_03, client):
    sign_in(client, COMMITTEE)
    queries._worked.clear()
    pages._charts.clear()
    with count_queries() as first:
        first_html = _indicator_page(client)
    with count_queries() as again:
        again_html = _indicator_page(client)
    assert len(again) <= len(first)
    assert _chart(first_html) == _chart(again_html)


def _month_figure() -> IndicatorValue:
    return db.session.scalar(
        select(IndicatorValue).where(
            IndicatorValue.basis == "month", IndicatorValue.period == date(2016, 1, 1)
        )
    )


def test_figures_corrected_moved_deleted_or_added_show_on_the_next_request(csc_03, client):
    """Each change through the service shows at once on the indicator page and the overview."""
    sign_in(client, COMMITTEE)
    assert "76.2%" in _figures_table(_indicator_page(client))

    with unit_of_work():
        service.change_value(_month_figure(), service.Figure(71.5, False, None), None, "Test")
    html = _indicator_page(client)
    assert "71.5%" in _figures_table(html) and "76.2%" not in _figures_table(html)
    assert "Corrected 1 time<" in _figures_table(html)
    assert "71.5%" in client.get("/indicators").get_data(as_text=True)

    with unit_of_work():
        service.move_value(_month_figure(), date(2015, 12, 1), None, "Was December's")
    assert "December 2015" in _figures_table(_indicator_page(client))

    with unit_of_work():
        service.delete_value(_month_figure() or _moved_figure(), None, "Never recorded")
    html = _indicator_page(client)
    assert "71.5%" not in _figures_table(html)
    assert "71.5%" not in client.get("/indicators").get_data(as_text=True)

    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "CSC-03"))
    with unit_of_work():
        service.add_value(
            indicator, date(2016, 1, 1), "month", service.Figure(77.7, False, None), None, "Test"
        )
    assert "77.7%" in _figures_table(_indicator_page(client))
    assert "77.7%" in client.get("/indicators").get_data(as_text=True)


def _moved_figure() -> IndicatorValue:
    return db.session.scalar(
        select(IndicatorValue).where(
            IndicatorValue.basis == "month", IndicatorValue.period == date(2015, 12, 1)
        )
    )


def test_a_table_row_shows_a_changed_benchmark_or_rationale_on_the_next_request(seeded, client):
    """Rows of the indicators table are drawn once per revision of what they show: that
    includes the published figures in the rating's reason and why an indicator is linked."""
    sign_in(client, COMMITTEE)
    overview = client.get("/indicators").get_data(as_text=True)
    assert "statistical neighbours 79; England 60 (published for 2015)" in overview
    england = db.session.scalar(
        select(PublishedFigure).where(
            PublishedFigure.geographic_level == "National", PublishedFigure.time_period == "2015"
        )
    )
    england.value = 58.0
    db.session.commit()
    overview = client.get("/indicators").get_data(as_text=True)
    assert "statistical neighbours 79; England 58 (published for 2015)" in overview

    link = db.session.execute(select(recommendation_indicators).limit(1)).one()
    rec = db.session.get(Recommendation, link.recommendation_id)
    url = f"/recommendations/{rec.id}"
    client.get(url)
    db.session.execute(
        recommendation_indicators.update()
        .where(
            recommendation_indicators.c.recommendation_id == link.recommendation_id,
            recommendation_indicators.c.indicator_id == link.indicator_id,
        )
        .values(rationale="A rationale written just now")
    )
    db.session.commit()
    assert "Why it is linked: A rationale written just now" in client.get(url).get_data(
        as_text=True
    )
