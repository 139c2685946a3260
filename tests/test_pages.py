"""Read-only pages: plans -> plan -> recommendation -> action, and the house-style error pages."""

from sqlalchemy import select

from tests.conftest import sign_in, statements_cold_and_warm
from tracker.extensions import db
from tracker.models import Action, Plan, Recommendation

COMMITTEE = "margaret.fenwick@example.org"


def test_a_committee_member_walks_from_plans_to_an_action(seeded, client):
    sign_in(client, COMMITTEE)
    plans = client.get("/plans").get_data(as_text=True)
    plan = db.session.scalar(select(Plan))
    assert f'href="/plans/{plan.id}"' in plans

    plan_page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    rec = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R1"))
    assert f'href="/recommendations/{rec.id}"' in plan_page
    assert "Live performance data" in plan_page
    assert 'class="govuk-breadcrumbs' in plan_page

    rec_page = client.get(f"/recommendations/{rec.id}").get_data(as_text=True)
    assert f"<title>R1: {rec.title} – Improvement plan tracker</title>" in rec_page
    action = db.session.scalar(select(Action).where(Action.reference == "R1.3"))
    assert f'href="/actions/{action.id}"' in rec_page
    assert "/indicators/" in rec_page  # linked indicators
    assert "Why it is linked:" in rec_page  # the rationale from seed/links.csv

    action_page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "History" in action_page and "June 2016" in action_page


def test_pages_explain_their_ratings_and_show_the_key(seeded, client):
    sign_in(client, COMMITTEE)
    plan = db.session.scalar(select(Plan))
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "What the ratings mean" in page
    assert "overdue" in page  # a reason in words, not only a colour


def test_missing_things_get_a_house_style_404(seeded, client):
    sign_in(client, COMMITTEE)
    for url in ["/plans/9999", "/recommendations/9999", "/actions/9999", "/indicators/NOPE"]:
        response = client.get(url)
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert "Page not found" in page and "Traceback" not in page
        assert "govuk-template" in page


def _add_actions(rec: Recommendation, owner_id: int, count: int) -> None:
    for n in range(count):
        db.session.add(
            Action(
                recommendation_id=rec.id,
                position=100 + n,
                reference=f"{rec.reference}.X{n}",
                description=f"Extra action {n}",
                owner_id=owner_id,
                status="in_progress",
            )
        )
    db.session.commit()


def _statements(client, url: str) -> tuple[int, int]:
    return statements_cold_and_warm(client, url)


def test_plan_and_recommendation_pages_do_not_grow_queries_with_actions(seeded, client):
    sign_in(client, COMMITTEE)
    plan = db.session.scalar(select(Plan))
    rec = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R3"))
    owner_id = db.session.scalar(select(Action.owner_id).where(Action.owner_id.is_not(None)))
    urls = [f"/plans/{plan.id}", f"/recommendations/{rec.id}", "/plans"]

    existing = db.session.scalar(
        select(db.func.count(Action.id)).where(Action.recommendation_id == rec.id)
    )
    _add_actions(rec, owner_id, 10 - existing)
    small = {url: _statements(client, url) for url in urls}
    _add_actions(rec, owner_id, 490)
    large = {url: _statements(client, url) for url in urls}
    assert small == large
