"""The OpenID Connect protocol through Authlib (tracker/auth/oidc.py says what is checked and
why). Imported only by a sign-in through the council's provider."""

import time

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import FlaskOAuth2App
from authlib.integrations.flask_client.integration import FlaskIntegration
from flask import current_app, url_for
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError

from tracker.auth.oidc import Refused, Settings, configured

METADATA_SECONDS = 24 * 3600
SCOPES = "openid email profile"
SIGNING_ALGORITHMS = (
    *("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"),
    *("ES256", "ES384", "ES512", "EdDSA", "Ed25519"),
)


class CouncilClient(FlaskOAuth2App):
    """Authlib's client, with the discovery document checked before it is trusted."""

    server_metadata: dict  # set by Authlib's base class (untyped here)

    def __init__(self, config: Settings):
        super().__init__(
            FlaskIntegration("council"),
            name="council",
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=config.discovery_url,
            client_kwargs={
                "scope": SCOPES,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "default_timeout": config.timeout,
            },
        )
        self.expected_issuer = config.issuer

    def load_server_metadata(self) -> dict:
        loaded_at = self.server_metadata.get("_loaded_at")
        if loaded_at is None or time.time() - loaded_at > METADATA_SECONDS:
            self.server_metadata = self._discover()
        return self.server_metadata

    def _discover(self) -> dict:
        with self._get_session() as http:
            response = http.request("GET", self._server_metadata_url, withhold_token=True)
            response.raise_for_status()
            metadata = response.json()
        if not isinstance(metadata, dict) or metadata.get("issuer") != self.expected_issuer:
            raise Refused(
                "unavailable",
                "the provider's discovery document names another issuer than OIDC_ISSUER",
            )
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        metadata["id_token_signing_alg_values_supported"] = [
            alg for alg in offered if alg in SIGNING_ALGORITHMS
        ]
        metadata["_loaded_at"] = time.time()
        return metadata


def client() -> CouncilClient:
    """One client per configuration and process, so discovery and keys are fetched once."""
    config = configured()
    clients = current_app.extensions.setdefault("oidc_clients", {})
    if config not in clients:
        clients[config] = CouncilClient(config)
    return clients[config]


def callback_url() -> str:
    return current_app.config["BASE_URL"] + url_for("auth.oidc_callback")


def authorization_url() -> dict:
    """The provider's sign-in address with a fresh state, nonce and PKCE verifier."""
    try:
        return client().create_authorization_url(callback_url())
    except (requests.RequestException, ValueError) as error:
        raise Refused("unavailable", f"the provider could not be reached ({error})") from None


def exchange(code: str, verifier: str) -> dict:
    try:
        return client().fetch_access_token(
            redirect_uri=callback_url(), code=code, code_verifier=verifier
        )
    except requests.RequestException as error:
        raise Refused("unavailable", f"the token request failed ({error})") from None
    except (AuthlibBaseError, ValueError) as error:
        raise Refused("token", f"the provider refused the authorization code ({error})") from None


CLAIM_PROBLEMS = {
    "nonce": "the ID token's nonce was not the one sent",
    "aud": "the ID token was for another client (audience)",
    "iss": "the ID token came from another issuer",
    "azp": "the ID token was for another client (authorized party)",
}


def validated_claims(token: dict, nonce: str, config: Settings) -> dict:
    if not token.get("id_token"):
        raise Refused("token", "the token response had no ID token")
    options = {
        "iss": {"essential": True, "value": config.issuer},
        "aud": {"essential": True, "value": config.client_id},
        "sub": {"essential": True},
    }
    try:
        claims = client().parse_id_token(
            token, nonce=nonce, claims_options=options, leeway=config.skew
        )
    except ExpiredTokenError:
        raise Refused("token", "the ID token had expired") from None
    except ClaimError as error:
        detail = CLAIM_PROBLEMS.get(error.claim, f"the ID token's {error.claim} claim was wrong")
        raise Refused("token", detail) from None
    except JoseError as error:
        detail = f"the ID token's signature did not verify ({type(error).__name__})"
        raise Refused("token", detail) from None
    except (requests.RequestException, ValueError) as error:
        detail = f"the provider's keys could not be fetched ({error})"
        raise Refused("unavailable", detail) from None
    return dict(claims)


USERINFO_CLAIMS = ("email", "email_verified", "xms_edov")


def with_userinfo(claims: dict, token: dict) -> dict:
    """Providers that keep the email for the userinfo endpoint (oidc-provider, Keycloak by
    choice) are asked there; the answer counts only if it is about the same subject."""
    try:
        if not client().load_server_metadata().get("userinfo_endpoint"):
            return claims
        info = client().userinfo(token=token)
    except (requests.RequestException, AuthlibBaseError, ValueError) as error:
        raise Refused("unavailable", f"the userinfo request failed ({error})") from None
    if info.get("sub") != claims["sub"]:
        raise Refused("token", "the userinfo answer was about another subject")
    return {**claims, **{k: info[k] for k in USERINFO_CLAIMS if k in info}}
