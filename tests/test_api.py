"""The data API (issue 15): tokens, writing figures, reading plans and indicators, and every
kind of bad input, on SQLite and PostgreSQL."""

import hashlib
import html
import re
import uuid
from datetime import date, timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from tests.conftest import form_post, make_app, sign_in
from tracker.api.tokens import issue_token
from tracker.extensions import db
from tracker.indicators.importing import plan_import
from tracker.models import (
    ApiIdempotencyKey,
    ApiToken,
    AuditEvent,
    ImportRecord,
    Indicator,
    IndicatorValue,
    IndicatorValueRevision,
    User,
    utcnow,
)
from tracker.permissions import Permission, declared_permission

ADMIN = "laura.pickering@example.org"
ALL_SCOPES = ["figures:write", "plans:read", "indicators:read"]
PROBLEM = "application/problem+json"


@pytest.fixture
def api(seeded, as_at):
    as_at(date(2016, 3, 14))
    return seeded


def person(email: str = ADMIN) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def new_token(scopes=ALL_SCOPES, name="Data warehouse", days=90) -> str:
    admin = person()
    issued = issue_token(name, admin, list(scopes), days, admin)
    db.session.commit()
    return issued.secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def value_of(code: str, period: date, basis: str = "month") -> IndicatorValue | None:
    return db.session.scalar(
        select(IndicatorValue)
        .join(IndicatorValue.indicator)
        .where(
            Indicator.code == code, IndicatorValue.period == period, IndicatorValue.basis == basis
        )
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def assert_problem(response, status: int, field: str | None = None, words: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    if words is not None:
        assert words in body["detail"], body
    return body


# --- Tokens ----------------------------------------------------------------------------------


def test_admin_creates_a_token_that_is_shown_once_and_stored_only_as_a_hash(api, client):
    sign_in(client, ADMIN)
    page = client.get("/admin/api-tokens/new").get_data(as_text=True)
    assert "90" in page  # the default expiry
    response = form_post(
        client,
        "/admin/api-tokens/new",
        {
            "name": "Power BI dashboard",
            "owner_id": str(person("rachel.booth@example.org").id),
            "scopes": ["plans:read", "indicators:read"],
            "days": "90",
        },
    )
    assert response.status_code == 200
    shown = re.search(r"ipt_[A-Za-z0-9_\-]{40,}", response.get_data(as_text=True)).group(0)
    assert "shown only this once" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"

    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "Power BI dashboard"))
    assert token.token_hash == hashlib.sha256(shown.encode()).hexdigest()
    stored = [getattr(token, c.key) for c in ApiToken.__table__.columns]
    assert not any(isinstance(v, str) and shown in v for v in stored)
    assert token.scopes == "plans:read indicators:read"
    assert abs((token.expires_at - utcnow()) - timedelta(days=90)) < timedelta(minutes=5)

    listing = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "Power BI dashboard" in listing and shown not in listing and "Never" in listing

    api_client = api.test_client()
    assert api_client.get("/api/v1/plans", headers=bearer(shown)).status_code == 200
    db.session.expire_all()
    assert token.last_used_at is not None and token.last_used_ip == "127.0.0.1"
    assert "from 127.0.0.1" in client.get("/admin/api-tokens").get_data(as_text=True)


def test_a_token_expires_within_a_year(api, client):
    sign_in(client, ADMIN)
    response = form_post(
        client,
        "/admin/api-tokens/new",
        {"name": "Too long", "owner_id": str(person().id), "scopes": ["plans:read"], "days": "366"},
    )
    assert "A token must expire within 1 to 365 days" in response.get_data(as_text=True)
    assert count(ApiToken) == 0


def test_only_admins_manage_tokens(api, client):
    sign_in(client, "rachel.booth@example.org")
    assert client.get("/admin/api-tokens").status_code == 403
    assert client.get("/admin/api-tokens/new").status_code == 403


def test_a_revoked_token_is_refused_on_the_next_request_by_every_process(
    api, client, tmp_path_factory
):
    secret = new_token()
    # A second app on the same database stands for another worker process or host.
    other = make_app(api.config["SQLALCHEMY_DATABASE_URI"], tmp_path_factory)
    other.config["AS_AT_DATE"] = api.config["AS_AT_DATE"]
    other_client = other.test_client()
    assert other_client.get("/api/v1/plans", headers=bearer(secret)).status_code == 200
    assert client.get("/api/v1/plans", headers=bearer(secret)).status_code == 200

    sign_in(client, ADMIN)
    token = db.session.scalar(select(ApiToken))
    response = form_post(client, f"/admin/api-tokens/{token.id}/revoke", {})
    assert response.status_code == 302

    for each in (client, other_client):
        refused = each.get("/api/v1/plans", headers=bearer(secret))
        assert_problem(refused, 401, words="has been revoked")
        assert "Bearer" in refused.headers["WWW-Authenticate"]
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
    events = [e.event for e in db.session.scalars(select(AuditEvent))]
    assert "api_token.created" in events and "api_token.revoked" in events


def test_every_api_endpoint_refuses_a_caller_without_a_token(api, client):
    checked = 0
    for rule in api.url_map.iter_rules():
        if declared_permission(api, rule.endpoint) is not Permission.API_TOKEN:
            continue
        url = rule.rule.replace("<code>", "CSC-01").replace("<period>", "2016-02")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, json={"value": 1})
            assert_problem(response, 401)
            checked += 1
    assert checked == 7


def test_missing_unknown_and_expired_tokens_are_refused(api, client):
    assert_problem(client.get("/api/v1/plans"), 401, words="Authorization: Bearer")
    assert_problem(
        client.get("/api/v1/plans", headers=bearer("ipt_" + "x" * 43)), 401, words="not recognised"
    )
    secret = new_token()
    token = db.session.scalar(select(ApiToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_problem(client.get("/api/v1/plans", headers=bearer(secret)), 401, words="expired")


def test_a_token_stops_working_when_its_owner_is_deactivated(api, client):
    secret = new_token()
    person().active = False
    db.session.commit()
    assert_problem(client.get("/api/v1/plans", headers=bearer(secret)), 401, words="deactivated")


def test_idempotency_keys_are_forgotten_after_a_week(api, client):
    secret = new_token()
    figure = {"indicator_code": "CSC-01", "period": "2016-02", "value": 30}
    headers = {**bearer(secret), "Idempotency-Key": "old"}
    client.post("/api/v1/indicators/figures:batch", json=batch(figure), headers=headers)
    stored = db.session.scalar(select(ApiIdempotencyKey))
    stored.created_at = utcnow() - timedelta(days=8)
    db.session.commit()
    headers = {**bearer(secret), "Idempotency-Key": "new"}
    client.post("/api/v1/indicators/figures:batch", json=batch(figure), headers=headers)
    assert db.session.scalars(select(ApiIdempotencyKey.key)).all() == ["new"]


def test_a_token_without_the_scope_is_forbidden_and_nothing_is_written(api, client):
    secret = new_token(scopes=["plans:read"])
    response = client.put(
        "/api/v1/indicators/CSC-01/figures/2016-02", json={"value": 30}, headers=bearer(secret)
    )
    assert_problem(response, 403, words="figures:write")
    assert value_of("CSC-01", date(2016, 2, 1)) is None
    assert_problem(client.get("/api/v1/indicators", headers=bearer(secret)), 403)


def test_the_api_sets_no_cookie_and_needs_no_csrf_token(api, client):
    secret = new_token()
    response = client.put(
        "/api/v1/indicators/CSC-01/figures/2016-02", json={"value": 30}, headers=bearer(secret)
    )
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers

    # A signed-in browser's session cookie is no substitute for a token.
    sign_in(client, ADMIN)
    assert client.get("/admin/api-tokens").status_code == 200
    refused = client.get("/api/v1/plans")
    assert_problem(refused, 401)
    assert "Set-Cookie" not in refused.headers


# --- Writing figures -------------------------------------------------------------------------


def test_a_pushed_figure_shows_on_the_indicator_page_with_its_history_and_audit_trail(api, client):
    secret = new_token(name="Liquid Logic warehouse")
    url = "/api/v1/indicators/CSC-01/figures/2016-02"
    added = client.put(url, json={"value": 33.3, "provisional": True}, headers=bearer(secret))
    assert added.status_code == 201
    assert added.get_json()["outcome"] == "added"
    again = client.put(url, json={"value": 33.3, "provisional": True}, headers=bearer(secret))
    assert again.status_code == 200 and again.get_json()["outcome"] == "unchanged"
    corrected = client.put(
        url,
        json={"value": 31.2, "data_quality_note": "Recount after\u202e the LL upgrade"},
        headers=bearer(secret),
    )
    assert corrected.get_json()["outcome"] == "changed"
    assert corrected.get_json()["figure"]["revisions"] == 1

    stored = value_of("CSC-01", date(2016, 2, 1))
    assert stored.value == 31.2 and not stored.provisional
    assert stored.data_quality_note == "Recount after the LL upgrade"  # bidi control removed
    assert [r.previous_value for r in stored.revisions] == [33.3]

    sign_in(client, ADMIN)
    indicator_page = client.get("/indicators/CSC-01").get_data(as_text=True)
    assert "February 2016" in indicator_page and "31.2" in indicator_page
    history = client.get(f"/indicators/CSC-01/values/{stored.id}").get_data(as_text=True)
    history = re.sub(r"\s+", " ", history[history.index('id="history"') :])
    assert "From 33.3% to 31.2%" in history, history
    assert "Laura Pickering" in history  # the token's owner answers for it
    trail = html.unescape(client.get("/audit").get_data(as_text=True))
    assert "API token 'Liquid Logic warehouse' (held by Laura Pickering) added" in trail
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.event.like("indicator_value.%"))
    ).all()
    assert {e.event for e in events} == {"indicator_value.added", "indicator_value.changed"}
    assert all(e.api_token.name == "Liquid Logic warehouse" for e in events)


@pytest.mark.parametrize(
    ("path", "body", "status", "field", "words"),
    [
        ("NO-SUCH/figures/2016-02", {"value": 3}, 404, "code", "no indicator with the code"),
        ("CSC-01/figures/2016-04", {"value": 3}, 422, "period", "April 2016 is in the future"),
        ("CSC-01/figures/2016-02", {"value": 140}, 422, "value", "cannot be over 100"),
        ("CSC-01/figures/2016-02", {"value": -1}, 422, "value", "cannot be negative"),
        ("CSC-01/figures/13-2016", {"value": 3}, 422, "period", "is not a month like"),
        ("CSC-01/figures/2016-02", {"value": "lots"}, 422, "value", "valid number"),
        ("CSC-01/figures/2016-02", {}, 422, "value", "Field required"),
        ("CSC-01/figures/2016-02", {"value": 3, "colour": 1}, 422, "colour", "Extra inputs"),
        (
            "CSC-01/figures/2016-02",
            {"value": 3, "data_quality_note": "x" * 2001},
            422,
            "data_quality_note",
            "Data quality note must be 2,000 characters or fewer",
        ),
    ],
)
def test_a_bad_figure_is_refused_naming_the_field(api, client, path, body, status, field, words):
    secret = new_token()
    response = client.put(f"/api/v1/indicators/{path}", json=body, headers=bearer(secret))
    assert_problem(response, status, field=field, words=words)
    assert count(IndicatorValue) == count_seeded_values()


def count_seeded_values() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(IndicatorValue)
        .where(IndicatorValue.updated_by_id.is_(None))
    )


def test_a_body_that_is_not_json_is_a_bad_request(api, client):
    secret = new_token()
    url = "/api/v1/indicators/CSC-01/figures/2016-02"
    malformed = client.put(
        url, data='{"value": 3', headers={**bearer(secret), "Content-Type": "application/json"}
    )
    assert_problem(malformed, 400, words="not valid JSON")
    not_json = client.put(url, data="value=3", headers=bearer(secret))
    assert_problem(not_json, 400, words="Content-Type: application/json")
    nan = client.put(
        url, data='{"value": NaN}', headers={**bearer(secret), "Content-Type": "application/json"}
    )
    assert_problem(nan, 422, field="value")


def test_a_body_over_the_size_limit_is_refused(api, client):
    secret = new_token()
    api.config["API_MAX_BODY_BYTES"] = 1000
    try:
        response = client.post(
            "/api/v1/indicators/figures:batch",
            json={"figures": [{"indicator_code": "CSC-01", "period": "2016-02", "value": 1}] * 50},
            headers=bearer(secret),
        )
    finally:
        api.config["API_MAX_BODY_BYTES"] = 4 * 1024 * 1024
    assert_problem(response, 413, words="1,000 bytes")


def batch(*figures):
    return {"figures": list(figures)}


def test_a_batch_is_written_all_together_as_an_import(api, client):
    secret = new_token(name="Nightly load")
    response = client.post(
        "/api/v1/indicators/figures:batch",
        json=batch(
            {"indicator_code": "CSC-01", "period": "2016-02", "value": 30.5},
            {"indicator_code": "csc-01", "period": "Feb-16", "basis": "rolling_12", "value": 40},
            {"indicator_code": "CSC-01", "period": "2016-01", "value": 99.9, "provisional": True},
        ),
        headers=bearer(secret),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() | {"import_id": 0} == {
        "added": 2,
        "changed": 1,
        "unchanged": 0,
        "import_id": 0,
    }
    record = db.session.get(ImportRecord, response.get_json()["import_id"])
    assert "Nightly load" in record.filename
    assert value_of("CSC-01", date(2016, 2, 1), "rolling_12").value == 40
    january = value_of("CSC-01", date(2016, 1, 1))
    assert january.value == 99.9 and len(january.revisions) == 1
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.event == "indicator_values.imported")
    )
    assert event.api_token.name == "Nightly load"


def test_a_batch_with_any_bad_figure_saves_nothing_and_says_what_the_import_says(api, client):
    secret = new_token()
    figures = [
        {"indicator_code": "CSC-01", "period": "2016-02", "value": 30},
        {"indicator_code": "NOPE", "period": "2016-02", "value": 30},
        {"indicator_code": "CSC-01", "period": "2016-06", "value": 140},
        {"indicator_code": "CSC-01", "period": "2016-02", "value": 31},
    ]
    before = (count(IndicatorValue), count(ImportRecord), count(IndicatorValueRevision))
    response = client.post(
        "/api/v1/indicators/figures:batch", json=batch(*figures), headers=bearer(secret)
    )
    body = assert_problem(response, 422, words="nothing was saved")
    assert (count(IndicatorValue), count(ImportRecord), count(IndicatorValueRevision)) == before

    # The same rows as a CSV upload get the very same words (the API's line N is figure N).
    csv = "Indicator code,Period,Value\n" + "".join(
        f"{f['indicator_code']},{f['period']},{f['value']}\n" for f in figures
    )
    web = plan_import(csv.encode(), "same.csv")

    def one_line_up(match):  # the file's line 1 is its headings
        return f"{match.group(1)}{int(match.group(2)) - 1}"

    web_words = sorted(re.sub(r"([Ll]ine )(\d+)", one_line_up, str(e)) for e in web.errors)
    assert sorted(e["detail"] for e in body["errors"]) == web_words
    by_field = {(e["line"], e["field"]) for e in body["errors"]}
    assert {
        (2, "figures[1].indicator_code"),
        (3, "figures[2].period"),
        (3, "figures[2].value"),
    } <= by_field


def test_a_batch_of_more_than_5000_figures_is_too_large(api, client):
    secret = new_token()
    figure = {"indicator_code": "CSC-01", "period": "2016-02", "value": 30}
    response = client.post(
        "/api/v1/indicators/figures:batch", json=batch(*[figure] * 5001), headers=bearer(secret)
    )
    assert_problem(response, 413, field="figures", words="at most 5,000")
    assert value_of("CSC-01", date(2016, 2, 1)) is None


def test_a_retried_batch_with_the_same_idempotency_key_changes_nothing(api, client):
    secret = new_token()
    body = batch(
        {"indicator_code": "CSC-01", "period": "2016-02", "value": 30},
        {"indicator_code": "CSC-01", "period": "2016-01", "value": 12.5},
    )
    headers = {**bearer(secret), "Idempotency-Key": "2016-02-load-1"}
    first = client.post("/api/v1/indicators/figures:batch", json=body, headers=headers)
    assert first.status_code == 200

    def state():
        return (
            count(IndicatorValue),
            count(IndicatorValueRevision),
            count(ImportRecord),
            count(AuditEvent),
            [(v.id, v.value, v.updated_at) for v in db.session.scalars(select(IndicatorValue))],
        )

    db.session.expire_all()
    before = state()
    retry = client.post("/api/v1/indicators/figures:batch", json=body, headers=headers)
    assert retry.status_code == 200
    assert retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    db.session.expire_all()
    assert state() == before

    different = batch({"indicator_code": "CSC-01", "period": "2016-02", "value": 31})
    reused = client.post("/api/v1/indicators/figures:batch", json=different, headers=headers)
    assert_problem(reused, 422, field="Idempotency-Key")
    assert value_of("CSC-01", date(2016, 2, 1)).value == 30


# --- Reading ---------------------------------------------------------------------------------


def test_if_none_match_gives_304_until_something_changes(api, client):
    secret = new_token()
    for url in ("/api/v1/plans", "/api/v1/actions?limit=5", "/api/v1/indicators/CSC-01"):
        first = client.get(url, headers=bearer(secret))
        assert first.status_code == 200
        etag = first.headers["ETag"]
        unchanged = client.get(url, headers={**bearer(secret), "If-None-Match": etag})
        assert unchanged.status_code == 304 and unchanged.get_data() == b""
        assert unchanged.headers["ETag"] == etag
        assert first.headers["Cache-Control"] == unchanged.headers["Cache-Control"]
        assert first.headers["Cache-Control"] == "private, no-cache"

    url = "/api/v1/indicators/CSC-01"
    etag = client.get(url, headers=bearer(secret)).headers["ETag"]
    client.put(
        "/api/v1/indicators/CSC-01/figures/2016-02", json={"value": 30}, headers=bearer(secret)
    )
    changed = client.get(url, headers={**bearer(secret), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["figures"][0]["period"] == "2016-02"


def test_pages_follow_the_cursor_to_the_end(api, client):
    secret = new_token()
    seen, url = [], "/api/v1/actions?limit=7"
    while url:
        page = client.get(url, headers=bearer(secret)).get_json()
        seen += [a["id"] for a in page["items"]]
        url = page["next"]
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    everything = client.get("/api/v1/actions?limit=500", headers=bearer(secret)).get_json()
    assert [a["id"] for a in everything["items"]] == seen and everything["next"] is None
    assert_problem(
        client.get("/api/v1/actions?cursor=not-ours", headers=bearer(secret)), 400, field="cursor"
    )


@pytest.mark.parametrize("argument", ["_anchor=x", "_external=0", "_scheme=javascript"])
def test_query_arguments_never_shape_the_next_link(api, client, argument):
    response = client.get(f"/api/v1/actions?limit=2&{argument}", headers=bearer(new_token()))
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        following = response.get_json()["next"]
        assert following.startswith("http://localhost/api/v1/actions?")
        assert "#" not in following and f"{argument}" in following


def test_actions_give_job_titles_and_only_give_emails_with_people_read(api, client):
    plain = client.get("/api/v1/actions?status=blocked", headers=bearer(new_token()))
    actions = plain.get_json()["items"]
    assert actions and all(a["status"] == "blocked" for a in actions)
    owned = [a for a in actions if a["owner"]]
    assert owned and all(a["owner"]["job_title"] and a["owner"]["email"] is None for a in owned)
    assert all(a["rating"]["colour"] == "red" and a["rating"]["reason"] for a in actions)

    people = new_token(scopes=["plans:read", "people:read"], name="HR")
    detailed = client.get("/api/v1/actions?status=blocked", headers=bearer(people)).get_json()
    assert all("@" in a["owner"]["email"] for a in detailed["items"] if a["owner"])


def test_recommendations_and_plans_carry_their_rating_and_reason(api, client):
    secret = new_token()
    plans = client.get("/api/v1/plans?status=active", headers=bearer(secret)).get_json()["items"]
    assert plans and plans[0]["rating"]["reason"].startswith("Recommendations:")
    recs = client.get(
        f"/api/v1/recommendations?plan={plans[0]['id']}", headers=bearer(secret)
    ).get_json()["items"]
    assert len(recs) == plans[0]["recommendations"]
    assert all(r["rating"]["colour"] in {"red", "amber", "green", "blue", "grey"} for r in recs)
    assert client.get("/api/v1/plans?status=archived", headers=bearer(secret)).get_json() == {
        "items": [],
        "next_cursor": None,
        "next": None,
    }


def test_updated_since_returns_only_what_changed(seeded, client):
    # On the real clock: the seed was stamped by it, and "since" must come after the seed.
    secret = new_token()
    since = utcnow().isoformat()
    assert (
        client.get(
            "/api/v1/indicators", query_string={"updated_since": since}, headers=bearer(secret)
        ).get_json()["items"]
        == []
    )
    client.put(
        "/api/v1/indicators/CSC-01/figures/2016-02", json={"value": 30}, headers=bearer(secret)
    )
    changed = client.get(
        "/api/v1/indicators", query_string={"updated_since": since}, headers=bearer(secret)
    ).get_json()["items"]
    assert [i["code"] for i in changed] == ["CSC-01"]
    assert changed[0]["targets"] and changed[0]["rating"]["reason"]


def test_the_rate_limit_is_per_token(api, client):
    api.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        busy, quiet = new_token(name="Busy"), new_token(name="Quiet")
        for _ in range(3):
            assert client.get("/api/v1/plans", headers=bearer(busy)).status_code == 200
        refused = client.get("/api/v1/plans", headers=bearer(busy))
        assert_problem(refused, 429, words="Too many requests")
        assert int(refused.headers["Retry-After"]) > 0
        assert client.get("/api/v1/plans", headers=bearer(quiet)).status_code == 200
    finally:
        api.config["API_RATE_LIMIT"] = "300 per minute"


def test_unknown_api_addresses_answer_in_problem_json(api, client):
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert_problem(client.delete("/api/v1/plans", headers=bearer(new_token())), 405)


def test_the_openapi_document_and_reference_page_are_published(api, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)  # a valid OpenAPI 3.1 document
    assert set(document["paths"]) >= {
        "/api/v1/plans",
        "/api/v1/recommendations",
        "/api/v1/actions",
        "/api/v1/indicators",
        "/api/v1/indicators/{code}",
        "/api/v1/indicators/{code}/figures/{period}",
        "/api/v1/indicators/figures:batch",
    }
    put = document["paths"]["/api/v1/indicators/{code}/figures/{period}"]["put"]
    assert PROBLEM in put["responses"]["422"]["content"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = client.get("/api/v1/reference")
    assert page.status_code == 200
    assert "PUT /api/v1/indicators/{code}/figures/{period}" in page.get_data(as_text=True)


def test_with_redis_every_process_shares_one_rate_limit_count(api, tmp_path_factory):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not answering at 127.0.0.1:6379")
    secret = new_token()
    settings = {
        "API_RATE_LIMIT_STORAGE": "redis://127.0.0.1:6379",
        "API_RATE_LIMIT": "4 per minute",
        "RATELIMIT_KEY_PREFIX": f"tracker-test-{uuid.uuid4().hex}",
        "AS_AT_DATE": api.config["AS_AT_DATE"],
    }
    url = api.config["SQLALCHEMY_DATABASE_URI"]
    first, second = (make_app(url, tmp_path_factory, **settings) for _ in range(2))
    try:
        for each in (first, second, first, second):
            assert (
                each.test_client().get("/api/v1/plans", headers=bearer(secret)).status_code == 200
            )
        for each in (first, second):
            refused = each.test_client().get("/api/v1/plans", headers=bearer(secret))
            assert_problem(refused, 429)
    finally:
        for each in (first, second):
            with each.app_context():
                db.session.remove()
                db.engine.dispose()
