"""What a flow run needs from its process: settings, config and a migrated database engine.

Built once per process on first use (never at import), so importing any flow needs no
environment and no database.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import Engine

from schemas.config import BpoConfig, load_config
from schemas.settings import Settings
from store.db import make_engine, migrate, transaction
from store.files import sync_clients
from tasks.handler import ClientContext
from tasks.landing.outbox import FsOutbox
from tasks.landing.sources import outbox_for


@dataclass(frozen=True, eq=False)
class Runtime:
    settings: Settings
    config: BpoConfig
    engine: Engine
    #: Environment snapshot taken at the entry point: credentials are read from it, never from
    #: ``os.environ`` inside domain code.
    environ: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def client_context(self, client_id: str) -> ClientContext:
        return _contexts(self)[client_id]

    def outbox(self, client_id: str) -> FsOutbox:
        return outbox_for(self.config, client_id, self.environ)

    def __hash__(self) -> int:
        return id(self)


@cache
def _contexts(rt: Runtime) -> dict[str, ClientContext]:
    return {
        cid: ClientContext(client=cfg, base_dir=rt.config.base_dir)
        for cid, cfg in rt.config.clients.items()
    }


def build_runtime(settings: Settings) -> Runtime:
    config = load_config(Path(settings.config))
    engine = make_engine(settings.database_url)
    migrate(engine)
    with transaction(engine) as session:
        sync_clients(session, config)
    return Runtime(settings=settings, config=config, engine=engine, environ=dict(os.environ))


_current: list[Runtime] = []


def runtime() -> Runtime:
    """The process's runtime, built from the environment on first call."""
    if not _current:
        _current.append(build_runtime(Settings()))
    return _current[0]


def use_runtime(rt: Runtime | None) -> None:
    """Install (or with None, forget) the process's runtime: for the CLI and tests."""
    _current.clear()
    if rt is not None:
        _current.append(rt)
