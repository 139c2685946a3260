"""Single sign-on with the council's identity provider by OpenID Connect (issue 16 item 1).

Authlib does the protocol: discovery, the authorization code flow with PKCE (S256), the token
request, and the ID token's signature (against the keys the provider publishes, fetched again
when a token names a key not seen before, as after a key rotation), issuer, audience, expiry,
issue time and nonce, allowing at most OIDC_CLOCK_SKEW_SECONDS of clock difference.

This module adds what Authlib leaves to the application:
- `state` is one-use and short-lived: kept in the signed session cookie for ten minutes at most
  and removed when the provider's answer comes back, whatever the outcome;
- the audience is always checked (Authlib checks it only when told to), and so is the issuer
  the discovery document names: it must be the configured one;
- only asymmetric signature algorithms are accepted (never `none`, never a shared secret);
- who may come in (`match_account`): nobody gets in merely by having an account at the
  provider. A person is matched by the provider's issuer and subject once linked; the first
  time, by a verified email address, in the allowed domains, of an active account an admin
  created. Roles stay the tracker's.

Every refusal raises `Refused`; the view shows its page, audits it and starts no session. The
protocol itself (Authlib) is in `oidc_protocol`, imported only when someone signs in this way,
so that a worker that never does so does not load Authlib.
"""

import secrets
import time
from dataclasses import dataclass

from flask import current_app, session
from sqlalchemy import select

from tracker import audit
from tracker.auth.service import normalise_email
from tracker.extensions import db
from tracker.models import User

PENDING = "oidc_pending"
PENDING_MAX = 5  # sign-ins started in other tabs that may still come back
PENDING_SECONDS = 600


class Refused(Exception):
    """A sign-in through the provider that is refused. `reason` picks the page shown;
    `detail` says exactly why, for the audit trail."""

    def __init__(self, reason: str, detail: str, email: str | None = None, user=None):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.email = email
        self.user = user


@dataclass(frozen=True)
class Settings:
    issuer: str
    client_id: str
    client_secret: str
    allowed_domains: tuple[str, ...]
    timeout: int
    skew: int

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def settings() -> Settings | None:
    """The provider's settings, or None when single sign-on is not configured."""
    config = current_app.config
    if not (config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID")):
        return None
    return Settings(
        issuer=config["OIDC_ISSUER"],
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config.get("OIDC_CLIENT_SECRET") or "",
        allowed_domains=tuple(d.lower().lstrip("@") for d in config["OIDC_ALLOWED_DOMAINS"]),
        timeout=int(config["OIDC_TIMEOUT_SECONDS"]),
        skew=int(config["OIDC_CLOCK_SKEW_SECONDS"]),
    )


def configured() -> Settings:
    """The settings, where single sign-on must be configured (its views answer 404 when not)."""
    config = settings()
    if config is None:
        raise LookupError("single sign-on is not configured (OIDC_ISSUER, OIDC_CLIENT_ID)")
    return config


def check_settings(config, https: bool) -> None:
    """Refuse to start with sign-in settings that would lock everyone out or weaken sign-in."""
    sso = bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))
    if not config["LOCAL_PASSWORDS"] and not sso:
        raise RuntimeError(
            "LOCAL_PASSWORDS=off needs single sign-on: set OIDC_ISSUER and OIDC_CLIENT_ID, "
            "or nobody but the break-glass admin could sign in."
        )
    if not config["LOCAL_PASSWORDS"] and not config["BREAK_GLASS_ADMIN"]:
        raise RuntimeError(
            "LOCAL_PASSWORDS=off needs BREAK_GLASS_ADMIN (one admin's email address), "
            "or nobody could sign in while the identity provider is down."
        )
    if https and sso and not config["OIDC_ISSUER"].startswith("https://"):
        raise RuntimeError("OIDC_ISSUER must be an https:// address when the tracker is.")


def begin(next_url: str | None) -> str:
    """Where to send the browser to sign in at the provider; remembers state, nonce and the
    PKCE verifier for the answer."""
    from tracker.auth import oidc_protocol  # Authlib is loaded only by a process that needs it

    authorization = oidc_protocol.authorization_url()
    now = time.time()
    pending = {
        state: started
        for state, started in (session.get(PENDING) or {}).items()
        if now - started["at"] < PENDING_SECONDS
    }
    pending[authorization["state"]] = {
        "nonce": authorization["nonce"],
        "verifier": authorization["code_verifier"],
        "at": now,
        "next": next_url,
    }
    session[PENDING] = dict(sorted(pending.items(), key=lambda i: i[1]["at"])[-PENDING_MAX:])
    return authorization["url"]


def _take_pending(state: str | None) -> dict:
    """The sign-in this answer belongs to, removed so that it cannot be used again."""
    pending = dict(session.get(PENDING) or {})
    started = None
    for known in list(pending):
        if state and secrets.compare_digest(known, state):
            started = pending.pop(known)
    session[PENDING] = pending
    if started is None:
        raise Refused("state", "the state did not match a sign-in started here (or was reused)")
    if time.time() - started["at"] >= PENDING_SECONDS:
        raise Refused("state", "the sign-in was started more than ten minutes earlier")
    return started


def finish(args) -> tuple[User, str | None]:
    """Check the provider's answer and find the account it signs in. Raises Refused."""
    config = configured()
    started = _take_pending(args.get("state"))
    if args.get("error"):
        raise Refused("provider_error", f"the provider answered {args.get('error')!r}")
    if args.get("iss") and args.get("iss") != config.issuer:
        raise Refused("token", "the answer came from another issuer (iss parameter)")
    if not args.get("code"):
        raise Refused("provider_error", "the provider's answer had no authorization code")
    from tracker.auth import oidc_protocol  # as in begin

    token = oidc_protocol.exchange(args["code"], started["verifier"])
    claims = oidc_protocol.validated_claims(token, started["nonce"], config)
    if "email" not in claims:
        claims = oidc_protocol.with_userinfo(claims, token)
    user = match_account(config, claims)
    audit.record("sign_in.oidc_succeeded", subject=user.email, actor=user, obj=user)
    return user, started["next"]


def email_verified(claims: dict) -> bool:
    """The provider vouches for the address: `email_verified: true`, or, from Microsoft Entra
    ID, which sends no email_verified, `xms_edov: true` (the address's domain is one the
    tenant has verified; docs/security.md explains the choice)."""
    if "email_verified" in claims:
        return claims["email_verified"] is True
    return claims.get("xms_edov") is True


def match_account(config: Settings, claims: dict) -> User:
    """The tracker account these claims sign in to, linking it the first time. Raises Refused."""
    subject = claims["sub"]
    email = normalise_email(claims.get("email") or "") or None
    if email and config.allowed_domains and _domain(email) not in config.allowed_domains:
        raise Refused("domain", f"{email} is outside the allowed domains", email)
    user = db.session.scalar(
        select(User).where(User.oidc_issuer == config.issuer, User.oidc_subject == subject)
    )
    if user is None:
        user = _first_sign_in(config, claims, email)
    if not user.active or (user.is_demo and not current_app.config["DEMO_ACCOUNTS"]):
        raise Refused("deactivated", "the account is deactivated", user.email, user)
    return user


def _domain(email: str) -> str:
    return email.rpartition("@")[2]


def _first_sign_in(config: Settings, claims: dict, email: str | None) -> User:
    if not email:
        raise Refused("no_email", "the provider sent no email address")
    if not email_verified(claims):
        raise Refused("unverified", f"the provider has not verified {email}", email)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise Refused("not_invited", f"no account has been made for {email}", email)
    if user.oidc_subject is not None:
        detail = "the account is already linked to another identity at the provider"
        raise Refused("linked_elsewhere", detail, email, user)
    if user.active:
        user.oidc_issuer, user.oidc_subject = config.issuer, claims["sub"]
        audit.record(
            "user.oidc_linked", actor=user, obj=user, subject=email, after={"issuer": config.issuer}
        )
    return user


def record_refusal(refused: Refused) -> None:
    audit.record(
        "sign_in.oidc_refused",
        actor=None,
        obj=refused.user,
        subject=refused.email,
        after={"reason": refused.detail},
    )
