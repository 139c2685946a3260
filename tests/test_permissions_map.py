"""Every route declares who may use it; anonymous visitors reach only the public ones."""

import pytest
from werkzeug.routing import IntegerConverter

from tracker import create_app
from tracker.permissions import Permission, declared_permission

PUBLIC_ENDPOINTS = {
    "static",
    "auth.sign_in",
    "auth.sign_out",
    "auth.signed_out",
    "main.healthz",
    # Someone who cannot sign in must be able to ask for, and use, a set-password link.
    "auth.forgot_password",
    "auth.reset_link_sent",
    "auth.set_password",
    # The second step of signing in (two-factor): it grants nothing without the right password
    # moments before in the same browser (tests/test_two_factor.py).
    "auth.sign_in_code",
    # Single sign-on: starting it, and the provider's answer (which signs people in).
    "auth.oidc_start",
    "auth.oidc_callback",
    # The data API's OpenAPI document and its reference page (the API itself needs a token).
    "api.openapi",
    "api.reference",
}


def _example_url(app, rule):
    values = dict(rule.defaults or {})
    for arg, converter in rule._converters.items():
        values[arg] = 1 if isinstance(converter, IntegerConverter) else "X1"
    built = rule.build(values, append_unknown=False)
    assert built, rule
    return built[1]


def test_every_endpoint_declares_a_permission(app):
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if declared_permission(app, rule.endpoint) is None
    ]
    assert missing == []


def test_only_the_expected_endpoints_are_public(app):
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if declared_permission(app, rule.endpoint) is Permission.PUBLIC
    }
    assert public == PUBLIC_ENDPOINTS


def test_anonymous_requests_are_sent_to_sign_in(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        if declared_permission(app, rule.endpoint) is Permission.API_TOKEN:
            continue  # answers 401 without a bearer token: tests/test_api.py
        url = _example_url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if method == "POST" and response.status_code == 400:
                # CSRF refuses the request before anything else runs; still nothing happens.
                continue
            assert response.status_code == 302, (rule.endpoint, method, response.status_code)
            assert response.headers["Location"].startswith("/sign-in?next="), rule.endpoint
            checked += 1
    assert checked >= 5


def test_a_view_without_a_declared_permission_is_refused(app):
    fresh = create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    fresh.add_url_rule("/undeclared", "undeclared", lambda: "should never be served")
    response = fresh.test_client().get("/undeclared")
    assert response.status_code == 403
    assert "should never be served" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/healthz"])
def test_healthz_is_public_and_says_ok(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
