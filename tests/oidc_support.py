"""Identity providers for the single sign-on tests.

- `TestProvider`: the real, certified Node.js oidc-provider (tests/oidc_provider/provider.js),
  started as a subprocess on a free port. `through_provider` fills its development sign-in and
  consent forms over HTTP, as a browser would, and returns the redirect back to the tracker.
- `ForgingProvider`: a small provider of our own, for the attacks a real provider will not
  commit (a token for another audience, signed with another key or not at all, expired, with
  another nonce). It serves discovery, keys and a token endpoint that checks the client's secret,
  the code and the PKCE verifier, then answers with whatever ID token the test forges.
"""

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID = "tracker"
CLIENT_SECRET = "tracker-test-secret"
APP_BASE = "http://tracker.test"
CALLBACK = "/sign-in/council/callback"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


class TestProvider:
    """The real oidc-provider in a Node.js subprocess."""

    __test__ = False  # not a test class

    def __init__(self):
        node = shutil.which("node") or "/usr/bin/node"
        if not Path(node).exists():
            _unavailable("Node.js is not installed (the test identity provider needs it)")
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
            _unavailable(
                "the test identity provider is not installed: "
                "run `npm ci --prefix tests/oidc_provider`"
            )
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [node, "provider.js", str(self.port), APP_BASE + CALLBACK],
            cwd=PROVIDER_DIR,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_for_discovery()

    def _wait_for_discovery(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"the test provider stopped: {self.log.read().decode()}")
            try:
                found = requests.get(self.discovery_url, timeout=2)
                if found.ok and found.json()["issuer"] == self.issuer:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("the test provider did not answer within 60 seconds")

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def allow_redirects(self, *uris: str) -> None:
        requests.post(f"{self.issuer}/test/redirect-uris", json=list(uris), timeout=10)

    def rotate_keys(self) -> str:
        return requests.post(f"{self.issuer}/test/rotate-keys", timeout=10).json()["kid"]

    def published_kids(self) -> list[str]:
        jwks = requests.get(f"{self.issuer}/jwks", timeout=10).json()
        return [key["kid"] for key in jwks["keys"]]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


FORM_RE = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def through_provider(authorize_url: str, login: str, http=None) -> str:
    """Sign in at the real provider's development forms (any password works there) and give
    consent; returns the URL the provider sends the browser back to."""
    http = http or requests.Session()
    response = http.get(authorize_url, allow_redirects=False, timeout=10)
    for _ in range(12):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith("http://127.0.0.1"):
                return location
            response = http.get(location, allow_redirects=False, timeout=10)
            continue
        match = FORM_RE.search(response.text)
        assert match, f"no form at {response.url}: {response.status_code} {response.text[:500]}"
        fields = dict(HIDDEN_RE.findall(match.group(2)))
        if fields.get("prompt") == "login":
            fields.update(login=login, password="anything")
        response = http.post(
            urljoin(response.url, match.group(1)), data=fields, allow_redirects=False, timeout=10
        )
    raise AssertionError("the provider never sent the browser back")


def local_path(url: str) -> str:
    """The path and query of a URL to the tracker, for Flask's test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class ForgingProvider:
    """A provider we control, served over HTTP on 127.0.0.1, that forges ID tokens on request."""

    def __init__(self, advertised_algorithms=("RS256",)):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "published-1"})
        self.advertised_algorithms = list(advertised_algorithms)
        self.codes: dict[str, dict] = {}
        self.forge = None  # (claims, provider) -> id token; None: sign the claims properly
        self.claim_changes: dict = {}
        self.token_requests: list[dict] = []
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)

    @Request.application
    def wsgi(self, request: Request) -> Response:
        routes = {
            "/.well-known/openid-configuration": self.discovery,
            "/jwks": self.jwks,
            "/token": self.token,
        }
        route = routes.get(request.path)
        return route(request) if route else Response("not found", status=404)

    def discovery(self, request) -> Response:
        return self.json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": self.advertised_algorithms,
                "code_challenge_methods_supported": ["S256"],
            }
        )

    def jwks(self, request) -> Response:
        return self.json(KeySet([self.key]).as_dict(private=False))

    def authorize(self, authorize_url: str, claims: dict) -> str:
        """What the provider would do after the person signs in: a code for these claims,
        and the redirect back with it (and the state, unchanged)."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"query": query, "claims": claims}
        back = {"code": code, "state": query["state"]}
        return f"{query['redirect_uri']}?{urlencode(back)}"

    def token(self, request) -> Response:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return self.json({"error": "invalid_client"}, 401)
        issued = self.codes.pop(request.form.get("code", ""), None)
        verifier = request.form.get("code_verifier", "")
        challenge = b64url(hashlib.sha256(verifier.encode()).digest())
        if issued is None or challenge != issued["query"]["code_challenge"]:
            return self.json({"error": "invalid_grant"}, 400)
        self.token_requests.append(dict(request.form))
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": issued["claims"]["email"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": issued["query"]["nonce"],
            "email_verified": True,
            **issued["claims"],
        }
        claims.update(self.claim_changes)
        id_token = self.forge(claims, self) if self.forge else self.sign(claims)
        return self.json({"access_token": "opaque", "token_type": "Bearer", "id_token": id_token})

    def sign(self, claims: dict, key=None, kid=None) -> str:
        key = key or self.key
        header = {"alg": "RS256", "kid": kid or key.kid}
        return jwt.encode(header, claims, key)

    @staticmethod
    def json(data, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")
