"""Build the landing zones and outboxes a ``bpo.toml`` describes.

Clients without their own ``[clients.<id>.landing] root`` share the global root and its
credentials; each client with one gets a zone scoped to that root, opened with *only* its own
credentials (never the shared ones), so it reaches nothing of another client's.
"""

from __future__ import annotations

from collections.abc import Mapping

from landing.credentials import credentials_from_env
from landing.outbox import FsOutbox
from landing.retry import RetryPolicy
from landing.zone import LandingZone
from schemas.config import BpoConfig
from schemas.landing_options import LandingCredentials


def shared_credentials(config: BpoConfig, environ: Mapping[str, str]) -> LandingCredentials:
    """Credentials of the shared ``[landing]`` locations (root, archive, quarantine, outbox)."""
    landing = config.landing
    return credentials_from_env(
        landing.credentials_env,
        environ,
        host_key=landing.host_key,
        s3_endpoint_url=landing.s3_endpoint_url,
    )


def zones_from_config(
    config: BpoConfig, environ: Mapping[str, str], *, retry: RetryPolicy | None = None
) -> list[LandingZone]:
    """The shared zone (when any client uses it) plus one zone per client with its own root."""
    landing = config.landing
    shared_creds = shared_credentials(config, environ)
    state = config.resolve(landing.state_file)
    own = {
        cid: c.landing
        for cid, c in config.clients.items()
        if c.landing is not None and c.landing.root is not None
    }
    shared = sorted(set(config.clients) - set(own))
    zones = []
    if shared or not own:
        zones.append(
            LandingZone(
                landing.root,
                archive_url=landing.archive,
                quarantine_url=landing.quarantine,
                clients=shared,
                ignore=own,
                credentials=shared_creds,
                state_path=state,
                base_dir=config.base_dir,
                retry=retry,
            )
        )
    for cid, source in sorted(own.items()):
        assert source.root is not None
        zones.append(
            LandingZone(
                source.root,
                archive_url=landing.archive,
                quarantine_url=landing.quarantine,
                owner=cid,
                credentials=credentials_from_env(
                    source.credentials_env,
                    environ,
                    host_key=source.host_key or landing.host_key,
                    s3_endpoint_url=source.s3_endpoint_url or landing.s3_endpoint_url,
                ),
                archive_credentials=shared_creds,
                state_path=state.with_name(f"{state.stem}.{cid}{state.suffix}"),
                base_dir=config.base_dir,
                retry=retry,
            )
        )
    return zones


def outbox_for(config: BpoConfig, client_id: str, environ: Mapping[str, str]) -> FsOutbox:
    """The client's outbox under the shared ``[landing] outbox`` URL."""
    config.client(client_id)  # unknown ids fail here, with the config hint
    creds = shared_credentials(config, environ)
    return FsOutbox(config.landing.outbox, client_id, creds, base_dir=config.base_dir)
