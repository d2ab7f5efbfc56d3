"""Single sign-on through an OpenID Connect provider: Authorization Code flow with PKCE.

1. ``/login/sso``: a fresh ``state``, ``nonce`` and PKCE verifier are kept here (ten minutes,
   in this process) and the browser goes to the provider's authorization endpoint with the
   S256 challenge.
2. ``/login/sso/callback?code&state``: the state must be one we issued (once); the code is
   exchanged at the token endpoint with the verifier (and the client secret, if any); the ID
   token's signature is checked against the provider's JWKS and its ``iss``, ``aud``, ``exp``
   and ``nonce`` against what we expect. The configured claim names the user, who must exist
   and be enabled: single sign-on proves who someone is; roles and clients stay ours.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from schemas.web_options import OidcOptions

PENDING_SECONDS = 600
ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "EdDSA"]


class SsoError(Exception):
    """The sign-in through the provider failed; the message is safe to show."""


@dataclass(frozen=True)
class _Pending:
    nonce: str
    verifier: str
    redirect_uri: str
    next_url: str
    at: float


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(eq=False)
class OidcClient:
    options: OidcOptions
    client_secret: str | None = None
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))
    _pending: dict[str, _Pending] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _discovery: dict[str, Any] | None = None

    @classmethod
    def from_options(cls, options: OidcOptions, environ: Mapping[str, str]) -> OidcClient:
        secret = environ.get(options.client_secret_env) if options.client_secret_env else None
        return cls(options, secret)

    def discovery(self) -> dict[str, Any]:
        if self._discovery is None:
            url = self.options.issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                resp = self.http.get(url)
                resp.raise_for_status()
                self._discovery = dict(resp.json())
            except (httpx.HTTPError, ValueError) as exc:
                raise SsoError(f"the identity provider did not answer: {exc}") from None
        return self._discovery

    def start(self, redirect_uri: str, next_url: str = "/") -> str:
        """The provider's authorization URL for a new sign-in."""
        meta = self.discovery()
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)
        now = time.monotonic()
        with self._lock:
            for key in [k for k, p in self._pending.items() if now - p.at > PENDING_SECONDS]:
                del self._pending[key]
            self._pending[state] = _Pending(nonce, verifier, redirect_uri, next_url, now)
        query = {
            "response_type": "code",
            "client_id": self.options.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(self.options.scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
        return f"{meta['authorization_endpoint']}?{urlencode(query)}"

    def finish(self, code: str, state: str) -> tuple[str, str]:
        """The configured claim's value for a returning browser, and where it was going."""
        with self._lock:
            pending = self._pending.pop(state, None)
        if pending is None or time.monotonic() - pending.at > PENDING_SECONDS:
            raise SsoError("this sign-in link is unknown or expired: start again")
        meta = self.discovery()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "client_id": self.options.client_id,
            "code_verifier": pending.verifier,
        }
        auth: httpx.Auth | httpx._client.UseClientDefault = (
            httpx.BasicAuth(self.options.client_id, self.client_secret)
            if self.client_secret
            else httpx.USE_CLIENT_DEFAULT
        )
        try:
            resp = self.http.post(meta["token_endpoint"], data=form, auth=auth)
            resp.raise_for_status()
            id_token = str(resp.json()["id_token"])
            keys = KeySet.import_key_set(self.http.get(meta["jwks_uri"]).json())
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except (httpx.HTTPError, KeyError, ValueError, JoseError) as exc:
            raise SsoError(f"the identity provider's answer was refused: {exc}") from None
        claims = token.claims
        registry = jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": meta.get("issuer", self.options.issuer)},
            aud={"essential": True, "value": self.options.client_id},
            exp={"essential": True},
            nonce={"essential": True, "value": pending.nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise SsoError(f"the ID token was refused: {exc}") from None
        value = claims.get(self.options.claim)
        if not isinstance(value, str) or not value:
            raise SsoError(f"the ID token has no {self.options.claim!r} claim")
        return value, pending.next_url
