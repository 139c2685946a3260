"""Issue 16, "Bad input and attacks": ID tokens a real provider would never send. A provider we
control (tests/oidc_support.py ForgingProvider) serves discovery, keys and a token endpoint that
checks the client secret, the code and the PKCE verifier, then answers with a forged ID token.
Each is refused with a clear page, audited, and signs nobody in; each test fails if its check
is removed."""

import json
import time

import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import select

from tests.oidc_support import (
    APP_BASE,
    CLIENT_ID,
    CLIENT_SECRET,
    ForgingProvider,
    b64url,
    local_path,
)
from tracker.extensions import db
from tracker.models import AuditEvent, User

EMAIL = "invited@council.example"


@pytest.fixture
def forger(app, settings):
    provider = ForgingProvider(advertised_algorithms=("RS256", "none", "HS256"))
    settings(
        BASE_URL=APP_BASE,
        OIDC_ISSUER=provider.issuer,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_ALLOWED_DOMAINS=["council.example"],
        OIDC_PROVIDER_NAME="Testshire Council",
    )
    db.session.add(User(email=EMAIL, name="Sam Invited", role="head_of_service"))
    db.session.commit()
    yield provider
    provider.stop()


def come_back(client, forger, claims=None):
    started = client.get("/sign-in/council")
    assert started.status_code == 302
    return client.get(local_path(forger.authorize(started.headers["Location"], claims or {})))


def sign_in_with(client, forger, **claims):
    return come_back(client, forger, {"email": EMAIL, **claims})


def signed_in(client) -> bool:
    with client.session_transaction() as stored:
        return "_user_id" in stored


def assert_refused(client, response, reason: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert "<title>Your sign-in could not be checked" in page
    assert "Start again from the sign-in page" in page
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.event == "sign_in.oidc_refused"
    assert reason in event.after["reason"], event.after
    assert not signed_in(client)
    assert db.session.scalar(select(User.last_signed_in_at)) is None


def test_a_properly_signed_token_signs_in_with_pkce(client, forger):
    response = sign_in_with(client, forger)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert signed_in(client)
    # The token endpoint was called with the verifier whose S256 challenge was sent.
    assert forger.token_requests[0]["code_verifier"]


def test_a_wrong_nonce_is_refused(client, forger):
    forger.claim_changes = {"nonce": "another-sign-in"}
    assert_refused(client, sign_in_with(client, forger), "nonce")


def test_a_token_signed_with_another_key_is_refused(client, forger):
    stranger = RSAKey.generate_key(2048)
    forger.forge = lambda claims, p: p.sign(claims, key=stranger, kid=p.key.kid)
    assert_refused(client, sign_in_with(client, forger), "signature did not verify")


def test_a_token_naming_an_unknown_key_is_refused_after_fetching_keys_again(client, forger):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "not-published"})
    forger.forge = lambda claims, p: p.sign(claims, key=stranger)
    assert_refused(client, sign_in_with(client, forger), "signature did not verify")


def test_an_unsigned_token_alg_none_is_refused(client, forger):
    def unsigned(claims, provider):
        header = b64url(json.dumps({"alg": "none", "kid": provider.key.kid}).encode())
        return f"{header}.{b64url(json.dumps(claims).encode())}."

    forger.forge = unsigned
    assert_refused(client, sign_in_with(client, forger), "signature did not verify")


def test_a_token_for_another_audience_is_refused(client, forger):
    forger.claim_changes = {"aud": "some-other-service"}
    assert_refused(client, sign_in_with(client, forger), "audience")


def test_a_token_from_another_issuer_is_refused(client, forger):
    forger.claim_changes = {"iss": "https://login.example/other-tenant/v2.0"}
    assert_refused(client, sign_in_with(client, forger), "another issuer")


def test_an_expired_token_is_refused(client, forger):
    now = int(time.time())
    forger.claim_changes = {"iat": now - 600, "exp": now - 90}  # beyond the 60 s allowed skew
    assert_refused(client, sign_in_with(client, forger), "expired")


def test_clock_skew_within_the_bound_is_allowed(client, forger):
    now = int(time.time())
    forger.claim_changes = {"iat": now + 20, "exp": now - 20}
    assert sign_in_with(client, forger).status_code == 302
    assert signed_in(client)


def test_a_token_signed_with_the_client_secret_is_refused(client, forger):
    """A token signed with the client secret (HS256, which the discovery document offered)."""
    from joserfc import jwt
    from joserfc.jwk import OctKey

    secret = OctKey.import_key(CLIENT_SECRET.encode() * 2)
    forger.forge = lambda claims, p: jwt.encode({"alg": "HS256"}, claims, secret)
    assert_refused(client, sign_in_with(client, forger), "signature did not verify")


def test_a_discovery_document_for_another_issuer_is_not_trusted(client, forger, settings):
    settings(OIDC_ISSUER=forger.issuer + "/")  # what the tracker expects is not what it says
    response = client.get("/sign-in/council")
    assert response.status_code == 502
    event = db.session.scalars(select(AuditEvent)).one()
    assert "another issuer" in event.after["reason"]
