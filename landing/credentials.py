"""Credentials for a landing location, read from environment variables named by a prefix.

Only the entry point calls this, with the environment it was given; the zone itself never reads
the environment. The variable names are listed in ``schemas.landing_options``.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import SecretStr

from schemas.landing_options import LandingCredentials


def credentials_from_env(
    prefix: str | None,
    environ: Mapping[str, str],
    *,
    host_key: str | None = None,
    s3_endpoint_url: str | None = None,
) -> LandingCredentials:
    """Collect ``<prefix>_SFTP_*`` and ``<prefix>_AWS_*`` values; absent ones stay None.

    With no prefix only the non-secret options are set and S3 falls back to the ambient
    AWS credential chain.
    """

    def get(name: str) -> str | None:
        if prefix is None:
            return None
        value = environ.get(f"{prefix}_{name}")
        return value or None

    def secret(name: str) -> SecretStr | None:
        value = get(name)
        return None if value is None else SecretStr(value)

    return LandingCredentials(
        username=get("SFTP_USER"),
        password=secret("SFTP_PASSWORD"),
        private_key=secret("SFTP_KEY"),
        key_passphrase=secret("SFTP_KEY_PASSPHRASE"),
        host_key=host_key,
        aws_access_key_id=get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=secret("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=secret("AWS_SESSION_TOKEN"),
        s3_endpoint_url=s3_endpoint_url,
    )
