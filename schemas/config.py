"""``bpo.toml``: clients, landing zone, rates and reference data, validated at load.

Doc-type options live beside their record models (``PayrollOptions`` in ``schemas.payroll_options``
and so on) so each document type owns its own settings.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import pycountry
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.claim_options import ClaimOptions
from schemas.invoice_options import InvoiceOptions
from schemas.landing_options import LandingSource
from schemas.limits import LimitsOverride, ReadingLimits
from schemas.payroll_options import PayrollOptions
from schemas.rate_card import BillingConfig
from schemas.web_options import WebOptions

CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LandingConfig(_Strict):
    """Where clients drop files and where we answer.

    ``root`` holds ``<client_id>/<doc_type>/<name>``; taken files move to ``archive``; files we
    refuse move to ``quarantine``; receipts and outputs go to ``outbox/<client_id>/``.
    """

    root: str = "file://./landing"
    outbox: str = "file://./outbox"
    archive: str = "file://./archive"
    quarantine: str = "file://./quarantine"
    poll_interval_seconds: Annotated[int, Field(ge=1)] = 60
    #: Env-var prefix, pinned SFTP host key and S3 endpoint for the shared locations above
    #: (see ``schemas.landing_options``); a client's ``landing`` overrides them for its root.
    credentials_env: str | None = None
    host_key: str | None = None
    s3_endpoint_url: str | None = None
    #: Where the zone keeps its previous listing between ``bpo ingest --once`` runs.
    state_file: str = ".bpo/landing-state.json"
    #: A file whose run fails this many times for a system reason (database or outbox down,
    #: a bug) is parked in quarantine with the last error, instead of being retried forever.
    park_after_failures: Annotated[int, Field(ge=1)] = 3
    #: Files up to this size are small: those of one client and document type found by one
    #: poll are answered together in one run (``flows.small_files``), each with its own
    #: receipt, event and artifact; larger files get a run of their own.
    small_file_bytes: Annotated[int, Field(ge=0)] = 2 * 1024 * 1024
    #: At most this many small files in one batch run.
    batch_max_files: Annotated[int, Field(ge=1)] = 100
    #: A poll that finds fewer small files than this for a client and type gives each its own
    #: run (a batch of one: named for the file, in the state named for its answer), so a
    #: handful of files reads in the UI as one run per file; a burst shares runs.
    batch_min_files: Annotated[int, Field(ge=1)] = 8
    #: ``bpo serve`` watches the landing zones this often (seconds) and starts an ingest run
    #: as soon as a complete file waits, so a file dropped is answered within about a second.
    watch_interval_seconds: Annotated[float, Field(gt=0)] = 0.5


class ReviewOptions(_Strict):
    """Review-queue settings for one client."""

    sla_hours: Annotated[Decimal, Field(gt=0)] = Decimal(24)
    timezone: str | None = None
    business_hours: tuple[int, int] = (9, 17)
    qa_sample_rate: Annotated[Decimal, Field(ge=0, le=1)] = Decimal(0)
    #: A file where one rule fails on at least this share of the records (and on at least
    #: ``hold_min_rows`` of them) is held as a whole (``FILE-SYSTEMATIC-ERROR``) instead of
    #: flooding the queue; ``bpo process --accept-systematic`` processes it anyway.
    hold_share: Annotated[Decimal, Field(gt=0, le=1)] = Decimal("0.20")
    hold_min_rows: Annotated[int, Field(ge=1)] = 20


class ClientConfig(_Strict):
    """One client (tenant)."""

    id: str = ""
    name: str
    currency: str = "USD"
    timezone: str = "UTC"
    #: Flat price per billable unit (DESIGN.md); versioned rate cards live under ``billing``.
    rates: dict[str, Decimal] = Field(default_factory=dict)
    billing: BillingConfig = Field(default_factory=BillingConfig)
    payroll: PayrollOptions = Field(default_factory=PayrollOptions)
    invoices: InvoiceOptions = Field(default_factory=InvoiceOptions)
    claims: ClaimOptions = Field(default_factory=ClaimOptions)
    review: ReviewOptions = Field(default_factory=ReviewOptions)
    landing: LandingSource | None = None
    #: Reading budgets this client changes (``[clients.X.limits]``); the rest from ``[limits]``.
    limits: LimitsOverride = Field(default_factory=LimitsOverride)

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, v: str) -> str:
        if pycountry.currencies.get(alpha_3=v.upper()) is None:
            raise ValueError(f"{v!r} is not an ISO 4217 currency code")
        return v.upper()

    @field_validator("rates", mode="before")
    @classmethod
    def _rates_are_exact(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for unit, price in v.items():
                if isinstance(price, float):
                    raise ValueError(
                        f'rate {unit!r} must be a decimal string like "0.45", not a float'
                    )
        return v


class BpoConfig(_Strict):
    landing: LandingConfig = Field(default_factory=LandingConfig)
    clients: dict[str, ClientConfig] = Field(default_factory=dict)
    #: The reviewer page: single sign-on (``[web.oidc]``).
    web: WebOptions = Field(default_factory=WebOptions)
    #: What reading one file may cost (``[limits]``), see ``schemas.limits``.
    limits: ReadingLimits = Field(default_factory=ReadingLimits)
    #: Directory that relative paths in this file resolve against (set by ``load_config``).
    base_dir: Path = Path()

    @model_validator(mode="before")
    @classmethod
    def _client_ids(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("clients"), dict):
            clients = {}
            for cid, body in data["clients"].items():
                if not CLIENT_ID.match(cid):
                    raise ValueError(
                        f"client id {cid!r} must be lower-case letters, digits, '-' or '_'"
                    )
                clients[cid] = {**body, "id": cid} if isinstance(body, dict) else body
            data = {**data, "clients": clients}
        return data

    def client(self, client_id: str) -> ClientConfig:
        try:
            return self.clients[client_id]
        except KeyError:
            raise UnknownClientError(client_id) from None

    def limits_for(self, client_id: str) -> ReadingLimits:
        """The reading budgets of a client: ``[limits]`` with its own ``[clients.X.limits]``."""
        return self.client(client_id).limits.over(self.limits)

    def resolve(self, path: str | Path) -> Path:
        p = Path(path)
        return p if p.is_absolute() else self.base_dir / p


class UnknownClientError(KeyError):
    def __init__(self, client_id: str) -> None:
        super().__init__(client_id)
        self.client_id = client_id

    def __str__(self) -> str:
        return f"unknown client {self.client_id!r}: add [clients.{self.client_id}] to the config"


class ConfigError(ValueError):
    pass


def load_config(path: Path) -> BpoConfig:
    """Read and validate ``bpo.toml``; a missing file gives the empty default config."""
    if not path.exists():
        return BpoConfig(base_dir=path.parent.resolve())
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return BpoConfig.model_validate({**raw, "base_dir": path.parent.resolve()})
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
