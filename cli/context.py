"""The app the CLI commands share, built once per invocation with clear errors."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from cli.env import prefect_defaults
from cli.output import fail

if TYPE_CHECKING:
    from access.roles import Actor
    from app.root import App
    from app.settings import Settings


@cache
def settings() -> Settings:
    """The process settings (``BPO_*``); Prefect's local home goes under its state folder."""
    from app.settings import Settings

    s = Settings()
    prefect_defaults(Path(s.state_dir))
    return s


def get_app() -> App:
    """The installed app (tests install one), else one built from the settings."""
    from app import root
    from schemas.config import ConfigError

    if root._installed:
        return root._installed[0]
    try:
        app = root.build_app(settings())
    except ConfigError as exc:
        fail(str(exc))
    except Exception as exc:  # a database that cannot be reached or migrated
        fail(f"cannot open the database {settings().database_url!r}: {exc}")
    root.install_app(app)
    return app


def actor_named(name: str) -> Actor:
    """The enabled user the command names (``--reviewer``, ``--as``); exit 1 otherwise.

    The command line runs on the operator's machine with the database's credentials, so it
    takes the name as given; what that user may do is still checked for every action.
    """
    from review.acting import named_actor
    from review.queue import ReviewRefusedError

    try:
        return named_actor(get_app().engine, name, via="cli")
    except ReviewRefusedError as exc:
        fail(str(exc), code=1)
