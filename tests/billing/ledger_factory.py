"""Test data for billing: clients with rate cards, files and metered usage, made in code."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import Engine

from billing.meter import MeterResult, meter
from schemas.config import ClientConfig
from store.db import transaction
from store.models import File, Record

_SEQ = itertools.count()


def client(**billing: Any) -> ClientConfig:
    """Client ``acme`` (it exists in the test config's clients table) with ``billing``."""
    base: dict[str, Any] = {
        "id": "acme",
        "name": "Acme",
        "currency": "USD",
        "timezone": "America/New_York",
    }
    rates = billing.pop("rates", None)
    tz = billing.pop("timezone", None)
    if rates is not None:
        base["rates"] = rates
    if tz is not None:
        base["timezone"] = tz
    return ClientConfig.model_validate({**base, "billing": billing})


def volume_card(version: str = "v1", since: str = "2020-01-01") -> dict[str, Any]:
    return {
        "version": version,
        "effective_from": since,
        "units": {
            "invoice": {"model": "volume", "tiers": [{"up_to": 15, "price": "10"}, {"price": "5"}]}
        },
    }


def add_file(
    engine: Engine,
    *,
    doc_type: str = "invoices",
    received_at: dt.datetime | None = None,
    name: str | None = None,
) -> File:
    n = next(_SEQ)
    sha = hashlib.sha256(f"file-{n}-{dt.datetime.now(dt.UTC)}".encode()).hexdigest()
    with transaction(engine) as session:
        f = File(
            client_id="acme",
            doc_type=doc_type,
            name=name or f"f{n}.csv",
            source=f"mem://{n}",
            sha256=sha,
            size=1,
            received_at=received_at or dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
        session.add(f)
        session.flush()
        session.expunge(f)
    return f


def meter_units(
    engine: Engine,
    cfg: ClientConfig,
    file: File,
    count: int,
    completed_at: dt.datetime,
    *,
    unit: str = "invoice",
    first_index: int = 0,
) -> MeterResult:
    units = pl.DataFrame(
        {
            "record_index": list(range(first_index, first_index + count)),
            "unit": [unit] * count,
            "quantity": [1] * count,
        }
    )
    with transaction(engine) as session:
        return meter(
            session,
            client=cfg,
            file=file,
            units=units,
            completed_at=completed_at,
            flow_run_id="run-1",
        )


def add_records(
    engine: Engine, file: File, keys: list[str], *, first_index: int = 0, state: str = "completed"
) -> None:
    """``records`` rows of ``file`` with these business keys, from ``first_index`` on."""
    with transaction(engine) as session:
        session.add_all(
            Record(
                file_id=file.id,
                record_index=first_index + i,
                client_id=file.client_id,
                doc_type=file.doc_type,
                record_key=key,
                state=state,
            )
            for i, key in enumerate(keys)
        )


def money(text: str) -> Decimal:
    return Decimal(text)
