"""Process settings from the environment (prefix ``BPO_``), built once at entry points."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_STATE_DIR = Path(".bpo")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BPO_", extra="ignore")

    #: SQLAlchemy URL; PostgreSQL as ``postgresql+psycopg://user@host:5432/db``.
    database_url: str = f"sqlite:///{DEFAULT_STATE_DIR / 'bpo.sqlite3'}"
    #: The TOML config of clients, landing zone and rates.
    config: Path = Path("bpo.toml")
    #: Working state: landing-zone listings, Prefect's local home when no server is set.
    state_dir: Path = DEFAULT_STATE_DIR
    #: Child processes that read client files under the reading budgets (``[limits]``); 0
    #: reads in the worker's own process (the readers' budgets still hold, memory, CPU and
    #: wall-clock budgets do not): for debugging only.
    reader_processes: Annotated[int, Field(ge=0, le=32)] = 2
