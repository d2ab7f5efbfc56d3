"""Per-client landing sources and the credentials that reach them.

Secrets never live in ``bpo.toml``: a source names an environment-variable *prefix* and the
values are read at the entry point. With ``credentials_env = "ACME"`` these are used:

- SFTP: ``ACME_SFTP_USER`` (else the URL's user), ``ACME_SFTP_PASSWORD``, ``ACME_SFTP_KEY``
  (private key text, OpenSSH or PEM) and ``ACME_SFTP_KEY_PASSPHRASE``;
- S3: ``ACME_AWS_ACCESS_KEY_ID``, ``ACME_AWS_SECRET_ACCESS_KEY``, ``ACME_AWS_SESSION_TOKEN``.

Example::

    [clients.acme.landing]
    root = "sftp://acme@sftp.example.com:22/"
    credentials_env = "ACME"
    host_key = "ssh-ed25519 AAAAC3Nza..."
    # outbox = "sftp://acme@sftp.example.com:22/outbox"   (the default with a root)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator


class LandingSource(BaseModel):
    """Where one client drops files, when not under the shared landing root.

    A client with its own ``root`` is served by a zone scoped to that root: the root *is* the
    client's folder (``<root>/<doc_type>/<name>``) and its credentials reach nothing else; its
    outbox, archive and quarantine live there too unless set here.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    root: str | None = None
    #: Where this client's answers, taken files and refused files go, reached with its own
    #: credentials. Unset with a ``root``: ``outbox/``, ``archive/`` and ``quarantine/``
    #: folders at the root (the listing leaves them alone).
    outbox: str | None = None
    archive: str | None = None
    quarantine: str | None = None
    credentials_env: str | None = None
    #: Pinned SFTP host public key, OpenSSH format (``ssh-ed25519 AAAA... [comment]``).
    host_key: str | None = None
    s3_endpoint_url: str | None = None

    @field_validator("credentials_env")
    @classmethod
    def _env_prefix(cls, v: str | None) -> str | None:
        if v is not None and (not v or not v.replace("_", "").isalnum() or not v.isupper()):
            raise ValueError(
                f"credentials_env {v!r} must be an upper-case prefix like ACME or ACME_PROD"
            )
        return v


class LandingCredentials(BaseModel):
    """What it takes to open one landing location: secrets plus pinned server identity.

    Built by ``landing.credentials.credentials_from_env``; ``repr`` never shows a secret.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: str | None = None
    password: SecretStr | None = None
    private_key: SecretStr | None = None
    key_passphrase: SecretStr | None = None
    host_key: str | None = None
    aws_access_key_id: str | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_session_token: SecretStr | None = None
    s3_endpoint_url: str | None = None
