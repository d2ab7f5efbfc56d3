"""``[web]``: the reviewer page's sign-in options (single sign-on through OIDC)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class OidcOptions(BaseModel):
    """An OpenID Connect provider people sign in through (Authorization Code + PKCE).

    ``claim`` of the ID token names the user: the user whose ``sso_subject`` equals it, else
    the user of that name (``bpo users add NAME --sso-subject VALUE``). The client secret is
    read from the environment variable ``client_secret_env`` names (none: a public client,
    PKCE only).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    issuer: str
    client_id: str
    client_secret_env: str | None = None
    claim: str = "email"
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    #: The callback URL registered with the provider; default: this page's ``/login/sso/callback``.
    redirect_url: str | None = None
    #: What the sign-in button says.
    label: str = "Sign in with single sign-on"


class WebOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    oidc: OidcOptions | None = None
