"""The composition root: settings, config, a migrated engine, client contexts and zones.

Built once at an entry point (the CLI, the web page, a flow started by Prefect) and passed
down: nothing below an entry point looks it up. Building it never happens at import, so
importing any flow needs no environment and no database.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from app.settings import Settings
from landing.urls import parse_location
from schemas.config import BpoConfig, ConfigError, load_config
from store.db import make_engine, migrate, transaction
from store.files import sync_clients

if TYPE_CHECKING:
    # Loaded where used: a command that only reads the store (``bpo review list``) starts
    # without the document types, the reading children and the landing clients.
    from landing.outbox import FsOutbox
    from landing.zone import LandingZone
    from readers.isolation import ReaderPool
    from schemas.invoice_memory import LearnedPosition
    from tasks.doctype import ClientContext


@dataclass(frozen=True, eq=False)
class App:
    """What the pipeline's code needs from its process, handed to flows, CLI and web."""

    settings: Settings
    config: BpoConfig
    engine: Engine
    #: Environment snapshot taken at the entry point: credentials are read from it, never from
    #: ``os.environ`` inside domain code.
    environ: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def _contexts(self) -> dict[str, ClientContext]:
        from tasks.doctype import ClientContext

        return {
            cid: ClientContext(
                client=cfg,
                base_dir=self.config.base_dir,
                limits=self.config.limits_for(cid),
                memory_loader=functools.partial(self.invoice_memory, cid),
            )
            for cid, cfg in self.config.clients.items()
        }

    def invoice_memory(self, client_id: str) -> list[LearnedPosition]:
        """The client's supplier memory as it stands now (read per file, so a correction
        applies to the next file)."""
        from store.invoice_memory import remembered

        with transaction(self.engine) as session:
            return remembered(session, client_id=client_id)

    def client_context(self, client_id: str) -> ClientContext:
        """The client's settings and reference data (loaded once per process)."""
        return self._contexts[client_id]

    def outbox(self, client_id: str) -> FsOutbox:
        from landing.sources import outbox_for

        return outbox_for(self.config, client_id, self.environ)

    def zones(self) -> list[LandingZone]:
        """Every landing zone the config describes (the shared root and clients' own)."""
        from landing.sources import zones_from_config

        return zones_from_config(self.config, self.environ)

    @cached_property
    def reader_pool(self) -> ReaderPool | None:
        """The children that read client files under their budgets (started on first use)."""
        if self.settings.reader_processes == 0:
            return None
        from readers.isolation import ReaderPool
        from tasks.extraction import PRELOAD

        return ReaderPool(self.settings.reader_processes, preload=PRELOAD)

    @property
    def state_dir(self) -> Path:
        return Path(self.settings.state_dir)


#: The project's own folders: a landing location there would scan (and move aside) source code.
_ROOT = Path(__file__).resolve().parents[1]
_CODE_DIRS = frozenset(_ROOT / package for package in ("landing", "schemas", "tasks")) | {_ROOT}


def check_locations(config: BpoConfig) -> None:
    """Refuse local landing locations that are the project's own code folders (a config run
    from the source tree with ``root = "file://./landing"`` would take the ``landing``
    package for a landing zone)."""
    urls = [
        config.landing.root,
        config.landing.archive,
        config.landing.quarantine,
        config.landing.outbox,
        *(c.landing.root for c in config.clients.values() if c.landing and c.landing.root),
    ]
    for url in urls:
        location = parse_location(url, base_dir=config.base_dir)
        if location.scheme == "file" and Path(location.path) in _CODE_DIRS:
            raise ConfigError(
                f"landing location {url!r} is a folder of the program's own code; "
                "use another folder (for example file://./inbox)"
            )


def build_app(settings: Settings, environ: Mapping[str, str] | None = None) -> App:
    """Load the config, open and migrate the database, make sure every client has its row."""
    config = load_config(Path(settings.config))
    check_locations(config)
    engine = make_engine(settings.database_url)
    migrate(engine)
    with transaction(engine) as session:
        sync_clients(session, config)
    return App(
        settings=settings,
        config=config,
        engine=engine,
        environ=dict(os.environ if environ is None else environ),
    )


_installed: list[App] = []


def current_app() -> App:
    """The process's app, for entry points only (a flow Prefect starts, the CLI, the web
    page): the one installed by :func:`install_app`, else built from the environment."""
    if not _installed:
        _installed.append(build_app(Settings()))
    return _installed[0]


def install_app(app: App | None) -> None:
    """Install (or with None, forget) the app entry points hand down: for the CLI and tests."""
    _installed.clear()
    if app is not None:
        _installed.append(app)
