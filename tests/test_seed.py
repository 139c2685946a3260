"""The demo plan comes from the source report, faithfully, and loading it twice changes nothing."""

from datetime import date

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import (
    Action,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Plan,
    Recommendation,
    User,
    recommendation_indicators,
)
from tracker.seeding.loader import load_seed


def value(code: str, period: str, basis: str = "month") -> IndicatorValue:
    year, month = map(int, period.split("-"))
    return db.session.scalar(
        select(IndicatorValue)
        .join(IndicatorValue.indicator)
        .where(
            Indicator.code == code,
            IndicatorValue.period == date(year, month, 1),
            IndicatorValue.basis == basis,
        )
    )


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_plan_and_its_eleven_recommendations(seeded):
    plan = db.session.scalar(select(Plan))
    assert plan.inspectorate == "Ofsted"
    assert plan.published_on == date(2015, 9, 18)
    refs = db.session.scalars(select(Recommendation.reference).order_by(Recommendation.position))
    assert list(refs) == [f"R{n}" for n in range(1, 12)]
    titles = " ".join(db.session.scalars(select(Recommendation.title))).lower()
    for phrase in ["live performance", "workforce", "neglect", "complaints", "care leavers"]:
        assert phrase in titles
    assert {m.meeting_on for m in plan.meetings} >= {date(2016, 3, 14)}


def test_actions_the_report_names_with_owners_dates_and_status(seeded):
    actions = {a.reference: a for a in db.session.scalars(select(Action))}
    assert len(actions) >= 25
    assert all(a.owner is not None for a in actions.values())
    by_text = {a.description.lower(): a for a in actions.values()}

    def find(fragment: str) -> Action:
        matches = [a for text, a in by_text.items() if fragment in text]
        assert matches, fragment
        return matches[0]

    upgrade = find("liquid logic upgrade")
    assert upgrade.status == "completed" and upgrade.owner.job_title == "Systems and IT Manager"
    warehouse = find("build the data warehouse")
    assert warehouse.status == "in_progress"
    assert warehouse.current_due_date == date(2016, 6, 30) > warehouse.original_due_date
    neglect = find("neglect strategy")
    assert "Safeguarding Children Board" in neglect.owner.job_title
    assert find("recruitment site").status == "completed"
    assert find("team managers in family support").status == "completed"
    # Every action the report left undated is flagged as assumed rather than passed off as fact.
    assert any(a.due_date_assumed for a in actions.values())


def test_indicators_cover_charts_workforce_and_camhs(seeded):
    codes = set(db.session.scalars(select(Indicator.code)))
    assert {f"CSC-{n:02d}" for n in range(1, 19)} <= codes
    assert {"WF-01", "WF-02", "WF-03", "CAMHS-01"} <= codes


def test_figures_quoted_in_the_report(seeded):
    assert value("CSC-05", "2016-01").value == 98.36  # §4.20
    assert value("CSC-06", "2016-01", "ytd").value == 28  # §4.21
    assert value("CSC-09", "2016-01").value == 93.8  # §4.32
    assert value("CSC-10", "2016-01").value == 73  # §4.37
    assert value("CSC-15", "2016-01").value == 94.6  # §4.51
    assert value("CSC-17", "2016-01").value == 100  # §4.54
    assert value("WF-01", "2015-02").value == 29  # §4.3
    assert value("WF-01", "2016-02").value == 20  # §4.3
    assert [
        value("CSC-08", f"{p}").value
        for p in ["2015-09", "2015-10", "2015-11", "2015-12", "2016-01"]
    ] == [100] * 5  # §4.30
    december_iha = value("CSC-14", "2015-12")  # §4.48: 87%, subject to confirmation
    assert december_iha.value == 87 and december_iha.provisional
    assert "wrong" in december_iha.data_quality_note
    assert db.session.scalar(select(Indicator.benchmark).where(Indicator.code == "CSC-10")) == 79


def test_targets_change_over_time(seeded):
    cp_reviews = db.session.scalar(select(Indicator).where(Indicator.code == "CSC-08"))
    targets = db.session.scalars(
        select(IndicatorTarget.target)
        .where(IndicatorTarget.indicator_id == cp_reviews.id)
        .order_by(IndicatorTarget.effective_from)
    )
    assert list(targets) == [98, 100]  # §4.30: "changed from 98% to 100%"


def test_every_recommendation_with_measures_is_linked(seeded):
    linked = set(db.session.scalars(select(recommendation_indicators.c.recommendation_id)))
    recs = {r.reference: r.id for r in db.session.scalars(select(Recommendation))}
    for ref in ["R1", "R2", "R3", "R6", "R9"]:
        assert recs[ref] in linked, ref
    workforce = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R2"))
    assert {"WF-01", "WF-02", "WF-03"} <= {i.code for i in workforce.indicators}


def test_demo_accounts_cover_every_role(seeded):
    roles = set(db.session.scalars(select(User.role).where(User.is_demo)))
    assert roles == {"committee_member", "head_of_service", "performance_officer", "admin"}


def test_seeding_twice_changes_nothing(seeded):
    before = row_counts()
    report = load_seed(seeded.config["DEMO_PASSWORD"])
    db.session.commit()
    assert report.total == 0
    assert row_counts() == before
