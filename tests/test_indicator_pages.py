"""Indicator pages: the overview, an indicator's chart and table, the data caveat wherever a
figure appears, and what performance officers change (definitions, targets, values, links)."""

import re
from datetime import date

from sqlalchemy import func, select

from tests.conftest import count_queries, csrf_token, sign_in
from tracker.auth.passwords import hash_password
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    IndicatorValueRevision,
    Recommendation,
    User,
    recommendation_indicators,
)

COMMITTEE = "margaret.fenwick@example.org"
HEAD = "mark.ellison@example.org"
PERFORMANCE = "rachel.booth@example.org"
ADMIN = "laura.pickering@example.org"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def indicator(code: str) -> Indicator:
    return db.session.scalar(select(Indicator).where(Indicator.code == code))


def recommendation(reference: str) -> Recommendation:
    return db.session.scalar(select(Recommendation).where(Recommendation.reference == reference))


def stored(code: str, period: date, basis: str = "month") -> IndicatorValue | None:
    return db.session.scalar(
        select(IndicatorValue)
        .join(IndicatorValue.indicator)
        .where(
            Indicator.code == code, IndicatorValue.period == period, IndicatorValue.basis == basis
        )
    )


def post(client, url: str, data: dict, form_url: str | None = None):
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token})


def events(name: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == name)))


# --- Reading ---------------------------------------------------------------------------------


def test_overview_lists_every_indicator_with_rating_trend_and_sparkline(seeded, client):
    sign_in(client, COMMITTEE)
    html = page(client, "/indicators")
    total = db.session.scalar(select(func.count(Indicator.id)))
    assert html.count('<th scope="row" class="govuk-table__header"><a') == total
    assert html.count('class="app-sparkline"') == total
    assert "60.3% (rolling 12 months) against a 75% target" in html  # CSC-03, red
    assert "76.2% against a 75% target: above target, green" in html  # its January figure
    assert "Improving over the last 3 months" in html
    assert "Data caveat" in html and "known to be wrong" in html  # CSC-14
    assert "Import figures" not in html  # committee members change nothing


def test_indicator_page_has_an_accessible_chart_and_the_same_data_in_a_table(seeded, client):
    sign_in(client, COMMITTEE)
    html = page(client, "/indicators/CSC-03")
    svg = re.search(r"<svg[^>]*role=\"img\"[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'aria-labelledby="indicator-chart-title indicator-chart-desc"' in svg
    assert '<title id="indicator-chart-title">CSC-03: Referrals progressing to a single' in svg
    desc = re.search(r'<desc id="indicator-chart-desc">(.*?)</desc>', svg, re.S).group(1)
    assert "from February 2015 to January 2016" in desc
    assert "60.3% (rolling 12 months) against a 75% target" in desc
    assert 'stroke-dasharray="8 4"' in svg  # the target line
    assert "<rect" in svg and "<circle" in svg  # red squares and green circles, not only colour
    assert ">Month</text>" in svg and ">Percentage</text>" in svg  # axis titles
    assert ">Jan 2016</text>" in svg
    # Table: every month, both figures, each with its rating.
    table = html[html.index('id="figures"') :]
    assert table.count('<th scope="row" class="govuk-table__header">') >= 12
    assert "76.2% against a 75% target: above target, green" in table
    assert "60.3% (rolling 12 months) against a 75% target" in table
    assert "<script" not in svg


def test_chart_shows_the_benchmark_and_a_changed_target(seeded, client):
    sign_in(client, COMMITTEE)
    cla = page(client, "/indicators/CSC-10")
    assert 'stroke="#1d70b8"' in cla  # the statistical-neighbour line
    assert "Statistical neighbour average (most recent available): 79 per 10,000" in cla
    reviews = page(client, "/indicators/CSC-08")
    assert "Target changed: 98% (amber within 2 points), then 100% (amber within 2 points)" in (
        reviews
    )


def test_data_caveat_shows_on_the_overview_indicator_and_recommendation_pages(seeded, client):
    sign_in(client, COMMITTEE)
    caveat = "Performance system figure, known to be wrong"
    rec = recommendation("R6")
    for url in ["/indicators", "/indicators/CSC-14", f"/recommendations/{rec.id}"]:
        html = page(client, url)
        assert "Data caveat" in html and caveat in html, url
    assert "govuk-warning-text" in page(client, "/indicators/CSC-14")


def test_recommendation_page_shows_linked_indicators_rating_and_trend(seeded, client):
    sign_in(client, COMMITTEE)
    rec = recommendation("R3")
    html = page(client, f"/recommendations/{rec.id}")
    assert "CSC-03: Referrals progressing to a single assessment" in html
    assert "14.7 points below, more than 5 points tolerance, red" in html
    assert "Improving over the last 3 months" in html


def test_indicator_page_lists_the_recommendations_it_evidences(seeded, client):
    sign_in(client, COMMITTEE)
    html = page(client, "/indicators/CSC-15")
    for reference in ("R6", "R11"):
        rec = recommendation(reference)
        assert f'href="/recommendations/{rec.id}"' in html
    assert "Annual health assessments for children in care" in html  # the rationale


def _add_indicators(count: int) -> None:
    start = db.session.scalar(select(func.count(Indicator.id)))
    for n in range(start, start + count):
        extra = Indicator(
            code=f"X-{n:04d}", name=f"Extra {n}", unit="count", polarity="lower_better"
        )
        db.session.add(extra)
        db.session.flush()
        db.session.add(
            IndicatorTarget(indicator_id=extra.id, effective_from=date(2015, 1, 1), target=10)
        )
        for month in range(1, 13):
            db.session.add(
                IndicatorValue(
                    indicator_id=extra.id,
                    period=date(2015, month, 1),
                    basis="month",
                    value=month,
                    data_quality_note="Check" if month == 12 else None,
                )
            )
    db.session.commit()


def _statements(client, url: str) -> int:
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def _sign_in_reader(client) -> None:
    db.session.add(
        User(
            email="reader@example.org",
            name="Reader",
            role="committee_member",
            password_hash=hash_password("a long enough password"),
        )
    )
    db.session.commit()
    sign_in(client, "reader@example.org", "a long enough password")


def _codes_listed(html: str) -> list[str]:
    return re.findall(r'<th scope="row" class="govuk-table__header"><a[^>]*>([^:<]+):', html)


def test_overview_queries_and_page_size_do_not_grow_with_the_number_of_indicators(app, client):
    _sign_in_reader(client)
    _add_indicators(20)
    small = _statements(client, "/indicators")
    assert page(client, "/indicators").count('class="app-sparkline"') == 20
    _add_indicators(480)
    large = _statements(client, "/indicators")
    html = page(client, "/indicators")
    assert html.count('class="app-sparkline"') == 50
    assert "Showing 1 to 50 of 500 indicators" in html
    assert small == large
    assert _statements(client, "/indicators?page=7") == large


def test_overview_pages_through_every_indicator_once_in_code_order(app, client):
    _sign_in_reader(client)
    _add_indicators(120)
    first = page(client, "/indicators")
    assert 'href="/indicators?page=2"' in first and 'href="/indicators?page=3"' in first
    assert 'aria-current="page"' in first and "(page 1 of 3)" in first
    listed = []
    for number in (1, 2, 3):
        listed += _codes_listed(page(client, f"/indicators?page={number}"))
    assert listed == [f"X-{n:04d}" for n in range(120)]
    last = page(client, "/indicators?page=3")
    assert "Showing 101 to 120 of 120 indicators" in last
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert client.get("/indicators?page=4").status_code == 404
    assert _codes_listed(page(client, "/indicators?page=nonsense"))[0] == "X-0000"


def test_overview_finds_indicators_by_code_or_name_and_keeps_the_search_across_pages(app, client):
    _sign_in_reader(client)
    _add_indicators(120)
    assert _codes_listed(page(client, "/indicators?q=x-0042")) == ["X-0042"]
    assert _codes_listed(page(client, "/indicators?q=Extra+7")) == [
        "X-0007",
        *[f"X-{n:04d}" for n in range(70, 80)],
    ]
    matching_one = page(client, "/indicators?q=Extra+1")  # 1, 10-19, 100-119: 31
    assert "31 indicators matching “Extra 1”" in matching_one
    matching_all = page(client, "/indicators?q=extra")
    assert 'href="/indicators?q=extra&amp;page=2"' in matching_all
    nothing = page(client, "/indicators?q=100%25")
    assert "No indicator's code or name contains “100%”" in nothing


# --- Who may change what ---------------------------------------------------------------------


def test_only_performance_officers_and_admins_manage_indicators(seeded, client):
    urls = [
        "/indicators/new",
        "/indicators/CSC-05/edit",
        "/indicators/CSC-05/targets/new",
        "/indicators/CSC-05/values/new",
        "/indicators/CSC-05/links",
        "/indicators/import",
    ]
    for email in (COMMITTEE, HEAD):
        sign_in(client, email)
        for url in urls:
            assert client.get(url).status_code == 403, (email, url)
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/indicators")})
    for email in (PERFORMANCE, ADMIN):
        sign_in(client, email)
        for url in urls:
            assert client.get(url).status_code == 200, (email, url)
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/indicators")})


# --- Definitions and targets -------------------------------------------------------------------

NEW_INDICATOR = {
    "code": "ch-01",
    "name": "Care leavers in suitable accommodation",
    "description": "Care leavers aged 19-21 in suitable accommodation.",
    "unit": "percentage",
    "polarity": "higher_better",
    "basis": "month",
    "decimals": "1",
    "benchmark": "88.5",
    "benchmark_label": "Statistical neighbours 2014-15",
    "source": "Liquid Logic",
    "owner_id": "",
}


def test_a_performance_officer_adds_an_indicator_then_its_target(seeded, client):
    sign_in(client, PERFORMANCE)
    response = post(client, "/indicators/new", NEW_INDICATOR)
    assert response.status_code == 302
    assert response.headers["Location"] == "/indicators/CH-01/targets/new"
    created = indicator("CH-01")
    assert created.benchmark == 88.5 and created.unit == "percentage"
    assert events("indicator.created")[0].after["code"] == "CH-01"

    response = post(
        client,
        "/indicators/CH-01/targets/new",
        {"effective_from": "Apr-15", "target": "90", "amber_tolerance": "3", "source": "Board"},
    )
    assert response.status_code == 302
    target = db.session.scalar(
        select(IndicatorTarget).where(IndicatorTarget.indicator_id == created.id)
    )
    assert (target.effective_from, target.target, target.amber_tolerance) == (
        date(2015, 4, 1),
        90,
        3,
    )
    assert events("indicator_target.added")
    html = page(client, "/indicators/CH-01")
    assert "90% (amber within 3 points)" in html


def test_indicator_form_rejects_bad_input_and_keeps_what_was_typed(seeded, client):
    sign_in(client, PERFORMANCE)
    bad = {**NEW_INDICATOR, "code": "CSC-05", "decimals": "7", "benchmark": "lots", "unit": ""}
    response = post(client, "/indicators/new", bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Add an indicator" in html
    assert "govuk-error-summary" in html
    assert "Select a unit" in html
    assert "Decimal places shown must be 0, 1, 2 or 3" in html
    assert "Benchmark must be a number" in html
    assert 'value="Care leavers in suitable accommodation"' in html
    bad = {**NEW_INDICATOR, "code": "CSC-05"}
    html = post(client, "/indicators/new", bad).get_data(as_text=True)
    assert "An indicator with the code CSC-05 already exists" in html
    assert indicator("CH-01") is None


def test_a_target_change_from_a_month_keeps_earlier_months_judged_as_before(seeded, client):
    sign_in(client, PERFORMANCE)
    response = post(
        client,
        "/indicators/CSC-15/targets/new",
        {"effective_from": "2016-01", "target": "97", "amber_tolerance": "1"},
    )
    assert response.status_code == 302
    html = page(client, "/indicators/CSC-15")
    assert "94.6% against a 97% target: 2.4 points below, more than 1 point tolerance, red" in html
    assert "94.4% against a 95% target" in html  # December, under the old target
    duplicate = post(
        client,
        "/indicators/CSC-15/targets/new",
        {"effective_from": "01/01/2016", "target": "98", "amber_tolerance": "1"},
    )
    assert "A target already takes effect from January 2016" in duplicate.get_data(as_text=True)


def test_editing_an_indicator_is_audited_and_a_stale_save_is_refused(seeded, client):
    sign_in(client, PERFORMANCE)
    form_html = page(client, "/indicators/CSC-15/edit")
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([^"]+)"', form_html).group(1)
    found = indicator("CSC-15")
    data = {
        "code": "CSC-15",
        "name": found.name,
        "description": found.description,
        "unit": found.unit,
        "polarity": found.polarity,
        "basis": found.basis,
        "decimals": "2",
        "benchmark": "",
        "benchmark_label": "",
        "source": found.source,
        "owner_id": str(found.owner_id or ""),
        "fingerprint": fingerprint,
    }
    assert post(client, "/indicators/CSC-15/edit", data).status_code == 302
    assert indicator("CSC-15").decimals == 2
    event = events("indicator.updated")[0]
    assert event.before == {"decimals": 1} and event.after == {"decimals": 2}
    # A second editor who opened the form before that save is refused.
    stale = post(client, "/indicators/CSC-15/edit", {**data, "decimals": "0"})
    assert stale.status_code == 200
    stale_html = stale.get_data(as_text=True)
    assert "Someone else saved a change to this indicator" in stale_html
    assert "<title>Error: Change CSC-15" in stale_html and "govuk-error-summary" in stale_html
    assert indicator("CSC-15").decimals == 2


# --- Values and their history ----------------------------------------------------------------


def test_adding_a_month_figure_with_a_caveat_and_provisional_flag(seeded, client):
    sign_in(client, PERFORMANCE)
    response = post(
        client,
        "/indicators/CSC-15/values/new",
        {
            "period": "Feb-16",
            "basis": "month",
            "value": "95.2%",
            "provisional": "y",
            "data_quality_note": "Awaiting the health provider's return.",
        },
    )
    assert response.status_code == 302
    added = stored("CSC-15", date(2016, 2, 1))
    assert (added.value, added.provisional) == (95.2, True)
    assert added.data_quality_note == "Awaiting the health provider's return."
    assert events("indicator_value.added")[0].after["period"] == "2016-02"
    html = page(client, "/indicators")
    assert "February 2016" in html and "Awaiting the health provider" in html
    assert "95.2% against a 95% target: above target, green" in html


def test_value_form_rejects_impossible_figures_and_duplicate_months(seeded, client):
    sign_in(client, PERFORMANCE)
    cases = [
        ({"period": "2016-02", "value": "101"}, "Figure 101 is impossible"),
        ({"period": "2016-02", "value": "-1"}, "cannot be negative"),
        ({"period": "2016-02", "value": "n/a"}, "Figure &#39;n/a&#39; is not a number"),
        ({"period": "Febtember", "value": "90"}, "is not a month like"),
        ({"period": "2016-01", "value": "90"}, "There is already a month figure for January 2016"),
    ]
    for data, message in cases:
        response = post(client, "/indicators/CSC-15/values/new", {"basis": "month", **data})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and message in html, message
        assert f'value="{data["period"]}"' in html  # what was typed is kept
    assert stored("CSC-15", date(2016, 2, 1)) is None


def test_correcting_a_figure_keeps_the_previous_one_in_its_history(seeded, client):
    sign_in(client, PERFORMANCE)
    value = stored("CSC-15", date(2016, 1, 1))
    url = f"/indicators/CSC-15/values/{value.id}/edit"
    form_html = page(client, url)
    stamp = re.search(r'name="stamp"[^>]*value="([^"]+)"', form_html).group(1)
    data = {"value": "94.9", "data_quality_note": "Corrected after audit.", "stamp": stamp}
    response = post(client, url, data)
    assert response.status_code == 302
    value = stored("CSC-15", date(2016, 1, 1))
    assert value.value == 94.9 and value.quoted is False
    revision = db.session.scalar(select(IndicatorValueRevision))
    assert (revision.previous_value, revision.previous_data_quality_note) == (94.6, None)
    history = page(client, f"/indicators/CSC-15/values/{value.id}")
    assert "From 94.6% to 94.9%" in history
    assert '<td class="govuk-table__cell">Rachel Booth</td>' in history
    assert "Data-quality note added: Corrected after audit." in history
    assert "Corrected 1 time" in page(client, "/indicators/CSC-15")
    # The same stale form again is refused, not silently applied.
    stale = post(client, url, {**data, "value": "90"})
    assert "Someone else saved a change to this figure" in stale.get_data(as_text=True)
    assert stored("CSC-15", date(2016, 1, 1)).value == 94.9


# --- Links -----------------------------------------------------------------------------------


def _linked(code: str) -> set[str]:
    query = (
        select(Recommendation.reference)
        .join(
            recommendation_indicators,
            recommendation_indicators.c.recommendation_id == Recommendation.id,
        )
        .join(Indicator, Indicator.id == recommendation_indicators.c.indicator_id)
        .where(Indicator.code == code)
    )
    return set(db.session.scalars(query))


def test_linking_and_unlinking_an_indicator_and_a_recommendation(seeded, client):
    sign_in(client, PERFORMANCE)
    rec = recommendation("R8")
    response = post(
        client,
        "/indicators/CSC-17/links",
        {
            "recommendation_id": str(rec.id),
            "rationale": "Education plans are on the Council's agenda.",
        },
    )
    assert response.status_code == 302
    assert "R8" in _linked("CSC-17")
    assert "CSC-17" in page(client, f"/recommendations/{rec.id}")
    assert events("indicator.linked")[0].after["recommendation"] == "R8"

    missing = post(client, "/indicators/CSC-17/links", {"recommendation_id": "", "rationale": ""})
    html = missing.get_data(as_text=True)
    assert "Select a recommendation" in html

    token = csrf_token(client, "/indicators/CSC-17/links")
    response = client.post(f"/indicators/CSC-17/links/{rec.id}/remove", data={"csrf_token": token})
    assert response.status_code == 302
    assert "R8" not in _linked("CSC-17")
    assert events("indicator.unlinked")[0].before["rationale"].startswith("Education plans")
