"""Build the landing zones and outboxes a ``bpo.toml`` describes.

Clients without their own ``[clients.<id>.landing] root`` share the global root and its
credentials; each client with one gets a zone scoped to that root, opened with *only* its own
credentials (never the shared ones), so it reaches nothing of another client's. Its outbox,
archive and quarantine live with it (``outbox/``, ``archive/`` and ``quarantine/`` at its root
unless the config names other places), so nothing of its own is written to shared locations.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from landing.credentials import credentials_from_env
from landing.outbox import FsOutbox
from landing.retry import RetryPolicy
from landing.urls import parse_location
from landing.zone import LandingZone
from schemas.config import BpoConfig
from schemas.landing_options import LandingCredentials, LandingSource

#: The folders a client's own root holds besides its document folders.
OWN_FOLDERS = ("outbox", "archive", "quarantine")


def shared_credentials(config: BpoConfig, environ: Mapping[str, str]) -> LandingCredentials:
    """Credentials of the shared ``[landing]`` locations (root, archive, quarantine, outbox)."""
    landing = config.landing
    return credentials_from_env(
        landing.credentials_env,
        environ,
        host_key=landing.host_key,
        s3_endpoint_url=landing.s3_endpoint_url,
    )


def _below(root: str, folder: str) -> str:
    return f"{root.rstrip('/')}/{folder}"


def own_locations(source: LandingSource) -> tuple[str, str, str]:
    """A client's own outbox, archive and quarantine URLs (at its root unless configured)."""
    assert source.root is not None
    return (
        source.outbox or _below(source.root, "outbox"),
        source.archive or _below(source.root, "archive"),
        source.quarantine or _below(source.root, "quarantine"),
    )


def own_credentials(
    config: BpoConfig, source: LandingSource, environ: Mapping[str, str]
) -> LandingCredentials:
    landing = config.landing
    return credentials_from_env(
        source.credentials_env,
        environ,
        host_key=source.host_key or landing.host_key,
        s3_endpoint_url=source.s3_endpoint_url or landing.s3_endpoint_url,
    )


def _reserved(config: BpoConfig, root_url: str, *urls: str) -> set[str]:
    """Names of the given folders that sit directly in ``root_url`` (the listing skips them)."""
    root = parse_location(root_url, base_dir=config.base_dir)
    names = set()
    for url in urls:
        loc = parse_location(url, base_dir=config.base_dir)
        if loc.server() == root.server() and posixpath.dirname(loc.path) == root.path:
            names.add(posixpath.basename(loc.path))
    return names


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
        reserved = _reserved(
            config, landing.root, landing.outbox, landing.archive, landing.quarantine
        )
        zones.append(
            LandingZone(
                landing.root,
                archive_url=landing.archive,
                quarantine_url=landing.quarantine,
                clients=shared,
                ignore=set(own) | reserved,
                credentials=shared_creds,
                state_path=state,
                base_dir=config.base_dir,
                retry=retry,
            )
        )
    for cid, source in sorted(own.items()):
        assert source.root is not None
        outbox, archive, quarantine = own_locations(source)
        creds = own_credentials(config, source, environ)
        zones.append(
            LandingZone(
                source.root,
                archive_url=archive,
                quarantine_url=quarantine,
                owner=cid,
                ignore=_reserved(config, source.root, outbox, archive, quarantine),
                credentials=creds,
                archive_credentials=creds,
                state_path=state.with_name(f"{state.stem}.{cid}{state.suffix}"),
                base_dir=config.base_dir,
                retry=retry,
            )
        )
    return zones


def outbox_for(config: BpoConfig, client_id: str, environ: Mapping[str, str]) -> FsOutbox:
    """The client's outbox: its own (with its credentials) when its ``[clients.<id>.landing]``
    has a root or an outbox, else under the shared ``[landing] outbox`` URL."""
    client = config.client(client_id)  # unknown ids fail here, with the config hint
    source = client.landing
    if source is not None and source.root is not None:
        url = own_locations(source)[0]
        creds = own_credentials(config, source, environ)
    elif source is not None and source.outbox is not None:
        url = source.outbox
        creds = (
            own_credentials(config, source, environ)
            if source.credentials_env
            else shared_credentials(config, environ)
        )
    else:
        url, creds = config.landing.outbox, shared_credentials(config, environ)
    return FsOutbox(url, client_id, creds, base_dir=config.base_dir)
